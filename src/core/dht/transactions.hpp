// Our outstanding KRPC queries, by transaction id. A response is ours only if it carries the id
// of a query still pending and comes from the endpoint that query went to; anything else is
// dropped (a stray, a late answer, or somebody guessing). Queries unanswered for `timeout` are
// handed back as failures. Pure: time comes in as `now`, randomness from the caller.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "dht/krpc.hpp"
#include "dht/node_id.hpp"

namespace tessera::dht {

struct PendingQuery {
  UdpEndpoint endpoint;
  std::optional<NodeId> id;  // the id we expect to answer, when we know it (not for routers)
  Method method = Method::ping;
  std::uint64_t lookup = 0;  // the lookup it belongs to; 0 for pings and announces
  std::chrono::steady_clock::time_point sent_at{};
};

class Transactions {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr std::size_t kIdBytes = 2;  // as most clients: with the endpoint check, enough

  // At most half the id space may be taken, so a random draw finds a free id in ~2 tries.
  Transactions(std::size_t max_pending, std::chrono::milliseconds timeout)
      : max_pending_(std::min<std::size_t>(max_pending, 0x8000)), timeout_(timeout) {}

  bool full() const { return pending_.size() >= max_pending_; }
  std::size_t size() const { return pending_.size(); }
  bool pending_to(const UdpEndpoint& endpoint) const { return endpoints_.contains(endpoint); }

  // A fresh random transaction id for `query`, or nothing when max_pending are outstanding.
  template <std::uniform_random_bit_generator Rng>
  std::optional<std::string> open(const PendingQuery& query, Rng& rng) {
    if (full()) return std::nullopt;
    std::uniform_int_distribution<unsigned> value(0, 0xffff);
    for (;;) {
      const unsigned v = value(rng);
      std::string tid{static_cast<char>(v >> 8), static_cast<char>(v & 0xff)};
      if (pending_.contains(tid)) continue;
      pending_.emplace(tid, query);
      ++endpoints_[query.endpoint];
      return tid;
    }
  }

  // The query `tid` answered from `from`, now closed; nothing if there is no such query or it
  // went elsewhere (then it stays pending).
  std::optional<PendingQuery> close(std::string_view tid, const UdpEndpoint& from);

  // Queries older than the timeout, now closed.
  std::vector<PendingQuery> expire(TimePoint now);

 private:
  void forget(std::map<std::string, PendingQuery, std::less<>>::iterator it);

  std::size_t max_pending_;
  std::chrono::milliseconds timeout_;
  std::map<std::string, PendingQuery, std::less<>> pending_;
  std::map<UdpEndpoint, int> endpoints_;  // how many queries each endpoint owes us
};

}  // namespace tessera::dht
