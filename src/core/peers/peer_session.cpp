#include "peers/peer_session.hpp"

#include <algorithm>
#include <variant>

#include "wire/extension_handshake.hpp"

namespace tessera {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

PeerSession::PeerSession(PeerKey key, PeerWire& wire, const PieceMap& map, bool fast, bool extended, TimePoint now,
                         PeerSessionLimits limits)
    : key_(key),
      wire_(wire),
      map_(map),
      limits_(limits),
      fast_(fast),
      extended_(extended),
      has_(map.piece_count()),
      connected_at_(now),
      last_block_at_(now) {}

PeerReaction PeerSession::violation(std::string detail) {
  PeerReaction r;
  r.close = PeerReaction::Close{DepartureReason::protocol_violation, std::move(detail)};
  return r;
}

std::uint32_t PeerSession::block_length(BlockRef ref) const {
  return static_cast<std::uint32_t>(map_.block_size(ref.piece, ref.block));
}

void PeerSession::greet(const Bitfield& ours, std::string_view extension_handshake,
                        std::span<const std::uint32_t> allowed_fast) {
  if (fast_ && ours.all()) {
    wire_.send(wire::HaveAll{});
  } else if (fast_ && ours.none()) {
    wire_.send(wire::HaveNone{});
  } else if (!ours.none()) {
    wire_.send(wire::BitfieldMsg{ours});
  }
  // The bitfield must be the first message; the extension handshake follows it.
  if (extended_ && !extension_handshake.empty()) wire_.send(wire::Extended{0, std::string(extension_handshake)});
  if (!fast_) return;
  for (const std::uint32_t piece : allowed_fast) {
    if (piece < ours.size() && ours.get(piece)) {
      allowed_fast_given_.insert(piece);
      wire_.send(wire::AllowedFast{piece});
    }
  }
}

PeerReaction PeerSession::on_message(wire::Message& msg, PiecePicker& picker, TimePoint now) {
  return std::visit(
      Overloaded{
          [&](wire::KeepAlive&) { return PeerReaction{}; },
          [&](wire::Choke&) {
            peer_choking_ = true;
            // Without the fast extension, a choke silently discards our requests.
            if (!fast_) withdraw_requests(picker);
            return PeerReaction{};
          },
          [&](wire::Unchoke&) {
            if (peer_choking_) last_block_at_ = now;  // the snub clock starts when they unchoke us
            peer_choking_ = false;
            PeerReaction r;
            r.refill = true;
            return r;
          },
          [&](wire::Interested&) {
            PeerReaction r;
            r.interested = !peer_interested_;
            peer_interested_ = true;
            return r;
          },
          [&](wire::NotInterested&) {
            peer_interested_ = false;
            set_choke(true, "not interested");
            return PeerReaction{};
          },
          [&](wire::Have& m) { return on_have(m.piece, picker); },
          // BEP 3 puts the bitfield first; aria2 also sends a full one later. Like libtorrent we
          // take a later one as a replacement, a few times.
          [&](wire::BitfieldMsg& m) { return on_piece_set(std::move(m.bits), picker, now); },
          [&](wire::Request& m) { return on_request(m, picker); },
          [&](wire::Piece& m) { return on_block(m, picker, now); },
          [&](wire::Cancel& m) { return on_cancel(m); },
          [&](wire::Port&) { return PeerReaction{}; },
          [&](wire::Suggest&) { return PeerReaction{}; },
          [&](wire::HaveAll&) {
            if (!fast_) return violation("have-all without the fast extension");
            if (piece_set_seen_) return violation("have-all after its pieces were known (BEP 6: first message only)");
            return on_piece_set(Bitfield(map_.piece_count(), true), picker, now);
          },
          [&](wire::HaveNone&) {
            if (!fast_) return violation("have-none without the fast extension");
            if (piece_set_seen_) return violation("have-none after its pieces were known (BEP 6: first message only)");
            return on_piece_set(Bitfield(map_.piece_count()), picker, now);
          },
          [&](wire::Reject& m) {
            if (!fast_) return violation("reject without the fast extension");
            return on_reject(m, picker);
          },
          [&](wire::AllowedFast& m) {
            if (!fast_) return violation("allowed-fast without the fast extension");
            PeerReaction r;
            if (allowed_fast_.size() < limits_.max_allowed_fast &&
                std::find(allowed_fast_.begin(), allowed_fast_.end(), m.piece) == allowed_fast_.end()) {
              allowed_fast_.push_back(m.piece);
              r.refill = true;
            }
            return r;
          },
          [&](wire::Extended& m) {
            ExtensionEvent ev = extensions_.on_extended(m);
            if (ev.violation) return violation(std::move(*ev.violation));
            PeerReaction r;
            if (ev.handshake) on_extension_handshake(*ev.handshake, r);
            r.metadata = std::move(ev.metadata);
            // Rationed per peer: a flood of messages or entries cannot grow our peer list.
            if (ev.pex && pex_) r.pex_candidates = pex_->on_message(*ev.pex, now).candidates;
            return r;
          },
          [&](wire::Unknown&) { return PeerReaction{}; },
      },
      msg);
}

// ---------------------------------------------------------------- what they have

void PeerSession::forget_availability(PiecePicker& picker) {
  if (!counted_in_availability_) return;
  if (seed_) {
    picker.remove_seed();
  } else {
    picker.remove_peer_bitfield(has_);
  }
  counted_in_availability_ = false;
}

PeerReaction PeerSession::on_piece_set(Bitfield bits, PiecePicker& picker, TimePoint now) {
  if (piece_set_seen_) {
    // A replacement: rationed, since each costs a pass over the pieces.
    const double elapsed = std::chrono::duration<double>(now - bitfield_refill_).count();
    bitfield_tokens_ = std::min(limits_.bitfield_burst, bitfield_tokens_ + std::max(0.0, elapsed) * limits_.bitfields_per_second);
    bitfield_refill_ = now;
    if (bitfield_tokens_ < 1) return violation("sent its bitfield again and again");
    bitfield_tokens_ -= 1;
  } else {
    bitfield_tokens_ = limits_.bitfield_burst;
    bitfield_refill_ = now;
  }
  piece_set_seen_ = true;
  if (counted_in_availability_ && !seed_ && !bits.all() && bits.size() == has_.size()) {
    // Usually a replacement only adds pieces (aria2 resends its bitfield as it grows): count
    // just the new ones. Anything else is taken out and put in again whole.
    bool superset = true;
    const std::string_view before = has_.bytes(), after = bits.bytes();
    for (std::size_t i = 0; i < before.size() && superset; ++i) {
      superset = (static_cast<unsigned char>(before[i]) & ~static_cast<unsigned char>(after[i]) & 0xffu) == 0;
    }
    if (superset) {
      for (std::size_t i = 0; i < before.size(); ++i) {
        if (before[i] == after[i]) continue;
        for (std::uint32_t bit = 0; bit < 8; ++bit) {
          const auto piece = static_cast<std::uint32_t>(i * 8 + bit);
          if (piece < bits.size() && bits.get(piece) && !has_.get(piece)) picker.add_peer_have(piece);
        }
      }
      has_ = std::move(bits);
      recount_interest(picker);
      PeerReaction r;
      r.refill = true;
      return r;
    }
  }
  forget_availability(picker);  // a replacement: the old set goes first
  has_ = std::move(bits);
  seed_ = has_.all();
  if (seed_) {
    picker.add_seed();
  } else {
    picker.add_peer_bitfield(has_);
  }
  counted_in_availability_ = true;
  PeerReaction r;
  if (seed_ && picker.is_finished()) {
    r.close = PeerReaction::Close{DepartureReason::not_useful, "both seeding"};
    return r;
  }
  recount_interest(picker);
  r.refill = true;
  return r;
}

PeerReaction PeerSession::on_have(std::uint32_t piece, PiecePicker& picker) {
  piece_set_seen_ = true;
  PeerReaction r;
  if (has_.get(piece)) return r;
  has_.set(piece);
  if (!counted_in_availability_) {
    counted_in_availability_ = true;
    picker.add_peer_bitfield(has_);
  } else {
    picker.add_peer_have(piece);  // not a seed: a seed already has every piece
  }
  if (has_.all() && !seed_) {
    picker.remove_peer_bitfield(has_);
    picker.add_seed();
    seed_ = true;
    if (picker.is_finished()) {
      r.close = PeerReaction::Close{DepartureReason::not_useful, "both seeding"};
      return r;
    }
  }
  if (!picker.have(piece) && picker.piece_priority(piece) > 0) {
    ++wanted_from_;
    set_interest(true, picker);
  }
  r.refill = true;
  return r;
}

// A full count, for when their whole piece set is (re)announced or our priorities change; every
// later change adjusts the count by one, so interest never needs a rescan.
void PeerSession::recount_interest(const PiecePicker& picker) {
  wanted_from_ = 0;
  const std::string_view theirs = has_.bytes();
  const std::string_view ours = picker.have_bitfield().bytes();
  for (std::size_t i = 0; i < theirs.size() && i < ours.size(); ++i) {
    const unsigned missing = static_cast<unsigned>(static_cast<unsigned char>(theirs[i])) &
                             ~static_cast<unsigned>(static_cast<unsigned char>(ours[i])) & 0xFFu;
    if (missing == 0) continue;
    for (std::uint32_t bit = 0; bit < 8; ++bit) {
      const auto piece = static_cast<std::uint32_t>(i * 8 + bit);
      if ((missing & (0x80u >> bit)) != 0 && picker.piece_priority(piece) > 0) ++wanted_from_;
    }
  }
  set_interest(wanted_from_ > 0, picker);
}

void PeerSession::set_interest(bool want, const PiecePicker& picker) {
  if (want && picker.is_finished()) want = false;
  if (want == am_interested_) return;
  am_interested_ = want;
  if (want) {
    wire_.send(wire::Interested{});
  } else {
    wire_.send(wire::NotInterested{});
  }
}

void PeerSession::piece_verified(std::uint32_t piece, const PiecePicker& picker) {
  wire_.send(wire::Have{piece});
  if (picker.is_finished()) {
    wanted_from_ = 0;
    set_interest(false, picker);
  } else if (has_.get(piece) && wanted_from_ > 0 && --wanted_from_ == 0) {
    set_interest(false, picker);
  }
}

// ---------------------------------------------------------------- our requests

void PeerSession::fill_requests(PiecePicker& picker, const RequestBudget& budget) {
  if (!am_interested_) return;
  const bool choked = peer_choking_;
  if (choked && (!fast_ || allowed_fast_.empty())) return;
  // Never more than they said they keep (reqq), nor more than we allow ourselves.
  std::size_t target = std::min(budget.target, limits_.max_pipeline);
  if (reqq_) target = std::min<std::size_t>(target, *reqq_);
  const std::size_t in_flight = picker.requested_count(key_);
  if (in_flight >= target) return;
  if (target - in_flight < budget.batch && in_flight > 0) return;
  for (const BlockRef& b : picker.pick(has_, key_, target - in_flight, choked, allowed_fast_)) {
    wire_.send(wire::Request{b.piece, static_cast<std::uint32_t>(std::int64_t{b.block} * kBlockSize), block_length(b)});
  }
}

void PeerSession::send_cancel(BlockRef ref) {
  wire_.send(wire::Cancel{ref.piece, static_cast<std::uint32_t>(std::int64_t{ref.block} * kBlockSize),
                          block_length(ref)});
}

void PeerSession::trim_requests(PiecePicker& picker, std::size_t target) {
  while (picker.requested_count(key_) > target) {
    const BlockRef b = picker.requests_of(key_).back();
    picker.cancel_request(b, key_);
    send_cancel(b);
  }
}

void PeerSession::cancel(BlockRef ref) { send_cancel(ref); }

void PeerSession::withdraw_requests(PiecePicker& picker) {
  const std::vector<BlockRef> requested = picker.requests_of(key_);  // a copy: cancelling edits it
  for (const BlockRef& b : requested) picker.cancel_request(b, key_);
}

bool PeerSession::check_snub(PiecePicker& picker, TimePoint now, const ChokerConfig& config) {
  if (snubbed_ || picker.requested_count(key_) == 0 || !Choker::is_snubbed(choker_view(now), now, config)) {
    return false;
  }
  snubbed_ = true;
  withdraw_requests(picker);
  return true;
}

void PeerSession::set_pipeline(std::size_t blocks) { pipeline_ = std::clamp<std::size_t>(blocks, 1, limits_.max_pipeline); }

PeerReaction PeerSession::on_block(wire::Piece& m, PiecePicker& picker, TimePoint now) {
  const BlockRef b{m.piece, m.begin / static_cast<std::uint32_t>(kBlockSize)};
  const bool aligned = m.begin % kBlockSize == 0 && b.block < map_.block_count(m.piece) &&
                       static_cast<std::int64_t>(m.data.size()) == map_.block_size(m.piece, b.block);
  const auto asked = aligned ? picker.request_state(b, key_) : PiecePicker::RequestState::none;
  if (asked == PiecePicker::RequestState::none) return violation("sent a block we never requested");
  PeerReaction r;
  const BlockArrival arrival = picker.on_block(b, key_);
  if (asked == PiecePicker::RequestState::cancelled && arrival.duplicate) return r;  // withdrawn: dropped
  if (!arrival.expected) return violation("sent a block we never requested");
  const auto n = static_cast<std::int64_t>(m.data.size());
  down_.add(n, now);
  downloaded_ += n;
  last_block_at_ = now;
  snubbed_ = false;
  pipeline_ = std::min(limits_.max_pipeline, pipeline_ + 1);  // slow start until the rate speaks
  r.block = PeerReaction::Block{b, m.begin, m.data, arrival};
  r.refill = true;
  return r;
}

PeerReaction PeerSession::on_reject(const wire::Reject& m, PiecePicker& picker) {
  PeerReaction r;
  const BlockRef b{m.piece, m.begin / static_cast<std::uint32_t>(kBlockSize)};
  // A late reject of a block we cancelled is harmless; a reject settles the request either way.
  const bool outstanding = picker.request_state(b, key_) == PiecePicker::RequestState::outstanding;
  picker.abort_request(b, key_);
  r.refill = outstanding;
  return r;
}

// ---------------------------------------------------------------- their requests

void PeerSession::set_choke(bool choke, std::string reason) {
  choke_reason_ = std::move(reason);
  if (am_choking_ == choke) return;
  am_choking_ = choke;
  if (!choke) {
    choked_requests_ = 0;
    wire_.send(wire::Unchoke{});
    return;
  }
  wire_.send(wire::Choke{});
  // BEP 6: with the fast extension, queued requests are rejected explicitly.
  std::erase_if(their_requests_, [&](const wire::Request& r) {
    if (allowed_fast_given_.contains(r.piece)) return false;
    if (fast_) wire_.send(wire::Reject{r.piece, r.begin, r.length});
    return true;
  });
}

PeerReaction PeerSession::on_request(const wire::Request& r, const PiecePicker& picker) {
  const bool allowed = !am_choking_ || allowed_fast_given_.contains(r.piece);
  if (!allowed || !picker.have(r.piece)) {
    // A peer that keeps asking while choked, and never reads our rejects, would grow our send
    // queue without end (libtorrent counts these too).
    if (!allowed && ++choked_requests_ > limits_.max_choked_requests) {
      return violation("kept requesting while choked (" + std::to_string(choked_requests_) + " requests)");
    }
    if (fast_) wire_.send(wire::Reject{r.piece, r.begin, r.length});
    return {};
  }
  if (their_requests_.size() >= limits_.max_queued_requests) return violation("too many outstanding requests");
  their_requests_.push_back(r);
  PeerReaction out;
  out.serve = true;
  return out;
}

PeerReaction PeerSession::on_cancel(const wire::Cancel& m) {
  std::erase_if(their_requests_, [&](const wire::Request& r) {
    return r.piece == m.piece && r.begin == m.begin && r.length == m.length;
  });
  PeerReaction out;
  // Already read and waiting for upload quota: not sent either (endgame cancels would otherwise
  // cost a capped seed its bandwidth).
  if (const auto n = static_cast<std::int64_t>(wire_.cancel_block(m.piece, m.begin)); n > 0) {
    uploaded_ -= n;
    out.upload_refund = n;
  }
  return out;
}

std::vector<wire::Request> PeerSession::take_reads(std::size_t max) {
  std::vector<wire::Request> batch;
  while (!their_requests_.empty() && batch.size() < max) {
    batch.push_back(their_requests_.front());
    their_requests_.pop_front();
  }
  reads_in_flight_ += batch.size();
  return batch;
}

std::int64_t PeerSession::blocks_read(const std::vector<wire::Request>& batch, std::vector<std::string>&& blocks,
                                      TimePoint now) {
  reads_in_flight_ -= std::min(batch.size(), reads_in_flight_);
  std::int64_t sent = 0;
  for (std::size_t i = 0; i < batch.size() && i < blocks.size(); ++i) {
    const wire::Request& r = batch[i];
    if (am_choking_ && !allowed_fast_given_.contains(r.piece)) continue;  // choked meanwhile
    const auto n = static_cast<std::int64_t>(r.length);
    up_.add(n, now);
    uploaded_ += n;
    sent += n;
    wire_.send_block(r.piece, r.begin, std::move(blocks[i]));
  }
  return sent;
}

// ---------------------------------------------------------------- extension handshake

void PeerSession::on_extension_handshake(const wire::ExtensionHandshake& h, PeerReaction& out) {
  if (!h.client.empty()) client_ = h.client;  // already made safe to show by the decoder
  if (h.request_queue) reqq_ = std::max<std::uint32_t>(1, *h.request_queue);
  if (h.listen_port && *h.listen_port != 0) {
    out.listen_port = h.listen_port;
    if (pex_) pex_->set_remote_listen_port(*h.listen_port);  // never told about itself
  }
}

bool PeerSession::send_metadata(const wire::MetadataMessage& m) {
  auto msg = extensions_.metadata_message(m);
  if (!msg) return false;
  wire_.send(*msg);
  return true;
}

void PeerSession::enable_pex(const boost::asio::ip::tcp::endpoint& remote, PexConfig config) {
  extensions_ = PeerExtensions(true);
  pex_.emplace(remote, config);
}

bool PeerSession::send_pex(std::span<const PexSwarmPeer> connected, TimePoint now) {
  // Asked only when they take ut_pex: PexState counts a message it hands out as sent.
  if (!pex_ || !extensions_.offers_pex()) return false;
  auto m = pex_->message_due(connected, now);
  if (!m) return false;
  wire_.send(*extensions_.pex_message(*m));
  return true;
}

// ---------------------------------------------------------------- views

void PeerSession::detach(PiecePicker& picker) {
  picker.abort_peer(key_);
  forget_availability(picker);
}

ChokerPeer PeerSession::choker_view(TimePoint now) const {
  ChokerPeer v;
  v.key = key_;
  v.interested = peer_interested_ && !seed_;  // a seed wants nothing from us
  v.am_choking = am_choking_;
  v.am_interested = am_interested_;
  v.peer_choking = peer_choking_;
  v.down_rate = down_.rate(now);
  v.up_rate = up_.rate(now);
  v.connected_at = connected_at_;
  v.last_block_at = last_block_at_;
  return v;
}

PeerInfo PeerSession::info(const PiecePicker& picker, TimePoint now) const {
  PeerInfo info;
  info.client = client_;
  info.seed = seed_;
  info.am_choking = am_choking_;
  info.am_interested = am_interested_;
  info.peer_choking = peer_choking_;
  info.peer_interested = peer_interested_;
  info.snubbed = snubbed_;
  info.fast_extension = fast_;
  info.extension_protocol = extended_;
  info.progress = has_.size() > 0 ? static_cast<double>(has_.count()) / has_.size() : 0;
  info.down_rate = down_.rate(now);
  info.up_rate = up_.rate(now);
  info.downloaded = downloaded_;
  info.uploaded = uploaded_;
  info.requests_out = static_cast<std::uint32_t>(picker.requested_count(key_));
  info.requests_in = static_cast<std::uint32_t>(their_requests_.size());
  info.choke_reason = choke_reason_;
  return info;
}

}  // namespace tessera
