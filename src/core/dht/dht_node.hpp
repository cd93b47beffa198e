// A DHT node (BEP 5) as a sans-I/O state machine: datagrams, ticks and commands go in with the
// time; datagrams to send and events come out through queues the glue drains. It owns the pure
// parts — routing table, announce tokens, peer store, query limiter, transactions, lookups —
// and is the only one that calls across them. Randomness (a seed), the token secrets and the
// time are injected, so a network of nodes can run in one test, deterministically.
//
// What it does:
// - Answers ping, find_node, get_peers (a token, up to 8 nodes, and up to 50 stored peers) and
//   announce_peer (token checked, implied_port honoured); a query that fails to decode gets
//   error 203, an unknown method 204, a bad token 203. Queries over the per-address or global
//   rate limit are dropped unanswered.
// - Tracks its own queries by transaction id (5 s timeout; an answer from another endpoint is
//   not an answer) and feeds answers and timeouts to the routing table. Answers of bootstrap
//   routers feed lookups only: like libtorrent, routers are not table entries.
// - Runs iterative lookups: find_node to bootstrap and refresh buckets, get_peers for torrents;
//   announce_peer goes to the k closest answering nodes that gave a token. Peers are reported
//   as they arrive, each once per lookup, those stored here included. At most max_active_lookups run; more
//   wait in a queue, and torrent lookups wait until the node is ready.
// - Pings the nodes the table names (strangers to verify, questionable nodes in a full bucket).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "dht/krpc.hpp"
#include "dht/lookup.hpp"
#include "dht/node_id.hpp"
#include "dht/peer_store.hpp"
#include "dht/query_limiter.hpp"
#include "dht/routing_table.hpp"
#include "dht/tokens.hpp"
#include "dht/transactions.hpp"

namespace tessera::dht {

struct DhtNodeConfig {
  RoutingTableConfig table;
  LookupConfig lookup;
  PeerStoreConfig storage;
  QueryLimiterConfig limits;
  std::chrono::milliseconds query_timeout{5000};
  std::size_t max_pending_queries = 512;
  std::size_t max_active_lookups = 16;      // bootstrap, refreshes and torrents together
  std::size_t max_queued_lookups = 1024;    // torrent lookups waiting their turn
  std::size_t max_peers_per_lookup = 1000;  // reported (and remembered to deduplicate) per lookup
  std::size_t max_outgoing = 4096;          // datagrams waiting for the glue
  std::size_t max_routers = 16;
  std::size_t max_known_nodes = 256;         // saved nodes taken at bootstrap
  std::chrono::seconds bootstrap_retry{10};  // after a bootstrap that found nobody; doubles
  std::chrono::seconds bootstrap_retry_max{300};
  std::chrono::seconds storage_sweep{60};  // how often expired peers are dropped
};

enum class DhtState : std::uint8_t {
  off,            // bootstrap() not called yet (queries are answered all the same)
  bootstrapping,  // the first lookup runs, or the table is empty and a retry is due
  ready,          // the table holds nodes: torrent lookups run
};
std::string_view dht_state_name(DhtState state) noexcept;

struct DhtStatus {
  DhtState state = DhtState::off;
  std::size_t nodes = 0;  // good and questionable nodes in the table
  std::size_t good_nodes = 0;
  std::size_t cached_nodes = 0;  // waiting in replacement caches
  std::size_t lookups = 0;
  std::size_t queued_lookups = 0;
  std::size_t pending_queries = 0;
  std::size_t stored_info_hashes = 0;
  std::size_t stored_peers = 0;
  std::uint64_t queries_answered = 0;
  std::uint64_t queries_dropped = 0;  // over a rate limit
  std::uint64_t bad_datagrams = 0;    // undecodable, or answers to nothing we asked
};

class DhtNode {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using LookupId = std::uint64_t;

  struct Datagram {
    UdpEndpoint to;
    std::string bytes;
  };
  // New peers of a lookup's info-hash (each reported once per lookup).
  struct PeersFound {
    LookupId lookup;
    NodeId info_hash;
    std::vector<TcpEndpoint> peers;
  };
  struct LookupDone {
    LookupId lookup;
    NodeId info_hash;
    std::size_t nodes_answered = 0;
    std::size_t announced_to = 0;  // announce_peer queries sent
    std::size_t peers_found = 0;
    bool dropped = false;  // never ran: the queue was full
  };
  using Event = std::variant<PeersFound, LookupDone>;

  DhtNode(const NodeId& own_id, TimePoint now, std::uint64_t seed, AnnounceTokens::SecretSource secrets,
          DhtNodeConfig config = {});

  const NodeId& id() const { return id_; }

  void on_datagram(const UdpEndpoint& from, std::string_view bytes, TimePoint now);
  // Timeouts, lookups waiting for room, bucket refreshes, bootstrap retries, storage expiry.
  // The glue calls it about once a second.
  void tick(TimePoint now);

  // Joins the DHT through `routers` (queried, never table entries) and `known` nodes (saved
  // from a previous run; they enter the table when they answer).
  void bootstrap(std::span<const UdpEndpoint> routers, std::span<const CompactNode> known, TimePoint now);
  // More routers, known later (say, once their names resolved): used now unless the table is
  // already up, and by later bootstraps.
  void add_routers(std::span<const UdpEndpoint> routers, TimePoint now);
  LookupId get_peers(const NodeId& info_hash, TimePoint now);
  // A get_peers lookup that ends with announce_peer to the closest nodes; `implied_port` asks
  // them to take the port our datagrams come from instead of `port`.
  LookupId announce(const NodeId& info_hash, std::uint16_t port, bool implied_port, TimePoint now);

  std::vector<Datagram> take_datagrams() { return std::exchange(out_, {}); }
  std::vector<Event> take_events() { return std::exchange(events_, {}); }

  DhtStatus status(TimePoint now) const;
  // The table's non-bad nodes, good ones first, at most `max`: what to save for the next start.
  std::vector<CompactNode> nodes_to_save(TimePoint now, std::size_t max = 256) const;

  const RoutingTable& table() const { return table_; }
  const PeerStore& peer_store() const { return store_; }

 private:
  enum class Kind : std::uint8_t { bootstrap, refresh, get_peers, announce };
  struct ActiveLookup {
    Kind kind;
    Lookup lookup;
    std::uint16_t port = 0;
    bool implied_port = false;
    std::set<TcpEndpoint> peers;
  };
  struct QueuedLookup {
    LookupId id;
    NodeId info_hash;
    bool announce;
    std::uint16_t port;
    bool implied_port;
  };

  void handle_query(const UdpEndpoint& from, const Message& message, const Query& query, TimePoint now);
  void handle_response(const UdpEndpoint& from, const Message& message, const Response& response,
                       TimePoint now);
  void handle_error(const UdpEndpoint& from, const Message& message, TimePoint now);
  void reply(const UdpEndpoint& to, const std::string& transaction_id,
             std::variant<Query, Response, ErrorReply> body);
  bool send_query(const UdpEndpoint& to, const std::optional<NodeId>& id, Query query, LookupId lookup,
                  TimePoint now);
  void ping(const CompactNode& node, TimePoint now);
  std::vector<CompactNode> closest_v4(const NodeId& target, TimePoint now) const;
  bool is_router(const UdpEndpoint& endpoint) const;

  LookupId queue_lookup(const NodeId& info_hash, bool announce, std::uint16_t port, bool implied_port,
                        TimePoint now);
  void start_lookup(LookupId id, Kind kind, const NodeId& target, TimePoint now, std::uint16_t port = 0,
                    bool implied_port = false);
  void start_bootstrap(TimePoint now);
  void start_queued(TimePoint now);
  void drive(LookupId id, TimePoint now);
  void finish(std::map<LookupId, ActiveLookup>::iterator it, TimePoint now);
  void report_peers(LookupId id, ActiveLookup& active, const std::vector<TcpEndpoint>& values);
  std::size_t table_nodes(TimePoint now) const;

  NodeId id_;
  DhtNodeConfig config_;
  std::mt19937_64 rng_;
  RoutingTable table_;
  AnnounceTokens tokens_;
  PeerStore store_;
  QueryLimiter limiter_;
  Transactions transactions_;

  DhtState state_ = DhtState::off;
  std::vector<UdpEndpoint> routers_;
  std::vector<CompactNode> known_;
  std::optional<LookupId> bootstrap_lookup_;
  std::optional<TimePoint> bootstrap_retry_at_;
  std::chrono::seconds retry_delay_;
  TimePoint last_sweep_;

  std::map<LookupId, ActiveLookup> lookups_;
  std::deque<QueuedLookup> queued_;
  LookupId next_lookup_ = 1;

  std::vector<Datagram> out_;
  std::vector<Event> events_;
  std::uint64_t queries_answered_ = 0;
  std::uint64_t queries_dropped_ = 0;
  std::uint64_t bad_datagrams_ = 0;
};

}  // namespace tessera::dht
