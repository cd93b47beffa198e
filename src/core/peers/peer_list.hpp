// The peers one torrent knows: candidates to dial (from trackers, incoming connections, the user;
// DHT and PEX next), who is connected, who failed and when to try again, who is banned, and why
// each departed peer left. Pure: no sockets, time is passed in.
//
// Everything others can grow is bounded: the list holds at most max_size entries (a full list
// makes room by forgetting a peer that failed, or refuses the newcomer), at most
// max_ports_per_address entries share one IP address, and the departed log keeps the latest few.
// Adding and dialling cost O(log n), so a tracker answering with 300 000 peers costs little.
//
// Policy, after the most trusted engines: one connection per IP address by default (a peer
// cannot take every slot by connecting many times); a peer that failed max_failures times in a
// row is forgotten until someone lists it again (one the user gave is only tried less often); a protocol violator waits long before we dial it
// again (15 min, doubling with each violation from its address; incoming connections from it
// are still taken: others may share the address); a peer pruned for a better one waits 5 min.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tessera/status.hpp"

namespace tessera {

struct PeerListConfig {
  std::size_t max_size = 4000;
  int max_per_address = 1;                     // connections (either direction) per IP address
  int max_failures = 3;                        // failed attempts in a row before it is forgotten
  std::size_t max_ports_per_address = 8;       // entries sharing one IP address
  std::size_t max_departed = 50;               // departed peers remembered for the snapshot
  std::chrono::seconds retry_base{5};          // after a failure: 5 s, 10 s, 20 s, ...
  std::chrono::seconds retry_after_close{5};   // a peer that closed a useful connection
  std::chrono::seconds retry_after_prune{300};
  std::chrono::seconds retry_after_violation{900};
  std::chrono::seconds retry_after_not_useful{1800};
  std::size_t max_banned = 4096;               // oldest bans are lifted past this
};

// What a connection was like, for the policy and the departed log.
struct Departure {
  DepartureReason reason = DepartureReason::closed_by_peer;
  std::string detail;
  std::string client;
  std::int64_t downloaded = 0, uploaded = 0;  // payload bytes on that connection
};

class PeerList {
 public:
  using Endpoint = boost::asio::ip::tcp::endpoint;
  using Address = boost::asio::ip::address;
  using TimePoint = std::chrono::steady_clock::time_point;

  enum class AddResult : std::uint8_t { added, known, invalid, self, banned, full };
  enum class Admit : std::uint8_t { ok, banned, address_busy };

  explicit PeerList(PeerListConfig config = {});
  void set_config(const PeerListConfig& config) { config_ = config; }
  const PeerListConfig& config() const { return config_; }
  // Our own listen endpoint: never a candidate. With an unspecified address, any address with
  // our port on this machine's loopback is taken for us too.
  void set_self(const Endpoint& listen) { self_ = listen; }

  // A peer someone told us about. Filtered: port 0, unspecified, multicast and broadcast
  // addresses, ourselves, banned addresses. A known peer keeps its backoff.
  AddResult add(const Endpoint& ep, PeerSource source, TimePoint now);

  // The next candidate to dial, marked as connecting: ready (backoff over), not connected, its
  // address not at its connection limit; peers the user gave first, then fewest failures, then
  // first come first served.
  std::optional<Endpoint> next_to_dial(TimePoint now);
  // The attempt failed before the handshake completed: back off, or forget it after too many.
  void dial_failed(const Endpoint& ep, TimePoint now);

  // A connection whose handshake completed (outgoing: a dialled endpoint; incoming: its remote
  // endpoint). On ok it is counted against its address until departed() is called.
  Admit admit(const Endpoint& ep, bool incoming, TimePoint now);
  // A connection admitted earlier has ended: record why, and decide when to dial it again.
  void departed(const Endpoint& ep, const Departure& why, TimePoint now);
  // The handshake showed this endpoint is ourselves (say, our external address): never again.
  void is_us(const Endpoint& ep);
  // An incoming peer's listening port (from its extension handshake): dialable there later.
  void learned_listen_port(const Endpoint& remote, std::uint16_t port, TimePoint now);

  void ban(const Address& address);  // forgets its entries; refused from now on
  bool banned(const Address& address) const { return banned_.contains(address); }

  PeerSource source_of(const Endpoint& ep) const;
  std::size_t size() const { return entries_.size(); }
  std::size_t connected() const { return connected_count_; }
  std::size_t connecting() const { return connecting_count_; }
  std::array<int, kPeerSourceCount> count_by_source() const { return by_source_; }
  // Outgoing attempts that failed since the last one that succeeded.
  int failures_in_a_row() const { return failures_in_a_row_; }
  // Candidates that could be dialled now or after their backoff (not connected, not connecting).
  std::size_t waiting_candidates() const { return ready_.size() + backing_off_.size(); }
  // Every peer we could dial (incoming peers' ephemeral ports left out), with its source: for
  // the torrent that follows a magnet link's metadata fetch.
  std::vector<std::pair<Endpoint, PeerSource>> dialable() const;
  // The latest departures, newest first, with how long ago each left.
  std::vector<DepartedPeer> departed_peers(TimePoint now) const;

  static bool valid_peer_address(const Endpoint& ep);
  static std::string endpoint_text(const Endpoint& ep);  // "10.0.0.1:6881", "[::1]:6881"

 private:
  enum class State : std::uint8_t { idle, connecting, connected };
  struct Entry {
    PeerSource source = PeerSource::tracker;
    State state = State::idle;
    bool dialable = true;  // false: an incoming peer's ephemeral port
    int failures = 0;
    int violations = 0;
    std::uint64_t seq = 0;  // arrival order
    TimePoint not_before{};
  };
  // Dial order: by source (peers the user gave first), then fewest failures, then arrival order.
  using ReadyKey = std::tuple<int, int, std::uint64_t, Endpoint>;
  static int rank(PeerSource s);
  static ReadyKey ready_key(const Endpoint& ep, const Entry& e) { return {rank(e.source), e.failures, e.seq, ep}; }
  // After its n-th failure in a row; peers the user gave are never forgotten for failing.
  std::chrono::seconds retry_after_failure(const Entry& e) const;
  bool forget_after_failure(const Entry& e) const;
  using WaitKey = std::tuple<TimePoint, std::uint64_t, Endpoint>;
  struct AddressInfo {
    int connections = 0;
    std::size_t entries = 0;
  };

  bool is_self(const Endpoint& ep) const;
  void queue(const Endpoint& ep, Entry& e, TimePoint now);  // into ready_ or backing_off_
  void unqueue(const Endpoint& ep, const Entry& e);
  void erase(std::map<Endpoint, Entry>::iterator it);
  bool make_room();
  void remember(const Endpoint& ep, PeerSource source, const Departure& why, TimePoint now);

  PeerListConfig config_;
  std::optional<Endpoint> self_;
  std::map<Endpoint, Entry> entries_;
  std::set<ReadyKey> ready_;
  std::set<WaitKey> backing_off_;
  std::map<Address, AddressInfo> addresses_;
  std::set<Address> banned_;
  std::deque<Address> ban_order_;
  std::map<Address, int> strikes_;  // protocol violations per address (bounded like the bans)
  std::set<Endpoint> self_aliases_;
  std::array<int, kPeerSourceCount> by_source_{};
  std::uint64_t next_seq_ = 1;
  std::size_t connected_count_ = 0;
  std::size_t connecting_count_ = 0;
  int failures_in_a_row_ = 0;
  struct Gone {
    DepartedPeer peer;
    TimePoint at;
  };
  std::deque<Gone> departed_;
};

}  // namespace tessera
