#include <gtest/gtest.h>

#include "dht/query_limiter.hpp"

namespace tessera::dht {
namespace {

using namespace std::chrono_literals;
namespace ip = boost::asio::ip;
using TimePoint = QueryLimiter::TimePoint;

ip::address addr(std::uint32_t n) {
  return ip::address_v4(0x0a000000u + n);
}

TEST(DhtQueryLimiter, OneAddressGetsItsBurstThenItsRate) {
  const TimePoint t0 = TimePoint{} + 1000h;
  QueryLimiter limiter;  // 5/s, burst 20
  int allowed = 0;
  for (int i = 0; i < 100; ++i) allowed += limiter.allow(addr(1), t0);
  EXPECT_EQ(allowed, 20);
  EXPECT_TRUE(limiter.allow(addr(2), t0));  // others are not held back
  allowed = 0;
  for (int i = 0; i < 100; ++i) allowed += limiter.allow(addr(1), t0 + 1s);
  EXPECT_EQ(allowed, 5);
  allowed = 0;
  // A steady 5 per second passes for ever.
  for (int s = 2; s < 60; ++s) {
    for (int i = 0; i < 5; ++i) allowed += limiter.allow(addr(1), t0 + std::chrono::seconds(s));
  }
  EXPECT_EQ(allowed, 58 * 5);
}

TEST(DhtQueryLimiter, ManyAddressesMeetTheGlobalLimit) {
  const TimePoint t0 = TimePoint{} + 1000h;
  QueryLimiterConfig config;
  config.global_rate = 100;
  config.global_burst = 100;
  QueryLimiter limiter(config);
  int allowed = 0;
  for (std::uint32_t i = 0; i < 1000; ++i) allowed += limiter.allow(addr(i), t0);
  EXPECT_EQ(allowed, 100);
  allowed = 0;
  for (std::uint32_t i = 0; i < 1000; ++i) allowed += limiter.allow(addr(5000 + i), t0 + 500ms);
  EXPECT_EQ(allowed, 50);
}

TEST(DhtQueryLimiter, RemembersABoundedNumberOfAddresses) {
  const TimePoint t0 = TimePoint{} + 1000h;
  QueryLimiterConfig config;
  config.max_addresses = 64;
  config.global_rate = 1e9;
  config.global_burst = 1e9;
  QueryLimiter limiter(config);
  for (int i = 0; i < 20; ++i) limiter.allow(addr(0), t0);
  EXPECT_FALSE(limiter.allow(addr(0), t0));
  for (std::uint32_t i = 1; i < 10'000; ++i) limiter.allow(addr(i), t0);
  EXPECT_EQ(limiter.tracked_addresses(), 64u);
  // Address 0 was forgotten long ago: it starts again with a full bucket.
  EXPECT_TRUE(limiter.allow(addr(0), t0));
}

}  // namespace
}  // namespace tessera::dht
