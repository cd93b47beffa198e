#include "models/speed_history.hpp"

#include <unordered_set>

namespace tessera::gui {

void SpeedHistory::add(const SessionSnapshot& snapshot) {
  const auto taken = snapshot.taken_at == std::chrono::steady_clock::time_point{} ? std::chrono::steady_clock::now()
                                                                                  : snapshot.taken_at;
  if (!started_) {
    start_ = taken;
    started_ = true;
  }
  const double t = std::chrono::duration<double>(taken - start_).count();
  if (t - lastSampleAt_ < 0.95) return;  // snapshots come every 0.5 s by default; keep one a second
  lastSampleAt_ = t;
  now_ = t;
  push(session_, SpeedSample{t, snapshot.down_rate, snapshot.up_rate});
  std::unordered_set<TorrentId> present;
  for (const TorrentStatus& s : snapshot.torrents) {
    present.insert(s.id);
    push(torrents_[s.id], SpeedSample{t, s.down_rate, s.up_rate});
  }
  std::erase_if(torrents_, [&](const auto& entry) { return !present.contains(entry.first); });
}

const std::deque<SpeedSample>* SpeedHistory::torrent(TorrentId id) const {
  auto it = torrents_.find(id);
  return it == torrents_.end() ? nullptr : &it->second;
}

void SpeedHistory::push(std::deque<SpeedSample>& series, const SpeedSample& sample) const {
  series.push_back(sample);
  // Keep one sample beyond the window so the line reaches the left edge.
  while (series.size() > 2 && series[1].t < sample.t - kWindowSeconds) series.pop_front();
}

}  // namespace tessera::gui
