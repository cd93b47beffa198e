// A token bucket: `rate` bytes per second flow in; spending takes them out. Time is passed in.
//
// It may go into debt: protocol messages are sent at once and charged afterwards, so payload
// waits until the debt is repaid and the long-run total still matches the rate. Refill is exact
// (the sub-byte remainder is carried), so over any stretch of continuous demand the bucket grants
// rate × time, give or take one byte. Any rate up to INT64_MAX and any time points are safe: the
// arithmetic saturates instead of overflowing.
#pragma once

#include <chrono>
#include <cstdint>

namespace tessera {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;
  // What an idle bucket may save up: well under a second, so a 1-second window shows the cap.
  static constexpr std::chrono::milliseconds kBurstWindow{50};
  static constexpr std::int64_t kMinBurst = 2048;

  // bytes/s; 0 = unlimited. Takes effect at once; savings above the new burst are dropped.
  void set_rate(std::int64_t bytes_per_s, Clock::time_point now);
  std::int64_t rate() const { return rate_; }
  bool limited() const { return rate_ > 0; }

  // Adds what flowed in since the last refill, unbounded: waiting demand takes it next.
  void refill(Clock::time_point now);
  // Drops savings above the burst (called once waiting demand has taken its share).
  void clamp_to_burst();
  std::int64_t tokens() const { return tokens_; }
  std::int64_t burst() const;
  // Both saturate at the ends of the 64-bit range rather than wrap.
  void spend(std::int64_t bytes);
  void give_back(std::int64_t bytes);

  // Bookkeeping for the manager: requests queued on this bucket.
  int waiters = 0;

 private:
  std::int64_t rate_ = 0;
  std::int64_t tokens_ = 0;
  std::int64_t remainder_ = 0;  // rate × nanoseconds not yet worth a whole byte (< 1e9)
  Clock::time_point last_{};
  bool started_ = false;
};

}  // namespace tessera
