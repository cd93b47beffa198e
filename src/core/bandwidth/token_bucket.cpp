#include "bandwidth/token_bucket.hpp"

#include <algorithm>

namespace tessera {
namespace {
constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
}

void TokenBucket::set_rate(std::int64_t bytes_per_s, Clock::time_point now) {
  refill(now);
  rate_ = std::max<std::int64_t>(0, bytes_per_s);
  remainder_ = 0;
  // A new cap starts from a clean slate: no savings, and no debt run up under the old one.
  tokens_ = std::clamp<std::int64_t>(tokens_, 0, burst());
}

std::int64_t TokenBucket::burst() const {
  return std::max(kMinBurst, rate_ * kBurstWindow.count() / 1000);
}

void TokenBucket::refill(Clock::time_point now) {
  if (!started_) {
    started_ = true;
    last_ = now;
    return;
  }
  if (now <= last_) return;
  // Longer gaps than a second cannot matter (savings are clamped to the burst), and capping
  // them keeps rate × nanoseconds far from overflow.
  const std::int64_t ns = std::min<std::int64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now - last_).count(), kNanosPerSecond);
  last_ = now;
  if (rate_ == 0) return;
  const std::int64_t flow = rate_ * ns + remainder_;
  tokens_ += flow / kNanosPerSecond;
  remainder_ = flow % kNanosPerSecond;
}

void TokenBucket::clamp_to_burst() { tokens_ = std::min(tokens_, burst()); }

}  // namespace tessera
