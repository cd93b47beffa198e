// One iterative Kademlia lookup (BEP 5): find_node for a target, or get_peers for an info-hash.
// Pure and clock-free: it says whom to query next and is told of answers and failures (the
// node owns the transactions and their timeouts).
//
// Candidates are kept sorted by XOR distance to the target. Only the k closest candidates that
// have not failed are queried, at most `parallel` at a time; the lookup ends when those k have
// all answered, when nothing is in flight and nothing queryable is left, or once `max_queries`
// were sent and the last answers are in. Answers add the nodes they name as new candidates.
//
// Hostile answers are bounded: at most `max_candidates` are held (the farthest unqueried go
// first), one per IP address, never our own id, and a node answering with an id other than the
// one it was named with counts as failed and adds nothing. Seeds of unknown id (bootstrap
// routers) are queried first and are never results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dht/krpc.hpp"
#include "dht/node_id.hpp"

namespace tessera::dht {

struct LookupConfig {
  std::size_t k = 8;
  std::size_t parallel = 4;       // queries in flight
  std::size_t max_queries = 100;  // in all, answered or not
  std::size_t max_candidates = 128;
};

class Lookup {
 public:
  enum class Status : std::uint8_t { fresh, in_flight, answered, failed };
  struct Contact {
    std::optional<NodeId> id;  // unknown for a seed
    UdpEndpoint endpoint;
    Status status = Status::fresh;
    std::optional<std::string> token;  // from a get_peers answer
  };

  Lookup(const NodeId& target, const NodeId& own_id, LookupConfig config = {});

  const NodeId& target() const { return target_; }

  void add_seed(const UdpEndpoint& endpoint);
  // False when refused: a duplicate id or address, our own id, an unusable endpoint, or farther
  // than every candidate of a full list.
  bool add_candidate(const CompactNode& node);

  // Contacts to query now (at most `budget`), marked in flight.
  std::vector<Contact> next_queries(std::size_t budget);
  void on_answer(const UdpEndpoint& from, const NodeId& id, std::span<const CompactNode> nodes,
                 const std::optional<std::string>& token);
  void on_failure(const UdpEndpoint& from);

  bool done() const;
  // Up to k answered candidates, nearest first.
  std::vector<Contact> closest_answered() const;

  std::size_t queries_sent() const { return queries_; }
  std::size_t answered() const { return answered_; }
  std::size_t in_flight() const { return in_flight_; }
  std::size_t candidate_count() const { return candidates_.size(); }

 private:
  Contact* in_flight_at(const UdpEndpoint& endpoint);
  Contact* next_fresh();

  NodeId target_;
  NodeId own_id_;
  LookupConfig config_;
  std::vector<Contact> seeds_;
  std::vector<Contact> candidates_;  // nearest first
  std::size_t in_flight_ = 0;
  std::size_t queries_ = 0;
  std::size_t answered_ = 0;
};

}  // namespace tessera::dht
