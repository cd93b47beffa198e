// Rates over the last few minutes, for the Speed tab's graph: the session's and every torrent's
// (so switching torrents shows history at once). One sample per second at most.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <unordered_map>

#include <tessera/status.hpp>

namespace tessera::gui {

struct SpeedSample {
  double t = 0;  // seconds since the history began
  std::int64_t down = 0, up = 0;
};

class SpeedHistory {
 public:
  static constexpr double kWindowSeconds = 300;

  void add(const SessionSnapshot& snapshot);
  const std::deque<SpeedSample>& session() const { return session_; }
  const std::deque<SpeedSample>* torrent(TorrentId id) const;
  double now() const { return now_; }

 private:
  void push(std::deque<SpeedSample>& series, const SpeedSample& sample) const;

  std::chrono::steady_clock::time_point start_{};
  bool started_ = false;
  double now_ = 0;
  double lastSampleAt_ = -1e9;
  std::deque<SpeedSample> session_;
  std::unordered_map<TorrentId, std::deque<SpeedSample>> torrents_;
};

}  // namespace tessera::gui
