// A sliding-window rate: bytes counted into fixed slots of time, the rate is the sum over the
// last `window` slots divided by their span. Time is passed in, so tests drive it directly.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

namespace tessera {

class RateMeter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kSlots = 20;                                   // 20 x 250 ms = 5 s window
  static constexpr std::chrono::milliseconds kSlotLength{250};

  void add(std::int64_t bytes, Clock::time_point now);
  // Bytes per second over the window ending at `now` (the current, partial slot included,
  // weighted by how far into it we are, so a steady flow reads steady).
  std::int64_t rate(Clock::time_point now) const;
  std::int64_t total() const { return total_; }

 private:
  void advance(Clock::time_point now) const;
  mutable std::array<std::int64_t, kSlots> slots_{};
  mutable std::int64_t current_slot_ = -1;  // index of the slot holding `now`, in slot units since epoch
  std::int64_t total_ = 0;
};

}  // namespace tessera
