#include "bandwidth/rate_meter.hpp"

namespace tessera {
namespace {
std::int64_t slot_of(RateMeter::Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() /
         RateMeter::kSlotLength.count();
}
std::size_t ring(std::int64_t slot) { return static_cast<std::size_t>(slot % RateMeter::kSlots); }
}  // namespace

void RateMeter::advance(Clock::time_point now) const {
  const std::int64_t slot = slot_of(now);
  if (current_slot_ < 0) {
    current_slot_ = slot;
    return;
  }
  if (slot <= current_slot_) return;
  if (slot - current_slot_ >= kSlots) {
    slots_.fill(0);
  } else {
    for (std::int64_t s = current_slot_ + 1; s <= slot; ++s) slots_[ring(s)] = 0;
  }
  current_slot_ = slot;
}

void RateMeter::add(std::int64_t bytes, Clock::time_point now) {
  advance(now);
  slots_[ring(current_slot_)] += bytes;
  total_ += bytes;
}

std::int64_t RateMeter::rate(Clock::time_point now) const {
  advance(now);
  if (current_slot_ < 0) return 0;
  const auto into_slot = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
                         kSlotLength.count();
  // The oldest slot is only partly inside the window: weight it by the part that still counts.
  const std::int64_t oldest = slots_[ring(current_slot_ + 1)];
  std::int64_t sum = 0;
  for (const std::int64_t s : slots_) sum += s;
  sum -= oldest;
  const auto oldest_weight = kSlotLength.count() - into_slot;
  const double weighted = static_cast<double>(sum) +
                          static_cast<double>(oldest) * static_cast<double>(oldest_weight) /
                              static_cast<double>(kSlotLength.count());
  const double window_seconds = static_cast<double>((kSlots - 1) * kSlotLength.count()) / 1000.0;
  return static_cast<std::int64_t>(weighted / window_seconds);
}

}  // namespace tessera
