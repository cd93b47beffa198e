#include "bandwidth/bandwidth_manager.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace tessera {

bool BandwidthPath::limited() const {
  return std::any_of(buckets.begin(), buckets.end(), [](const auto& b) { return b && b->limited(); });
}

void BandwidthPath::charge(std::int64_t bytes) const {
  for (const auto& b : buckets) {
    if (b && b->limited()) b->spend(bytes);
  }
}

void BandwidthPath::give_back(std::int64_t bytes) const {
  for (const auto& b : buckets) {
    if (b && b->limited()) b->give_back(bytes);
  }
}

std::int64_t BandwidthManager::request(RequestId id, const BandwidthPath& path, std::int64_t bytes,
                                       Callback on_grant, Clock::time_point now) {
  if (bytes <= 0) return 0;
  if (!path.limited()) return bytes;
  // Served at once only when nobody is ahead in any queue on the path: no jumping the line.
  std::int64_t available = bytes;
  for (const auto& b : path.buckets) {
    if (!b || !b->limited()) continue;
    b->refill(now);
    available = b->waiters > 0 ? 0 : std::min(available, b->tokens());
  }
  if (available > 0) {
    path.charge(available);
    for (const auto& b : path.buckets) {
      if (b && b->limited()) b->clamp_to_burst();
    }
    return available;
  }
  for (const auto& b : path.buckets) {
    if (b && b->limited()) ++b->waiters;
  }
  queue_.push_back(Pending{id, path, bytes, 0, std::move(on_grant)});
  return 0;
}

void BandwidthManager::unregister(const Pending& p) {
  for (const auto& b : p.path.buckets) {
    if (b && b->limited() && b->waiters > 0) --b->waiters;
  }
}

void BandwidthManager::cancel(RequestId id) {
  auto it = std::find_if(queue_.begin(), queue_.end(), [&](const Pending& p) { return p.id == id; });
  if (it == queue_.end()) return;
  unregister(*it);
  queue_.erase(it);
}

std::size_t BandwidthManager::update(Clock::time_point now) {
  if (queue_.empty()) return 0;
  // Waiter counts are rebuilt here: a cap lifted or set since the request queued changes which
  // buckets count.
  std::vector<TokenBucket*> buckets;
  for (Pending& p : queue_) {
    for (const auto& b : p.path.buckets) {
      if (b && b->limited() && std::find(buckets.begin(), buckets.end(), b.get()) == buckets.end()) {
        buckets.push_back(b.get());
      }
    }
  }
  for (Pending& p : queue_) {
    for (const auto& b : p.path.buckets) {
      if (b) b->waiters = 0;
    }
  }
  for (TokenBucket* b : buckets) b->refill(now);
  for (Pending& p : queue_) {
    for (const auto& b : p.path.buckets) {
      if (b && b->limited()) ++b->waiters;
    }
  }

  // Even shares per bucket; what a request cannot use (its path is narrower elsewhere, or it
  // wants less) goes round again. A few rounds settle it.
  constexpr int kRounds = 4;
  auto index_of = [&](const TokenBucket* b) {
    return static_cast<std::size_t>(std::find(buckets.begin(), buckets.end(), b) - buckets.begin());
  };
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::int64_t> share(buckets.size(), 0);
    std::vector<int> hungry(buckets.size(), 0);
    for (const Pending& p : queue_) {
      if (p.granted >= p.wanted) continue;
      for (const auto& b : p.path.buckets) {
        if (b && b->limited()) ++hungry[index_of(b.get())];
      }
    }
    for (std::size_t i = 0; i < buckets.size(); ++i) {
      share[i] = hungry[i] > 0 ? std::max<std::int64_t>(0, buckets[i]->tokens()) / hungry[i] : 0;
    }
    bool progress = false;
    for (Pending& p : queue_) {
      std::int64_t take = p.wanted - p.granted;
      if (take <= 0) continue;
      for (const auto& b : p.path.buckets) {
        if (!b || !b->limited()) continue;
        take = std::min(take, share[index_of(b.get())]);
      }
      if (take <= 0) continue;
      p.granted += take;
      p.path.charge(take);
      progress = true;
    }
    if (!progress) break;
  }
  for (TokenBucket* b : buckets) b->clamp_to_burst();

  // Hand out, then run callbacks last: they may queue new requests.
  std::vector<std::pair<Callback, std::int64_t>> done;
  std::vector<Pending> still;
  still.reserve(queue_.size());
  for (Pending& p : queue_) {
    if (p.granted > 0) {
      unregister(p);
      done.emplace_back(std::move(p.on_grant), p.granted);
    } else {
      still.push_back(std::move(p));
    }
  }
  queue_ = std::move(still);
  for (auto& [cb, n] : done) {
    if (cb) cb(n);
  }
  return done.size();
}

}  // namespace tessera
