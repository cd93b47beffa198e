// Hands out bandwidth for one direction (upload or download) to the connections that wait for
// it. Each connection reaches the wire through a path of buckets (its own, its torrent's, the
// session's); it may move only what every limited bucket on the path grants.
//
// A request asks for up to N bytes. If nobody waits on its buckets and they hold tokens, it is
// granted at once; otherwise it queues, and update() (the session calls it every few
// milliseconds while anyone waits) refills the buckets and shares them out: each bucket's tokens
// are split evenly among the requests waiting on it, a request takes the smallest share along
// its path, and leftovers go round again. Every waiting request thus gets its turn each update,
// and none can take everything while others starve. Pure: time is passed in, no I/O.
// Safe for any cap up to INT64_MAX: a grant never exceeds what its request wants or what a
// bucket holds, and the buckets' own arithmetic saturates.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "bandwidth/token_bucket.hpp"

namespace tessera {

// The buckets between one connection and the wire, narrowest first; empty slots are skipped.
struct BandwidthPath {
  std::array<std::shared_ptr<TokenBucket>, 3> buckets;
  bool limited() const;
  // Protocol messages go out at once and are paid for afterwards (the buckets may go into debt).
  void charge(std::int64_t bytes) const;
  void give_back(std::int64_t bytes) const;  // an unused part of a grant
};

class BandwidthManager {
 public:
  using Clock = std::chrono::steady_clock;
  using RequestId = std::uint64_t;
  using Callback = std::function<void(std::int64_t granted)>;

  // Up to `bytes` through `path`. Returns the bytes granted at once, or 0 when queued, in which
  // case `on_grant` runs later from update() with a positive amount (or never, if cancelled).
  std::int64_t request(RequestId id, const BandwidthPath& path, std::int64_t bytes, Callback on_grant,
                       Clock::time_point now);
  void cancel(RequestId id);
  // Refills and shares out; runs the callbacks of the requests that got quota. Returns how many.
  std::size_t update(Clock::time_point now);
  bool waiting() const { return !queue_.empty(); }
  std::size_t queued() const { return queue_.size(); }

 private:
  struct Pending {
    RequestId id;
    BandwidthPath path;
    std::int64_t wanted;
    std::int64_t granted = 0;
    Callback on_grant;
  };
  void unregister(const Pending& p);
  std::vector<Pending> queue_;  // oldest first
};

}  // namespace tessera
