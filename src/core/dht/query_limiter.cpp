#include "dht/query_limiter.hpp"

#include <algorithm>

namespace tessera::dht {

QueryLimiter::QueryLimiter(QueryLimiterConfig config)
    : config_(config), global_{config.global_burst, TimePoint{}} {}

void QueryLimiter::refill(Bucket& b, double rate, double burst, TimePoint now) {
  if (now <= b.refilled) return;
  const double seconds = std::chrono::duration<double>(now - b.refilled).count();
  b.tokens = std::min(burst, b.tokens + seconds * rate);
  b.refilled = now;
}

bool QueryLimiter::allow(const boost::asio::ip::address& source, TimePoint now) {
  auto it = buckets_.find(source);
  if (it == buckets_.end()) {
    if (buckets_.size() >= config_.max_addresses) {
      buckets_.erase(recent_.back());
      recent_.pop_back();
    }
    recent_.push_front(source);
    it = buckets_.emplace(source, Slot{Bucket{config_.per_address_burst, now}, recent_.begin()}).first;
  } else {
    recent_.splice(recent_.begin(), recent_, it->second.position);
  }
  Bucket& mine = it->second.bucket;
  refill(mine, config_.per_address_rate, config_.per_address_burst, now);
  refill(global_, config_.global_rate, config_.global_burst, now);
  // Charged to the address even when the global bucket refuses: a flooder stays throttled.
  if (mine.tokens < 1) return false;
  mine.tokens -= 1;
  if (global_.tokens < 1) return false;
  global_.tokens -= 1;
  return true;
}

}  // namespace tessera::dht
