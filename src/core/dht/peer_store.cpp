#include "dht/peer_store.hpp"

namespace tessera::dht {

void PeerStore::announce(const NodeId& info_hash, const TcpEndpoint& peer, TimePoint now) {
  auto it = swarms_.find(info_hash);
  if (it == swarms_.end()) {
    if (swarms_.size() >= config_.max_info_hashes) {
      // The info-hash announced to least recently goes: its peers are the likeliest stale.
      const auto oldest = std::min_element(swarms_.begin(), swarms_.end(), [](const auto& a, const auto& b) {
        return a.second.last_announce < b.second.last_announce;
      });
      swarms_.erase(oldest);
    }
    it = swarms_.emplace(info_hash, Swarm{{}, now}).first;
  }
  Swarm& swarm = it->second;
  swarm.last_announce = now;
  for (Entry& e : swarm.peers) {
    if (e.peer == peer) {
      e.announced = now;
      return;
    }
  }
  if (swarm.peers.size() >= config_.max_peers_per_info_hash) {
    const auto oldest =
        std::min_element(swarm.peers.begin(), swarm.peers.end(),
                         [](const Entry& a, const Entry& b) { return a.announced < b.announced; });
    *oldest = Entry{peer, now};
    return;
  }
  swarm.peers.push_back(Entry{peer, now});
}

void PeerStore::expire(TimePoint now) {
  for (auto it = swarms_.begin(); it != swarms_.end();) {
    auto& peers = it->second.peers;
    std::erase_if(peers, [&](const Entry& e) { return expired(e, now); });
    it = peers.empty() ? swarms_.erase(it) : std::next(it);
  }
}

std::size_t PeerStore::peer_count() const {
  std::size_t n = 0;
  for (const auto& [hash, swarm] : swarms_) n += swarm.peers.size();
  return n;
}

std::size_t PeerStore::peer_count(const NodeId& info_hash) const {
  const auto it = swarms_.find(info_hash);
  return it == swarms_.end() ? 0 : it->second.peers.size();
}

}  // namespace tessera::dht
