// Per-torrent announce scheduling over BEP 12 tiers, without I/O or a clock of its own: the
// caller passes `now`, sends the jobs due() returns through a TrackerClient, and reports each
// answer with on_result().
//
// Policy (see docs/architecture.md, "Trackers"):
// - Tiers are announced to in parallel, each through one tracker at a time. Strict BEP 12 would
//   use only the first tier that works, but torrents in the wild list one tracker per tier and
//   every major client announces to all of them; within a tier BEP 12 holds: trackers are
//   shuffled once, tried in order, and one that answers moves to the front.
// - A tracker's first announce carries `started`; afterwards it is re-announced every
//   `interval`. set_completed() makes every tier announce `completed` once, at once.
//   stop() sends `stopped` to every tracker that acknowledged (or may have received) `started`.
// - A failure (network or "failure reason") puts that tracker in backoff, 15 s doubling up to
//   30 min, and the tier moves straight on to its next tracker not in backoff; when all of a
//   tier's trackers are in backoff the tier waits for the earliest to end. Never a tight loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tessera/expected.hpp"
#include "tracker/announce.hpp"

namespace tessera::tracker {

using Clock = std::chrono::steady_clock;

struct TrackerStatus {
  std::string url;
  std::size_t tier = 0;
  enum class State : std::uint8_t { idle, announcing, working, error } state = State::idle;
  std::string message;  // failure reason / error of the last announce
  std::string warning;
  std::optional<std::int64_t> seeders, leechers;
  std::size_t peers_received = 0;  // over the torrent's life
  std::optional<Clock::time_point> last_announce, next_announce;
};

struct AnnounceJob {
  std::size_t tracker;  // index into status(): stable, in the order the tiers were given
  std::string url;
  Event event;
};

struct AnnouncerOptions {
  std::chrono::seconds first_retry{15};  // backoff after the first failure, doubled after each
  std::chrono::seconds max_retry{30 * 60};
  // Earliest re-announce for want_more_peers() when the tracker gave no `min interval`.
  std::chrono::seconds default_min_interval{120};
};

class Announcer {
 public:
  // Empty URLs and duplicates are dropped, then each tier is shuffled with `seed` (BEP 12).
  Announcer(std::vector<std::vector<std::string>> tiers, std::uint64_t seed, AnnouncerOptions options = {});

  // Jobs to send now; their trackers become `announcing` until on_result().
  std::vector<AnnounceJob> due(Clock::time_point now);
  void on_result(const AnnounceJob& job, const expected<AnnounceResult, std::string>& result,
                 Clock::time_point now);
  void set_completed();  // the next announce of every tier carries `completed`, and comes at once
  // `stopped` to every tracker that got `started`; afterwards due() returns nothing.
  std::vector<AnnounceJob> stop(Clock::time_point now);
  // Peer set is low: re-announce early, but not before each tracker's min interval has passed.
  void want_more_peers(Clock::time_point now);

  // When due() next has work (a time at or before now means at once); nullopt: nothing scheduled
  // (stopped, no trackers, or every tier waiting for an answer).
  std::optional<Clock::time_point> next_wakeup() const;
  std::vector<TrackerStatus> status() const;
  bool stopped() const { return stopped_; }

 private:
  struct Tracker {
    TrackerStatus status;
    bool started_sent = false;     // a `started` was sent and no `stopped` since
    int failures = 0;              // consecutive
    Clock::time_point retry_at{};  // backoff end
    std::chrono::seconds min_interval{0};
  };
  struct Tier {
    std::vector<std::size_t> order;  // tracker indices, BEP 12 order
    std::optional<std::size_t> in_flight;
    Clock::time_point next{};  // when this tier announces next (epoch: at once)
    bool completed_pending = false;
  };

  Event event_for(const Tier& tier, const Tracker& t) const;
  void schedule_after_failure(Tier& tier, Clock::time_point now);

  AnnouncerOptions options_;
  std::vector<Tracker> trackers_;
  std::vector<Tier> tiers_;
  bool stopped_ = false;
};

}  // namespace tessera::tracker
