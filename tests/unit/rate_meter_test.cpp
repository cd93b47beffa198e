#include "bandwidth/rate_meter.hpp"

#include <gtest/gtest.h>

namespace tessera {
namespace {

using namespace std::chrono_literals;

TEST(RateMeter, SteadyFlowReadsItsRate) {
  RateMeter m;
  RateMeter::Clock::time_point t{};
  t += 1000s;
  for (int i = 0; i < 100; ++i) {  // 10 s of 100 KiB every 100 ms = 1000 KiB/s
    m.add(100 * 1024, t);
    t += 100ms;
  }
  EXPECT_NEAR(static_cast<double>(m.rate(t)), 1000.0 * 1024, 0.03 * 1000 * 1024);
  EXPECT_EQ(m.total(), 100 * 100 * 1024);
}

TEST(RateMeter, DecaysToZeroAfterTheWindow) {
  RateMeter m;
  RateMeter::Clock::time_point t{};
  t += 50s;
  m.add(1'000'000, t);
  EXPECT_GT(m.rate(t + 1s), 0);
  EXPECT_EQ(m.rate(t + 6s), 0);
  EXPECT_EQ(m.total(), 1'000'000);
}

TEST(RateMeter, EmptyIsZero) {
  RateMeter m;
  EXPECT_EQ(m.rate(RateMeter::Clock::time_point{} + 10s), 0);
}

}  // namespace
}  // namespace tessera
