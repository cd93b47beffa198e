// The Kademlia routing table of BEP 5: who we know in the DHT, kept in buckets of k = 8 nodes
// by their distance from our own id. Pure: time comes in as `now`, randomness from the caller's
// generator, and the table never sends anything — it tells the caller whom to ping.
//
// Layout: bucket i (before the last) holds ids sharing exactly i leading bits with ours; the
// last bucket holds everything closer, our own id included. Only that last bucket splits when
// full, so the table is detailed near our id and coarse far from it (at most 160 buckets).
//
// Node states (BEP 5): good — answered one of our queries within 15 minutes, or answered once
// and queried us within 15 minutes, and has not ignored a query since; questionable — anything
// else short of bad; bad — left `max_failures` queries in a row unanswered.
//
// Who gets in:
// - Only a node that answered us (on_response) enters a bucket: a query's source address can be
//   forged, an answer to our transaction id cannot. A stranger that only queried us (on_query)
//   is named back for a ping, and enters when it answers.
// - A full bucket takes a newcomer in place of a bad node. Otherwise the newcomer waits in the
//   bucket's replacement cache (bounded; the stalest entry goes first) and the table names the
//   least recently seen questionable node to ping: if that ping times out, the freshest cached
//   node takes its place; if it answers, it is good again and the next newcomer names the next.
//   Any bucket node that leaves a query unanswered is replaced the same way when a node is
//   cached; with none cached it stays, and is handed out no more once bad.
// - One node per IP address (as libtorrent does), across buckets and caches: a second node id
//   behind one address is refused, and an id that turns up at another address is not moved.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <vector>

#include "dht/krpc.hpp"
#include "dht/node_id.hpp"

namespace tessera::dht {

using TimePoint = std::chrono::steady_clock::time_point;

struct RoutingTableConfig {
  std::size_t bucket_size = 8;                  // k
  std::size_t replacement_cache_size = 8;       // per bucket
  int max_failures = 3;                         // unanswered queries in a row: bad
  std::chrono::seconds good_for{15 * 60};       // silence after which a node is questionable
  std::chrono::seconds refresh_after{15 * 60};  // an unchanged bucket needs a lookup
  std::chrono::seconds ping_pending_for{60};    // a named ping is not named again before this
};

enum class NodeState : std::uint8_t { good, questionable, bad };

struct NodeEntry {
  NodeId id;
  UdpEndpoint endpoint;
  TimePoint last_response{};            // last answer to one of our queries
  TimePoint last_query{};               // last query it sent us
  int failed_queries = 0;               // unanswered in a row since its last answer
  std::optional<TimePoint> ping_named;  // when the table last asked the caller to ping it

  TimePoint last_seen() const { return last_response > last_query ? last_response : last_query; }
};

NodeState node_state(const NodeEntry& node, TimePoint now, const RoutingTableConfig& config);

class RoutingTable {
 public:
  enum class Outcome : std::uint8_t {
    added,             // now in a bucket
    updated,           // already known: its times were refreshed
    cached,            // its bucket is full: it waits in the replacement cache
    verify_first,      // a stranger that only queried us: ping it; it enters when it answers
    ignored_self,      // our own id
    ignored_address,   // another node already holds this IP address
    ignored_id_moved,  // this id is known at another address
    ignored_full,      // a stranger whose bucket is full of good nodes
  };
  struct Update {
    Outcome outcome;
    // A node the caller should ping now: the questionable node a newcomer waits on, or the
    // stranger to verify. The table remembers it named it and does not name it again soon.
    std::optional<CompactNode> ping;
  };
  struct RefreshTarget {
    std::size_t bucket;
    NodeId target;  // a random id inside the bucket's range, for a find_node lookup
  };
  struct Counts {
    std::size_t good = 0, questionable = 0, bad = 0, cached = 0, buckets = 0;
  };

  RoutingTable(const NodeId& own_id, TimePoint now, RoutingTableConfig config = {});

  const NodeId& own_id() const { return own_id_; }
  const RoutingTableConfig& config() const { return config_; }

  // The node answered one of our queries from this endpoint.
  Update on_response(const NodeId& id, const UdpEndpoint& endpoint, TimePoint now);
  // The node sent us a query (the caller skips read-only nodes, BEP 43).
  Update on_query(const NodeId& id, const UdpEndpoint& endpoint, TimePoint now);
  // A query we sent to this node went unanswered. Returns the node that took its place, if any.
  std::optional<CompactNode> on_timeout(const NodeId& id, const UdpEndpoint& endpoint, TimePoint now);

  // Up to `count` nodes of the buckets closest to `target` by XOR distance, nearest first; bad
  // nodes are left out.
  std::vector<CompactNode> closest(const NodeId& target, std::size_t count, TimePoint now) const;

  // Buckets unchanged for `refresh_after`, each with a random target in its range. A bucket
  // named here counts as changed now, so it is named again only after another quiet period.
  template <std::uniform_random_bit_generator Rng>
  std::vector<RefreshTarget> refresh_due(TimePoint now, Rng& rng) {
    std::vector<RefreshTarget> due;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
      if (now - buckets_[i].last_changed < config_.refresh_after) continue;
      buckets_[i].last_changed = now;
      due.push_back({i, random_id_with_prefix(range_prefix(i), range_bits(i), rng)});
    }
    return due;
  }

  // Every bucket but the last, each with a random target: once a node has joined (a lookup of
  // its own id fills the last bucket), these lookups give it contacts in every range farther
  // out (Kademlia's join). Each bucket counts as changed now.
  template <std::uniform_random_bit_generator Rng>
  std::vector<RefreshTarget> refresh_all(TimePoint now, Rng& rng) {
    std::vector<RefreshTarget> targets;
    for (std::size_t i = 0; i + 1 < buckets_.size(); ++i) {
      buckets_[i].last_changed = now;
      targets.push_back({i, random_id_with_prefix(range_prefix(i), range_bits(i), rng)});
    }
    return targets;
  }

  std::optional<NodeEntry> find(const NodeId& id) const;  // in a bucket or a cache
  std::vector<NodeEntry> nodes() const;                   // every bucket's nodes (not the caches)
  std::size_t bucket_count() const { return buckets_.size(); }
  std::size_t bucket_index(const NodeId& id) const;
  std::size_t bucket_size(std::size_t bucket) const { return buckets_.at(bucket).live.size(); }
  std::size_t cache_size(std::size_t bucket) const { return buckets_.at(bucket).cache.size(); }
  TimePoint last_changed(std::size_t bucket) const { return buckets_.at(bucket).last_changed; }
  Counts counts(TimePoint now) const;

 private:
  struct Bucket {
    std::vector<NodeEntry> live;
    std::vector<NodeEntry> cache;
    TimePoint last_changed;
  };
  // Where a known node sits.
  struct Slot {
    std::size_t bucket;
    bool cached;
    std::size_t index;
  };

  std::optional<Slot> locate(const NodeId& id) const;
  NodeEntry& at(const Slot& s) {
    return (s.cached ? buckets_[s.bucket].cache : buckets_[s.bucket].live)[s.index];
  }
  void erase(const Slot& s);
  Update insert_verified(NodeEntry entry, TimePoint now);
  void add_to_cache(Bucket& bucket, NodeEntry entry);
  bool promote_from_cache(Bucket& bucket, TimePoint now);  // the freshest cached node
  bool split_helps(std::size_t bucket, const NodeId& newcomer) const;
  void split_last(TimePoint now);
  std::optional<CompactNode> name_ping(Bucket& bucket, TimePoint now);
  bool address_taken(const UdpEndpoint& endpoint) const;
  NodeId range_prefix(std::size_t bucket) const;
  int range_bits(std::size_t bucket) const;

  NodeId own_id_;
  RoutingTableConfig config_;
  std::vector<Bucket> buckets_;
  std::map<boost::asio::ip::address, NodeId> addresses_;  // one node per IP (bucket or cache)
};

}  // namespace tessera::dht
