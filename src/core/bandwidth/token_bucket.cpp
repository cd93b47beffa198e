#include "bandwidth/token_bucket.hpp"

#include <algorithm>

#include "bandwidth/saturating.hpp"

namespace tessera {
namespace {
constexpr std::int64_t kNanosPerSecond = 1'000'000'000;

std::int64_t nanos_since_epoch(TokenBucket::Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
}  // namespace

void TokenBucket::set_rate(std::int64_t bytes_per_s, Clock::time_point now) {
  refill(now);
  rate_ = std::max<std::int64_t>(0, bytes_per_s);
  remainder_ = 0;
  // A new cap starts from a clean slate: no savings, and no debt run up under the old one.
  tokens_ = std::clamp<std::int64_t>(tokens_, 0, burst());
}

std::int64_t TokenBucket::burst() const {
  // rate × window / 1 s, split so that the product cannot overflow for any rate.
  constexpr std::int64_t window_ms = kBurstWindow.count();
  const std::int64_t share = rate_ / 1000 * window_ms + rate_ % 1000 * window_ms / 1000;
  return std::max(kMinBurst, share);
}

void TokenBucket::refill(Clock::time_point now) {
  if (!started_) {
    started_ = true;
    last_ = now;
    return;
  }
  if (now <= last_) return;
  // Longer gaps than a second cannot matter (savings are clamped to the burst). The gap between
  // two time points far apart does not fit in 64 bits, so it is taken saturated.
  const std::int64_t ns =
      std::min(saturating::sub(nanos_since_epoch(now), nanos_since_epoch(last_)), kNanosPerSecond);
  last_ = now;
  if (rate_ == 0) return;
  // rate × ns / 1e9 with the sub-byte remainder carried. rate × ns itself overflows past about
  // 9.2 GB/s, so the rate is split into whole bytes per nanosecond (× ns stays below 2^63 as
  // ns <= 1e9) and the rest (below 1e9, so × ns stays below 1e18).
  const std::int64_t per_ns = rate_ / kNanosPerSecond;
  const std::int64_t flow = rate_ % kNanosPerSecond * ns + remainder_;
  tokens_ = saturating::add(tokens_, saturating::add(per_ns * ns, flow / kNanosPerSecond));
  remainder_ = flow % kNanosPerSecond;
}

void TokenBucket::clamp_to_burst() { tokens_ = std::min(tokens_, burst()); }

void TokenBucket::spend(std::int64_t bytes) { tokens_ = saturating::sub(tokens_, bytes); }

void TokenBucket::give_back(std::int64_t bytes) { tokens_ = saturating::add(tokens_, bytes); }

}  // namespace tessera
