// Signed 64-bit arithmetic that stops at the ends of the range instead of overflowing (which is
// undefined behaviour). Bandwidth caps go up to INT64_MAX bytes/s and time points span the whole
// clock, so their sums, differences and products need it.
#pragma once

#include <cstdint>
#include <limits>

namespace tessera::saturating {

inline constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
inline constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

constexpr std::int64_t add(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (__builtin_add_overflow(a, b, &out)) return b > 0 ? kMax : kMin;
  return out;
}

constexpr std::int64_t sub(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (__builtin_sub_overflow(a, b, &out)) return b < 0 ? kMax : kMin;
  return out;
}

constexpr std::int64_t mul(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out)) return (a < 0) != (b < 0) ? kMin : kMax;
  return out;
}

}  // namespace tessera::saturating
