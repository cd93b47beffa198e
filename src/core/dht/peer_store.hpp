// Peers announced to us (BEP 5 announce_peer), kept for the get_peers queries of others. Pure:
// time comes in as `now`, randomness from the caller's generator.
//
// Everything here is grown by remote parties, so everything is bounded: peers per info-hash
// (the oldest announcement gives way), info-hashes (the one announced to least recently gives
// way), and each announcement's life (30 minutes unless renewed, as peers re-announce every
// 15 to 30 minutes). A reply carries a random subset, so a full list still rotates among askers.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <iterator>
#include <map>
#include <random>
#include <vector>

#include "dht/krpc.hpp"
#include "dht/node_id.hpp"

namespace tessera::dht {

struct PeerStoreConfig {
  std::size_t max_info_hashes = 2000;
  std::size_t max_peers_per_info_hash = 100;
  std::size_t max_peers_per_reply = 50;  // ~50 * 8 bytes keeps a reply well inside one packet
  std::chrono::seconds peer_lifetime{30 * 60};
};

class PeerStore {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit PeerStore(PeerStoreConfig config = {}) : config_(config) {}

  // Stores (or renews) `peer` under `info_hash`.
  void announce(const NodeId& info_hash, const TcpEndpoint& peer, TimePoint now);

  // Up to max_peers_per_reply live peers of `info_hash`, a random subset when there are more.
  template <std::uniform_random_bit_generator Rng>
  std::vector<TcpEndpoint> peers(const NodeId& info_hash, TimePoint now, Rng& rng) const {
    std::vector<TcpEndpoint> live;
    const auto it = swarms_.find(info_hash);
    if (it == swarms_.end()) return live;
    for (const Entry& e : it->second.peers) {
      if (!expired(e, now)) live.push_back(e.peer);
    }
    if (live.size() <= config_.max_peers_per_reply) return live;
    std::vector<TcpEndpoint> chosen;
    chosen.reserve(config_.max_peers_per_reply);
    std::sample(live.begin(), live.end(), std::back_inserter(chosen), config_.max_peers_per_reply, rng);
    return chosen;
  }

  // Drops expired announcements and the info-hashes left without any.
  void expire(TimePoint now);

  std::size_t info_hash_count() const { return swarms_.size(); }
  std::size_t peer_count() const;
  std::size_t peer_count(const NodeId& info_hash) const;
  const PeerStoreConfig& config() const { return config_; }

 private:
  struct Entry {
    TcpEndpoint peer;
    TimePoint announced;
  };
  struct Swarm {
    std::vector<Entry> peers;
    TimePoint last_announce;
  };

  bool expired(const Entry& e, TimePoint now) const { return now - e.announced >= config_.peer_lifetime; }

  PeerStoreConfig config_;
  std::map<NodeId, Swarm> swarms_;
};

}  // namespace tessera::dht
