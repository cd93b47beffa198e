#include "lsd/announce_schedule.hpp"

#include <algorithm>

namespace tessera::lsd {

void AnnounceSchedule::request(std::span<const Sha1Digest> info_hashes, TimePoint now) {
  for (const Sha1Digest& h : info_hashes) {
    auto it = entries_.find(h);
    if (it == entries_.end()) {
      if (entries_.size() >= config_.max_torrents) drop_stale(now);
      if (entries_.size() >= config_.max_torrents) continue;
      it = entries_.emplace(h, Entry{}).first;
    }
    Entry& e = it->second;
    if (e.due) continue;  // already waiting
    e.due = e.last_sent ? std::max(now, *e.last_sent + config_.per_torrent_interval) : now;
    queue_.emplace(*e.due, h);
  }
}

void AnnounceSchedule::forget(const Sha1Digest& info_hash) {
  const auto it = entries_.find(info_hash);
  if (it == entries_.end()) return;
  if (it->second.due) queue_.erase({*it->second.due, info_hash});
  entries_.erase(it);
}

std::optional<Sha1Digest> AnnounceSchedule::next(TimePoint now) {
  if (queue_.empty()) return std::nullopt;
  if (last_datagram_ && now < *last_datagram_ + config_.min_gap) return std::nullopt;
  const auto [due, hash] = *queue_.begin();
  if (due > now) return std::nullopt;
  queue_.erase(queue_.begin());
  Entry& e = entries_[hash];
  e.due.reset();
  e.last_sent = now;
  last_datagram_ = now;
  return hash;
}

std::optional<AnnounceSchedule::TimePoint> AnnounceSchedule::wake_at() const {
  if (queue_.empty()) return std::nullopt;
  TimePoint t = std::get<0>(*queue_.begin());
  if (last_datagram_) t = std::max(t, *last_datagram_ + config_.min_gap);
  return t;
}

// Torrents announced longer ago than their interval and not waiting hold nothing worth keeping.
void AnnounceSchedule::drop_stale(TimePoint now) {
  std::erase_if(entries_, [&](const auto& kv) {
    const Entry& e = kv.second;
    return !e.due && (!e.last_sent || *e.last_sent + config_.per_torrent_interval <= now);
  });
}

}  // namespace tessera::lsd
