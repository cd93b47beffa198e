#include "metadata/metadata_fetch.hpp"

#include <algorithm>
#include <set>

namespace tessera {

MetadataFetch::MetadataFetch(Sha1Digest info_hash, MetadataFetchLimits limits)
    : info_hash_(info_hash), limits_(limits) {}

bool MetadataFetch::usable(const Peer& p) const {
  return size_ > 0 && !p.unusable && (!p.size || *p.size == size_);
}

std::size_t MetadataFetch::peers_offering() const {
  return static_cast<std::size_t>(std::count_if(peers_.begin(), peers_.end(), [&](const auto& kv) { return usable(kv.second); }));
}

void MetadataFetch::add_peer(PeerKey peer, std::optional<std::int64_t> size) {
  if (complete_ || peers_.contains(peer) || peers_.size() >= limits_.max_peers) return;
  Peer& p = peers_[peer];
  p.size = size;
  if (size && (*size <= 0 || *size > limits_.max_size)) {
    p.unusable = true;
    if (*size > limits_.max_size) {
      problem_ = "a peer's metadata is " + std::to_string(*size) + " bytes, over the limit of " +
                 std::to_string(limits_.max_size);
    }
  }
  // Until a piece is in, the size follows the majority: one liar that came first cannot hold the
  // fetch hostage by never answering.
  if (received_ == 0) choose_size();
}

void MetadataFetch::release(PeerKey peer) {
  for (Piece& piece : pieces_) {
    if (piece.state == PieceState::requested && piece.from == peer) piece.state = PieceState::missing;
  }
  if (auto it = peers_.find(peer); it != peers_.end()) it->second.outstanding = 0;
  if (source_ == peer) {
    // Another peer starts the whole dictionary afresh: pieces from this one prove nothing.
    source_.reset();
    for (Piece& piece : pieces_) piece = Piece{};
    received_ = 0;
  }
}

void MetadataFetch::remove_peer(PeerKey peer) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return;
  release(peer);
  peers_.erase(it);
}

// The size most peers agree on: a lone peer lying about it cannot hold the fetch hostage.
void MetadataFetch::choose_size() {
  std::map<std::int64_t, std::size_t> votes;
  for (const auto& [key, p] : peers_) {
    if (p.size && !p.unusable) ++votes[*p.size];
  }
  if (votes.empty()) return;
  const auto best = std::max_element(votes.begin(), votes.end(),
                                     [](const auto& a, const auto& b) { return a.second < b.second; });
  if (best->first == size_) return;
  size_ = best->first;
  pieces_.assign(wire::metadata_piece_count(size_), Piece{});
  for (auto& [key, p] : peers_) p.outstanding = 0;  // answers to requests of another size get ignored
}

std::vector<std::uint32_t> MetadataFetch::requests_for(PeerKey peer, TimePoint now) {
  std::vector<std::uint32_t> out;
  auto it = peers_.find(peer);
  if (complete_ || it == peers_.end() || !usable(it->second) || now < it->second.resting_until) return out;
  Peer& p = it->second;
  if (single_source_) {
    if (!source_) source_ = peer;
    if (*source_ != peer) return out;
  }
  for (std::uint32_t i = 0; i < pieces_.size() && p.outstanding < limits_.requests_per_peer; ++i) {
    if (pieces_[i].state != PieceState::missing) continue;
    pieces_[i] = Piece{PieceState::requested, peer, now};
    ++p.outstanding;
    out.push_back(i);
  }
  return out;
}

MetadataFetch::Outcome MetadataFetch::on_data(PeerKey peer, const wire::MetadataMessage& m, TimePoint now) {
  Outcome out;
  auto it = peers_.find(peer);
  if (complete_ || it == peers_.end() || size_ == 0) return out;
  Peer& p = it->second;
  if (m.total_size != size_) {
    // Another version of the metadata (or a lie): not this fetch's; ask it nothing more.
    p.unusable = true;
    release(peer);
    return out;
  }
  if (single_source_ && source_ != peer) return out;  // only the chosen peer's pieces count now
  if (m.piece >= pieces_.size()) {
    out.drop = "metadata piece " + std::to_string(m.piece) + " out of range";
    return out;
  }
  Piece& piece = pieces_[m.piece];
  if (piece.state == PieceState::received) return out;  // a late duplicate
  if (static_cast<std::int64_t>(m.data.size()) != wire::metadata_piece_size(size_, m.piece)) {
    out.drop = "metadata piece " + std::to_string(m.piece) + " of the wrong size (" + std::to_string(m.data.size()) +
               " bytes)";
    return out;
  }
  if (piece.state == PieceState::requested) {
    // Whoever we asked (this peer, or one that was slow) has one request fewer out.
    if (auto asked = peers_.find(piece.from); asked != peers_.end() && asked->second.outstanding > 0) {
      --asked->second.outstanding;
    }
  }
  if (buffer_.size() != static_cast<std::size_t>(size_)) buffer_.assign(static_cast<std::size_t>(size_), '\0');
  std::copy(m.data.begin(), m.data.end(), buffer_.begin() + std::int64_t{m.piece} * wire::kMetadataPieceSize);
  piece = Piece{PieceState::received, peer, now};
  if (++received_ < pieces_.size()) return out;

  if (sha1(buffer_) == info_hash_) {
    complete_ = true;
    problem_.clear();
    out.complete = true;
    return out;
  }
  std::set<PeerKey> senders;
  for (const Piece& each : pieces_) senders.insert(each.from);
  if (senders.size() == 1) {
    out.blamed.assign(senders.begin(), senders.end());
    peers_.erase(*senders.begin());
    problem_ = "a peer sent metadata that does not match the info-hash";
  } else {
    problem_ = "metadata pieced together from " + std::to_string(senders.size()) +
               " peers did not match the info-hash; asking one peer at a time";
  }
  single_source_ = true;
  source_.reset();
  start_over();
  return out;
}

void MetadataFetch::on_reject(PeerKey peer, std::uint32_t piece, TimePoint now) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return;
  if (piece < pieces_.size() && pieces_[piece].state == PieceState::requested && pieces_[piece].from == peer) {
    pieces_[piece].state = PieceState::missing;
    if (it->second.outstanding > 0) --it->second.outstanding;
  }
  it->second.resting_until = now + limits_.after_reject;
  if (source_ == peer) release(peer);  // it will not give everything: another peer gets the turn
}

void MetadataFetch::tick(TimePoint now) {
  for (Piece& piece : pieces_) {
    if (piece.state != PieceState::requested || now - piece.asked < limits_.request_timeout) continue;
    piece.state = PieceState::missing;
    const PeerKey slow = piece.from;
    if (auto it = peers_.find(slow); it != peers_.end()) {
      if (it->second.outstanding > 0) --it->second.outstanding;
      it->second.resting_until = now + limits_.after_reject;
    }
    if (source_ == slow) release(slow);
  }
}

void MetadataFetch::start_over() {
  pieces_.clear();
  buffer_.clear();
  buffer_.shrink_to_fit();
  received_ = 0;
  size_ = 0;
  for (auto& [key, p] : peers_) p.outstanding = 0;
  choose_size();
}

}  // namespace tessera
