// When Local Service Discovery may send what (BEP 14 asks for restraint on a shared network).
// Pure: time is passed in.
//
// Each torrent is announced at most once per per_torrent_interval (5 min), and the whole
// session sends at most one datagram per min_gap (1 s), one torrent per datagram (some clients
// read only the first Infohash line). Asking again for a torrent that is waiting or was
// announced lately costs nothing: it goes out once its interval is over, so the session may ask
// for all its torrents as often as it likes.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <tuple>

#include "hash/sha1.hpp"

namespace tessera::lsd {

struct ScheduleConfig {
  std::chrono::seconds per_torrent_interval{300};
  std::chrono::milliseconds min_gap{1000};
  std::size_t max_torrents = 10000;  // torrents waiting or remembered; more are refused
};

class AnnounceSchedule {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit AnnounceSchedule(ScheduleConfig config = {}) : config_(config) {}

  // Asks for these torrents to be announced as soon as their interval allows.
  void request(std::span<const Sha1Digest> info_hashes, TimePoint now);
  // A torrent that stopped or went: no longer announced.
  void forget(const Sha1Digest& info_hash);

  // The torrent to announce now, if any; it counts as sent.
  std::optional<Sha1Digest> next(TimePoint now);
  // When next() will have something; nullopt when nothing waits.
  std::optional<TimePoint> wake_at() const;

  std::size_t waiting() const { return queue_.size(); }

 private:
  struct Entry {
    std::optional<TimePoint> last_sent;
    std::optional<TimePoint> due;  // waiting: not before this time
  };
  void drop_stale(TimePoint now);

  ScheduleConfig config_;
  std::map<Sha1Digest, Entry> entries_;
  std::set<std::tuple<TimePoint, Sha1Digest>> queue_;  // (due, hash) of the waiting ones
  std::optional<TimePoint> last_datagram_;
};

}  // namespace tessera::lsd
