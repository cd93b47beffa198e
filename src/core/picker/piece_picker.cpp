#include "picker/piece_picker.hpp"

#include <algorithm>
#include <string_view>
#include <tuple>
#include <utility>

namespace tessera {
namespace {

bool erase_one(std::vector<BlockRef>& v, BlockRef ref) {
  const auto it = std::find(v.begin(), v.end(), ref);
  if (it == v.end()) return false;
  v.erase(it);  // keep request order: these lists are short (one peer's pipeline)
  return true;
}

bool has_requester(const auto& block, PeerKey peer) {
  for (std::size_t i = 0; i < block.requester_count; ++i) {
    if (block.requesters[i] == peer) return true;
  }
  return false;
}

}  // namespace

std::uint64_t PiecePicker::Rng::next() {
  state += 0x9e3779b97f4a7c15ull;
  std::uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

bool PiecePicker::Eligibility::operator()(std::uint32_t piece) const {
  if (piece >= peer_has.size() || !peer_has.get(piece)) return false;
  if (!choked) return true;
  // The allowed-fast set is tiny (BEP 6 suggests 10), so a linear search beats building a set.
  return std::find(allowed_fast.begin(), allowed_fast.end(), piece) != allowed_fast.end();
}

PiecePicker::PiecePicker(const PieceMap& map, std::uint64_t seed)
    : piece_count_(map.piece_count()),
      wanted_left_(map.piece_count()),
      block_counts_(map.piece_count()),
      priority_(map.piece_count(), 1),
      peer_count_(map.piece_count(), 0),
      position_(map.piece_count(), kNotInOrder),
      have_(map.piece_count()),
      rng_{seed} {
  for (std::uint32_t p = 0; p < piece_count_; ++p) block_counts_[p] = map.block_count(p);
  // Everything starts in one bucket (priority 1, nobody has it), shuffled once so that ties
  // between equally rare pieces are broken by the seed.
  std::vector<std::uint32_t>& bucket = tiers_[1].emplace_back();
  bucket.resize(piece_count_);
  for (std::uint32_t i = 0; i < piece_count_; ++i) {
    const std::uint32_t j = rng_.below(i + 1);
    bucket[i] = bucket[j];
    bucket[j] = i;
  }
  for (std::uint32_t i = 0; i < piece_count_; ++i) position_[bucket[i]] = i;
  tier_size_[1] = piece_count_;
  fresh_count_ = piece_count_;
}

// ---- what we have and want ----

void PiecePicker::set_have(std::uint32_t piece) {
  if (valid(piece)) mark_had(piece);
}

bool PiecePicker::have(std::uint32_t piece) const {
  return valid(piece) && have_.get(piece);
}

void PiecePicker::mark_had(std::uint32_t piece) {
  if (have_.get(piece)) return;
  have_.set(piece);  // first, so dropping the piece's blocks does not put it back in the order
  ++have_count_;
  if (priority_[piece] > 0) --wanted_left_;
  drop_downloading(piece);
  failed_contributors_.erase(piece);
  sync_order(piece);
}

void PiecePicker::set_piece_priority(std::uint32_t piece, std::uint8_t priority) {
  if (!valid(piece)) return;
  priority = std::min(priority, kMaxPriority);
  const std::uint8_t old = priority_[piece];
  if (old == priority) return;
  if (fresh(piece)) order_erase(piece);  // erase finds the bucket by the old priority
  priority_[piece] = priority;
  if (!have_.get(piece)) {
    if (old == 0) ++wanted_left_;
    if (priority == 0) --wanted_left_;
  }
  sync_order(piece);
}

std::uint8_t PiecePicker::piece_priority(std::uint32_t piece) const {
  return valid(piece) ? priority_[piece] : 0;
}

// ---- availability ----

void PiecePicker::change_counts(const Bitfield& has, bool up) {
  const std::uint32_t n = std::min(has.size(), piece_count_);
  const std::string_view bytes = has.bytes();
  for (std::uint32_t first = 0; first < n; first += 8) {
    if (bytes[first / 8] == 0) continue;  // new peers' bitfields are mostly empty
    const std::uint32_t stop = std::min(first + 8, n);
    for (std::uint32_t p = first; p < stop; ++p) {
      if (has.get(p)) change_count(p, up);
    }
  }
}

void PiecePicker::add_peer_bitfield(const Bitfield& has) {
  change_counts(has, true);
}

void PiecePicker::remove_peer_bitfield(const Bitfield& has) {
  change_counts(has, false);
}

void PiecePicker::add_peer_have(std::uint32_t piece) {
  if (valid(piece)) change_count(piece, true);
}

void PiecePicker::add_seed() {
  ++seeds_;
}

void PiecePicker::remove_seed() {
  if (seeds_ > 0) --seeds_;
}

std::uint32_t PiecePicker::availability(std::uint32_t piece) const {
  return valid(piece) ? peer_count_[piece] + seeds_ : 0;
}

// ---- the order of fresh pieces ----

void PiecePicker::order_insert(std::uint32_t piece) {
  auto& tier = tiers_[priority_[piece]];
  const std::uint32_t count = peer_count_[piece];
  if (tier.size() <= count) tier.resize(std::size_t{count} + 1);
  std::vector<std::uint32_t>& bucket = tier[count];
  // Insert at a random position (push, then swap with a random slot) so the bucket stays a
  // seeded shuffle and ties are not broken by piece index or arrival order.
  const auto end = static_cast<std::uint32_t>(bucket.size());
  const std::uint32_t slot = rng_.below(end + 1);
  bucket.push_back(piece);
  if (slot != end) {
    const std::uint32_t other = bucket[slot];
    bucket[slot] = piece;
    bucket[end] = other;
    position_[other] = end;
  }
  position_[piece] = slot;
  ++tier_size_[priority_[piece]];
  ++fresh_count_;
}

void PiecePicker::order_erase(std::uint32_t piece) {
  std::vector<std::uint32_t>& bucket = tiers_[priority_[piece]][peer_count_[piece]];
  const std::uint32_t slot = position_[piece];
  const std::uint32_t last = bucket.back();
  bucket[slot] = last;
  position_[last] = slot;
  bucket.pop_back();
  position_[piece] = kNotInOrder;
  --tier_size_[priority_[piece]];
  --fresh_count_;
}

void PiecePicker::sync_order(std::uint32_t piece) {
  const bool belongs = wanted(piece) && !downloading_.contains(piece);
  if (belongs && !fresh(piece)) order_insert(piece);
  if (!belongs && fresh(piece)) order_erase(piece);
}

void PiecePicker::change_count(std::uint32_t piece, bool up) {
  if (!up && peer_count_[piece] == 0) return;
  const bool was_fresh = fresh(piece);
  if (was_fresh) order_erase(piece);
  if (up) {
    ++peer_count_[piece];
  } else {
    --peer_count_[piece];
  }
  if (was_fresh) order_insert(piece);
}

// ---- picking ----

std::vector<BlockRef> PiecePicker::pick(const Bitfield& peer_has, PeerKey peer, std::size_t max_blocks,
                                        bool choked, const std::vector<std::uint32_t>& allowed_fast) {
  std::vector<BlockRef> out;
  if (max_blocks == 0) return out;
  const Eligibility ok{peer_has, choked, allowed_fast};
  if (!choked && have_count_ >= kRandomFirstPieces) {
    // A partial piece that others also have should not take this peer's requests when it can
    // give us something rarer: a seed would otherwise spend its upload on pieces already in the
    // swarm while pieces only it has wait. Leftover room still goes to partials.
    const auto rare = rarest_fresh(ok);
    pick_partials(ok, peer, max_blocks, out, rare);
    if (out.size() < max_blocks) pick_new(ok, peer, max_blocks, out);
    if (out.size() < max_blocks && rare) pick_partials(ok, peer, max_blocks, out);
  } else {
    pick_partials(ok, peer, max_blocks, out);
    if (out.size() < max_blocks) pick_new(ok, peer, max_blocks, out);
  }
  if (out.size() < max_blocks && in_endgame()) pick_endgame(ok, peer, max_blocks, out);
  return out;
}

std::optional<PiecePicker::Rarity> PiecePicker::rarest_fresh(const Eligibility& ok) const {
  if (fresh_count_ == 0) return std::nullopt;
  constexpr std::size_t kMaxLooks = 256;  // a peer with few pieces: not worth a full scan
  std::size_t looks = 0;
  for (std::uint32_t tier = kMaxPriority; tier > 0; --tier) {
    if (tier_size_[tier] == 0) continue;
    for (std::size_t a = 0; a < tiers_[tier].size(); ++a) {
      for (const std::uint32_t p : tiers_[tier][a]) {
        if (ok(p)) return Rarity{tier, static_cast<std::uint32_t>(a)};
        if (++looks > kMaxLooks) return std::nullopt;
      }
    }
  }
  return std::nullopt;
}

void PiecePicker::pick_partials(const Eligibility& ok, PeerKey peer, std::size_t max_blocks,
                                std::vector<BlockRef>& out, std::optional<Rarity> below) {
  // Only pieces in flight are looked at (bounded by peers x pipeline depth), never the whole torrent.
  struct Candidate {
    std::uint8_t priority;
    std::uint32_t received;
    std::uint32_t piece;
  };
  std::vector<Candidate> candidates;
  for (const auto& [piece, dp] : downloading_) {
    if (dp.free > 0 && priority_[piece] > 0 && ok(piece)) {
      if (below && (priority_[piece] < below->priority ||
                    (priority_[piece] == below->priority && peer_count_[piece] > below->availability))) {
        continue;
      }
      candidates.push_back({priority_[piece], dp.received, piece});
    }
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(b.priority, b.received, a.piece) < std::tie(a.priority, a.received, b.piece);
  });
  for (const Candidate& c : candidates) {
    if (!take_free_blocks(c.piece, downloading_.at(c.piece), peer, max_blocks, out)) return;
  }
}

void PiecePicker::pick_new(const Eligibility& ok, PeerKey peer, std::size_t max_blocks,
                           std::vector<BlockRef>& out) {
  if (fresh_count_ == 0) return;

  if (ok.choked) {
    // Only the few allowed-fast pieces qualify: rank just those, best priority then rarest.
    std::vector<std::uint32_t> candidates;
    for (const std::uint32_t p : ok.allowed_fast) {
      if (valid(p) && fresh(p) && ok(p) &&
          std::find(candidates.begin(), candidates.end(), p) == candidates.end()) {
        candidates.push_back(p);
      }
    }
    std::sort(candidates.begin(), candidates.end(), [this](std::uint32_t a, std::uint32_t b) {
      return std::tuple(priority_[b], peer_count_[a], position_[a]) <
             std::tuple(priority_[a], peer_count_[b], position_[b]);
    });
    for (const std::uint32_t p : candidates) {
      if (!start_piece(p, peer, max_blocks, out)) return;
    }
    return;
  }

  if (have_count_ < kRandomFirstPieces) {
    // Random first: any piece will do to get something to trade, and peers starting at random
    // places rarely collide. Scan from a random start; the highest non-empty priority wins.
    while (out.size() < max_blocks) {
      std::uint32_t found = kNotInOrder;
      for (std::uint32_t tier = kMaxPriority; tier > 0 && found == kNotInOrder; --tier) {
        if (tier_size_[tier] == 0) continue;
        const std::uint32_t start = rng_.below(piece_count_);
        for (std::uint32_t k = 0; k < piece_count_; ++k) {
          const std::uint32_t p = start + k < piece_count_ ? start + k : start + k - piece_count_;
          if (fresh(p) && priority_[p] == tier && ok(p)) {
            found = p;
            break;
          }
        }
      }
      if (found == kNotInOrder) return;
      if (!start_piece(found, peer, max_blocks, out)) return;
    }
    return;
  }

  // Rarest first: walk buckets from the highest priority and lowest availability. Starting a piece
  // swaps the bucket's last piece into its slot, so the same slot is looked at again.
  for (std::uint32_t tier = kMaxPriority; tier > 0; --tier) {
    if (tier_size_[tier] == 0) continue;
    for (std::vector<std::uint32_t>& bucket : tiers_[tier]) {
      std::size_t i = 0;
      while (i < bucket.size()) {
        const std::uint32_t p = bucket[i];
        if (!ok(p)) {
          ++i;
          continue;
        }
        if (!start_piece(p, peer, max_blocks, out)) return;
      }
    }
  }
}

void PiecePicker::pick_endgame(const Eligibility& ok, PeerKey peer, std::size_t max_blocks,
                               std::vector<BlockRef>& out) {
  struct Candidate {
    std::size_t requesters;
    std::uint8_t priority;
    std::uint32_t received;
    BlockRef ref;
  };
  std::vector<Candidate> candidates;
  for (const auto& [piece, dp] : downloading_) {
    if (priority_[piece] == 0 || !ok(piece)) continue;
    for (std::uint32_t b = 0; b < dp.blocks.size(); ++b) {
      const Block& block = dp.blocks[b];
      if (block.state == BlockState::kRequested && block.requester_count < kMaxRequestsPerBlock &&
          !has_requester(block, peer)) {
        candidates.push_back({block.requester_count, priority_[piece], dp.received, {piece, b}});
      }
    }
  }
  // Fewest outstanding requests first, then the same piece order as for partial pieces.
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.requesters, b.priority, b.received, a.ref) <
           std::tie(b.requesters, a.priority, a.received, b.ref);
  });
  for (const Candidate& c : candidates) {
    if (out.size() >= max_blocks) return;
    DownloadingPiece& dp = downloading_.at(c.ref.piece);
    add_request(c.ref, dp.blocks[c.ref.block], dp, peer);
    out.push_back(c.ref);
  }
}

bool PiecePicker::start_piece(std::uint32_t piece, PeerKey peer, std::size_t max_blocks,
                              std::vector<BlockRef>& out) {
  DownloadingPiece& dp = downloading_[piece];
  dp.blocks.resize(block_counts_[piece]);
  dp.free = block_counts_[piece];
  order_erase(piece);
  return take_free_blocks(piece, dp, peer, max_blocks, out);
}

bool PiecePicker::take_free_blocks(std::uint32_t piece, DownloadingPiece& dp, PeerKey peer,
                                   std::size_t max_blocks, std::vector<BlockRef>& out) {
  for (std::uint32_t b = 0; b < dp.blocks.size() && dp.free > 0; ++b) {
    if (out.size() >= max_blocks) return false;
    if (dp.blocks[b].state != BlockState::kFree) continue;
    add_request({piece, b}, dp.blocks[b], dp, peer);
    out.push_back({piece, b});
  }
  return out.size() < max_blocks;
}

// ---- requests and arrivals ----

void PiecePicker::add_request(BlockRef ref, Block& b, DownloadingPiece& dp, PeerKey peer) {
  if (b.state == BlockState::kFree) {
    b.state = BlockState::kRequested;
    --dp.free;
    ++dp.requested;
  }
  b.requesters[b.requester_count++] = peer;
  PeerState& ps = peers_[peer];
  erase_one(ps.cancelled, ref);  // asked again after a hash failure: the old cancel no longer matters
  ps.requested.push_back(ref);
}

void PiecePicker::remove_requester(Block& b, DownloadingPiece& dp, PeerKey peer) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < b.requester_count; ++i) {
    if (b.requesters[i] != peer) b.requesters[n++] = b.requesters[i];
  }
  b.requester_count = static_cast<std::uint8_t>(n);
  if (n == 0 && b.state == BlockState::kRequested) {
    b.state = BlockState::kFree;
    --dp.requested;
    ++dp.free;
  }
}

void PiecePicker::abort_request(BlockRef block, PeerKey peer) {
  const auto pit = peers_.find(peer);
  if (pit == peers_.end()) return;
  erase_one(pit->second.cancelled, block);  // a reject of a request we had cancelled settles it
  const bool outstanding = erase_one(pit->second.requested, block);
  if (pit->second.requested.empty() && pit->second.cancelled.empty()) peers_.erase(pit);
  if (!outstanding) return;
  DownloadingPiece& dp = downloading_.at(block.piece);
  remove_requester(dp.blocks[block.block], dp, peer);
  drop_if_untouched(block.piece);
}

void PiecePicker::remember_cancelled(PeerState& ps, BlockRef ref) {
  if (ps.cancelled.size() >= kMaxCancelledPerPeer) ps.cancelled.erase(ps.cancelled.begin());
  ps.cancelled.push_back(ref);
}

void PiecePicker::cancel_request(BlockRef block, PeerKey peer) {
  const auto pit = peers_.find(peer);
  if (pit == peers_.end() || !erase_one(pit->second.requested, block)) return;
  remember_cancelled(pit->second, block);
  DownloadingPiece& dp = downloading_.at(block.piece);
  remove_requester(dp.blocks[block.block], dp, peer);
  drop_if_untouched(block.piece);
}

PiecePicker::RequestState PiecePicker::request_state(BlockRef block, PeerKey peer) const {
  const auto pit = peers_.find(peer);
  if (pit == peers_.end()) return RequestState::none;
  const auto has = [&](const std::vector<BlockRef>& v) { return std::find(v.begin(), v.end(), block) != v.end(); };
  if (has(pit->second.requested)) return RequestState::outstanding;
  if (has(pit->second.cancelled)) return RequestState::cancelled;
  return RequestState::none;
}

const std::vector<BlockRef>& PiecePicker::requests_of(PeerKey peer) const {
  static const std::vector<BlockRef> kNone;
  const auto pit = peers_.find(peer);
  return pit == peers_.end() ? kNone : pit->second.requested;
}

void PiecePicker::abort_peer(PeerKey peer) {
  const auto pit = peers_.find(peer);
  if (pit == peers_.end()) return;
  const std::vector<BlockRef> requested = std::move(pit->second.requested);
  peers_.erase(pit);
  for (const BlockRef ref : requested) {
    DownloadingPiece& dp = downloading_.at(ref.piece);
    remove_requester(dp.blocks[ref.block], dp, peer);
  }
  for (const BlockRef ref : requested) {
    if (downloading_.contains(ref.piece)) drop_if_untouched(ref.piece);
  }
}

BlockArrival PiecePicker::on_block(BlockRef ref, PeerKey peer) {
  BlockArrival result;
  if (!valid(ref.piece) || ref.block >= block_counts_[ref.piece]) return result;

  const auto pit = peers_.find(peer);
  // A block whose request we cancelled: expected (the peer may not have seen the Cancel in time),
  // but its data is not needed any more.
  const auto settle_cancelled = [&] {
    if (pit == peers_.end() || !erase_one(pit->second.cancelled, ref)) return false;
    if (pit->second.requested.empty() && pit->second.cancelled.empty()) peers_.erase(pit);
    result.expected = true;
    result.duplicate = true;
    return true;
  };

  const auto dit = downloading_.find(ref.piece);
  if (dit == downloading_.end()) {
    if (!settle_cancelled()) result.duplicate = have_.get(ref.piece);
    return result;
  }
  DownloadingPiece& dp = dit->second;
  Block& b = dp.blocks[ref.block];
  if (b.state == BlockState::kFree) {
    settle_cancelled();  // stale copy from before a hash failure: drop it, but no protocol error
    return result;
  }
  if (b.state == BlockState::kReceived) {
    if (!settle_cancelled()) result.duplicate = true;
    return result;
  }

  // Requested by this peer or by another one (endgame, or a peer sending what someone else was
  // asked for): the data is wanted either way.
  result.expected = true;
  for (std::size_t i = 0; i < b.requester_count; ++i) {
    const PeerKey other = b.requesters[i];
    PeerState& ps = peers_.at(other);
    erase_one(ps.requested, ref);
    if (other != peer) {
      remember_cancelled(ps, ref);
      result.cancel.push_back(other);
    } else if (ps.requested.empty() && ps.cancelled.empty()) {
      peers_.erase(other);
    }
  }
  b.requester_count = 0;
  b.state = BlockState::kReceived;
  b.sender = peer;
  --dp.requested;
  ++dp.received;
  result.piece_complete = dp.received == dp.blocks.size();
  failed_contributors_.erase(ref.piece);  // a new attempt has begun
  return result;
}

void PiecePicker::on_hash_passed(std::uint32_t piece) {
  if (valid(piece)) mark_had(piece);
}

void PiecePicker::on_hash_failed(std::uint32_t piece) {
  if (!valid(piece) || have_.get(piece) || !downloading_.contains(piece)) return;
  std::vector<PeerKey> senders = contributors(piece);
  drop_downloading(piece);
  if (!senders.empty()) failed_contributors_[piece] = std::move(senders);
}

std::vector<PeerKey> PiecePicker::contributors(std::uint32_t piece) const {
  std::vector<PeerKey> out;
  const auto dit = downloading_.find(piece);
  if (dit != downloading_.end() && dit->second.received > 0) {
    for (const Block& b : dit->second.blocks) {
      if (b.state == BlockState::kReceived) out.push_back(b.sender);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }
  const auto fit = failed_contributors_.find(piece);
  if (fit != failed_contributors_.end()) out = fit->second;
  return out;
}

void PiecePicker::drop_downloading(std::uint32_t piece) {
  const auto dit = downloading_.find(piece);
  if (dit == downloading_.end()) return;
  for (std::uint32_t b = 0; b < dit->second.blocks.size(); ++b) {
    const Block& block = dit->second.blocks[b];
    for (std::size_t i = 0; i < block.requester_count; ++i) {
      PeerState& ps = peers_.at(block.requesters[i]);
      erase_one(ps.requested, {piece, b});
      remember_cancelled(ps, {piece, b});
    }
  }
  downloading_.erase(dit);
  sync_order(piece);
}

void PiecePicker::drop_if_untouched(std::uint32_t piece) {
  const auto dit = downloading_.find(piece);
  if (dit == downloading_.end() || dit->second.requested > 0 || dit->second.received > 0) return;
  downloading_.erase(dit);
  sync_order(piece);
}

// ---- state for the session and GUI ----

bool PiecePicker::in_endgame() const {
  if (wanted_left_ == 0 || fresh_count_ > 0) return false;
  for (const auto& [piece, dp] : downloading_) {
    if (dp.free > 0 && wanted(piece)) return false;
  }
  return true;
}

std::vector<std::uint32_t> PiecePicker::partial_pieces() const {
  std::vector<std::uint32_t> out;
  out.reserve(downloading_.size());
  for (const auto& entry : downloading_) out.push_back(entry.first);
  return out;
}

std::size_t PiecePicker::requested_count(PeerKey peer) const {
  const auto pit = peers_.find(peer);
  return pit == peers_.end() ? 0 : pit->second.requested.size();
}

}  // namespace tessera
