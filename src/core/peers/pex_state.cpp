#include "peers/pex_state.hpp"

#include <set>

#include "peers/peer_list.hpp"

namespace tessera {

std::uint8_t pex_flags(const PexSwarmPeer& peer) {
  std::uint8_t flags = 0;
  if (peer.seed) flags |= wire::pex_flag::seed;
  if (peer.connectable) flags |= wire::pex_flag::connectable;
  return flags;
}

PexState::PexState(const Endpoint& remote, PexConfig config) : remote_(remote), config_(config) {}

void PexState::set_remote_listen_port(std::uint16_t port) {
  remote_listen_ = Endpoint(remote_.address(), port);
  // Told about under its listen endpoint before we knew it was that peer: take it back quietly
  // (a drop would only name the peer to itself).
  advertised_.erase(*remote_listen_);
}

bool PexState::is_remote(const Endpoint& ep) const {
  return ep == remote_ || (remote_listen_ && ep == *remote_listen_);
}

std::optional<wire::PexMessage> PexState::message_due(std::span<const PexSwarmPeer> connected,
                                                      TimePoint now) {
  if (next_send_ && now < *next_send_) return std::nullopt;
  std::map<Endpoint, std::uint8_t> current;
  for (const PexSwarmPeer& p : connected) {
    if (!p.connectable || is_remote(p.endpoint)) continue;
    current.emplace(p.endpoint, pex_flags(p));
  }
  wire::PexMessage m;
  for (const auto& [ep, flags] : advertised_) {
    if (m.dropped.size() >= config_.max_dropped_per_message) break;
    if (!current.contains(ep)) m.dropped.push_back(ep);
  }
  // Added in the order the torrent lists its peers, so the first message names its first ones.
  for (const PexSwarmPeer& p : connected) {
    if (m.added.size() >= config_.max_added_per_message) break;
    const auto it = current.find(p.endpoint);
    if (it == current.end() || advertised_.contains(p.endpoint)) continue;
    m.added.push_back(wire::PexPeer{p.endpoint, it->second});
    current.erase(it);  // listed twice by the torrent: named once
  }
  if (m.added.empty() && m.dropped.empty()) return std::nullopt;
  for (const wire::PexPeer& a : m.added) advertised_.emplace(a.endpoint, a.flags);
  for (const Endpoint& d : m.dropped) advertised_.erase(d);
  next_send_ = now + config_.send_interval;
  return m;
}

PexIntake PexState::on_message(const wire::PexMessage& message, TimePoint now) {
  PexIntake intake;
  if (next_take_ && now < *next_take_) {
    intake.rationed = true;
    intake.ignored = message.added.size();
    return intake;
  }
  next_take_ = now + config_.receive_interval;
  std::set<Endpoint> seen;
  for (const wire::PexPeer& p : message.added) {
    const bool usable = intake.candidates.size() < config_.max_taken_per_message &&
                        PeerList::valid_peer_address(p.endpoint) && !is_remote(p.endpoint) &&
                        seen.insert(p.endpoint).second;
    if (usable) {
      intake.candidates.push_back(p);
    } else {
      ++intake.ignored;
    }
  }
  return intake;
}

}  // namespace tessera
