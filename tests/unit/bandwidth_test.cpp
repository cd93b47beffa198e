#include <gtest/gtest.h>

#include <limits>
#include <map>

#include "bandwidth/bandwidth_manager.hpp"
#include "bandwidth/token_bucket.hpp"

namespace tessera {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::shared_ptr<TokenBucket> bucket(std::int64_t rate, Clock::time_point now) {
  auto b = std::make_shared<TokenBucket>();
  b->set_rate(rate, now);
  return b;
}

BandwidthPath path(std::shared_ptr<TokenBucket> a, std::shared_ptr<TokenBucket> b = {},
                   std::shared_ptr<TokenBucket> c = {}) {
  return BandwidthPath{{std::move(a), std::move(b), std::move(c)}};
}

// A connection that always wants more: it asks again as soon as it is served, like a socket
// with data waiting.
struct Greedy {
  BandwidthManager& mgr;
  BandwidthPath path;
  BandwidthManager::RequestId id;
  std::int64_t chunk;
  std::int64_t got = 0;
  void ask(Clock::time_point now) {
    // Bounded: an unlimited path would serve it forever.
    for (int i = 0; i < 1000; ++i) {
      const std::int64_t n = mgr.request(id, path, chunk, [this](std::int64_t g) { got += g; pending = false; }, now);
      if (n == 0) {
        pending = true;
        return;
      }
      got += n;
    }
  }
  bool pending = false;
};

void run(BandwidthManager& mgr, std::vector<Greedy*> conns, Clock::time_point& now, std::chrono::milliseconds total,
         std::chrono::milliseconds step = 5ms) {
  for (auto* c : conns) c->ask(now);
  for (auto t = 0ms; t < total; t += step) {
    now += step;
    mgr.update(now);
    for (auto* c : conns) {
      if (!c->pending) c->ask(now);
    }
  }
}

TEST(TokenBucket, RefillsExactlyRateTimesTime) {
  Clock::time_point now{};
  TokenBucket b;
  b.set_rate(1000, now);  // 1000 B/s: 1 byte per millisecond, and 0.3 byte per 300 µs
  for (int i = 0; i < 10000; ++i) {
    now += 300us;
    b.refill(now);
  }
  EXPECT_EQ(b.tokens(), 3000);  // 3 s; the sub-byte remainders were carried, not lost
}

TEST(TokenBucket, IdleSavingsAreCappedWellUnderASecond) {
  Clock::time_point now{};
  TokenBucket b;
  b.set_rate(1'000'000, now);
  now += 10s;
  b.refill(now);
  b.clamp_to_burst();
  EXPECT_EQ(b.tokens(), 50'000);  // 50 ms worth
  EXPECT_LT(b.burst(), 1'000'000 / 10);
}

TEST(TokenBucket, DebtIsRepaidBeforeAnythingElse) {
  Clock::time_point now{};
  TokenBucket b;
  b.set_rate(1000, now);
  b.spend(500);
  now += 200ms;
  b.refill(now);
  EXPECT_EQ(b.tokens(), -300);
  now += 300ms;
  b.refill(now);
  EXPECT_EQ(b.tokens(), 0);
}

// --- caps far beyond any link: every sum and product saturates instead of overflowing ------

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

TEST(TokenBucket, RefillIsExactJustPastWhereRateTimesNanosecondsOverflows) {
  Clock::time_point now{};
  TokenBucket b;
  b.set_rate(10'000'000'000, now);  // 10 GB/s: 1e10 × 1e9 ns no longer fits in 64 bits
  now += 1s;
  b.refill(now);
  EXPECT_EQ(b.tokens(), 10'000'000'000);  // exactly one second's worth
  now += 1s;
  b.refill(now);
  EXPECT_EQ(b.tokens(), 20'000'000'000);
}

TEST(TokenBucket, RefillAtTheLargestRateCarriesTheRemainderExactly) {
  Clock::time_point now{};
  TokenBucket b;
  b.set_rate(kMax, now);
  now += 1ns;
  b.refill(now);
  EXPECT_EQ(b.tokens(), kMax / 1'000'000'000);  // 9223372036, with .854775807 carried
  now += 1ns;
  b.refill(now);
  EXPECT_EQ(b.tokens(), 18'446'744'073);  // floor(2 × kMax / 1e9): the carried parts add up
}

TEST(TokenBucket, TokensSaturateAtTheLargestRate) {
  Clock::time_point now{};
  TokenBucket b;
  b.set_rate(kMax, now);
  for (int i = 0; i < 3; ++i) {
    now += 1s;
    b.refill(now);  // unbounded until clamped: it stops at the top, never wraps
    EXPECT_EQ(b.tokens(), kMax);
  }
  b.clamp_to_burst();
  EXPECT_EQ(b.tokens(), b.burst());
}

TEST(TokenBucket, AnyGapBetweenRefillsCountsAsAtMostASecond) {
  TokenBucket b;
  // From the earliest to the latest time point: the gap itself does not fit in 64 bits.
  b.set_rate(1000, Clock::time_point::min());
  b.refill(Clock::time_point::max());
  EXPECT_EQ(b.tokens(), 1000);

  TokenBucket day;
  const Clock::time_point t0{};
  day.set_rate(kMax / 2, t0);
  day.refill(t0 + 24h);
  EXPECT_EQ(day.tokens(), kMax / 2);
}

TEST(TokenBucket, BurstOfTheLargestRateIsItsShareOfTheWindow) {
  TokenBucket b;
  b.set_rate(kMax, Clock::time_point{});
  EXPECT_EQ(b.burst(), 461'168'601'842'738'790);  // floor(kMax × 50 ms / 1 s)
  EXPECT_EQ(b.tokens(), 0);
  b.set_rate(999, Clock::time_point{});
  EXPECT_EQ(b.burst(), TokenBucket::kMinBurst);
}

TEST(TokenBucket, DebtAndGiveBackSaturate) {
  TokenBucket b;
  b.set_rate(kMax, Clock::time_point{});
  b.spend(kMax);
  b.spend(kMax);
  EXPECT_EQ(b.tokens(), kMin);
  b.give_back(kMax);
  EXPECT_EQ(b.tokens(), -1);
  b.give_back(kMax);
  b.give_back(kMax);
  EXPECT_EQ(b.tokens(), kMax);
}

TEST(TokenBucket, ATimeBeforeTheLastRefillAddsNothing) {
  Clock::time_point now = Clock::time_point::max();
  TokenBucket b;
  b.set_rate(kMax, now);
  b.refill(Clock::time_point::min());
  EXPECT_EQ(b.tokens(), 0);
}

TEST(BandwidthManager, HugeCapsOnEveryLevelGrantWithoutOverflow) {
  Clock::time_point now{};
  BandwidthManager mgr;
  auto global = bucket(kMax, now);
  auto torrent = bucket(kMax - 1, now);
  auto peer = bucket(20'000'000'000, now);  // 20 GB/s binds
  Greedy c{mgr, path(peer, torrent, global), 1, kMax};
  run(mgr, {&c}, now, 1s);
  // Each grant takes what the narrowest bucket holds: 20 GB/s for 1 s plus its first burst.
  EXPECT_GE(c.got, 20'000'000'000);
  EXPECT_LE(c.got, 20'000'000'000 + peer->burst());
  EXPECT_GE(global->tokens(), 0);
  EXPECT_GE(torrent->tokens(), 0);

  // A request for everything through the largest cap alone: at least its even share of the
  // saturated bucket, and never more than is there beside what the other connection took.
  const std::int64_t before = c.got;
  Greedy whole{mgr, path(global), 2, kMax};
  whole.ask(now);
  now += 1s;
  mgr.update(now);
  EXPECT_GE(whole.got, kMax / 2);
  EXPECT_LE(whole.got, kMax - (c.got - before));
  EXPECT_GE(global->tokens(), 0);
}

TEST(BandwidthManager, UnlimitedPathIsGrantedInFull) {
  Clock::time_point now{};
  BandwidthManager mgr;
  auto global = bucket(0, now);
  EXPECT_EQ(mgr.request(1, path(global), 1 << 20, {}, now), 1 << 20);
  EXPECT_FALSE(mgr.waiting());
}

TEST(BandwidthManager, GrantsExactlyRateTimesTime) {
  Clock::time_point now{};
  BandwidthManager mgr;
  auto global = bucket(100'000, now);
  Greedy c{mgr, path(global), 1, 16 * 1024};
  run(mgr, {&c}, now, 10s);
  // 10 s at 100 kB/s; the only slack is what an idle bucket starts with (nothing here).
  EXPECT_EQ(c.got, 1'000'000);
}

TEST(BandwidthManager, EveryLevelBinds) {
  Clock::time_point now{};
  BandwidthManager mgr;
  auto global = bucket(300'000, now);
  auto torrent_a = bucket(50'000, now);  // the torrent cap binds for a
  auto torrent_b = bucket(0, now);
  auto peer_b2 = bucket(20'000, now);    // and a peer cap for one of b's connections
  Greedy a1{mgr, path(torrent_a, global), 1, 16384};
  Greedy a2{mgr, path(torrent_a, global), 2, 16384};
  Greedy b1{mgr, path(torrent_b, global), 3, 16384};
  Greedy b2{mgr, path(peer_b2, torrent_b, global), 4, 16384};
  run(mgr, {&a1, &a2, &b1, &b2}, now, 10s);
  EXPECT_NEAR(static_cast<double>(a1.got + a2.got), 500'000, 2'000);
  EXPECT_NEAR(static_cast<double>(a1.got), static_cast<double>(a2.got), 2'000);
  EXPECT_NEAR(static_cast<double>(b2.got), 200'000, 2'000);
  // b1 takes what the others leave of the global cap, and the sum is the global cap.
  EXPECT_NEAR(static_cast<double>(a1.got + a2.got + b1.got + b2.got), 3'000'000, 2'000);
  EXPECT_NEAR(static_cast<double>(b1.got), 2'300'000, 6'000);
}

TEST(BandwidthManager, WaitersShareFairly) {
  Clock::time_point now{};
  BandwidthManager mgr;
  auto global = bucket(1'000'000, now);
  std::vector<Greedy> conns;
  conns.reserve(7);
  // Different appetites: one asks for huge chunks, the others for small ones.
  for (std::uint64_t i = 0; i < 7; ++i) conns.push_back(Greedy{mgr, path(global), i, i == 0 ? (4 << 20) : 4096});
  std::vector<Greedy*> ptrs;
  for (auto& c : conns) ptrs.push_back(&c);
  run(mgr, ptrs, now, 7s);
  std::int64_t sum = 0;
  for (const auto& c : conns) {
    EXPECT_NEAR(static_cast<double>(c.got), 1'000'000, 20'000) << "connection " << c.id;
    sum += c.got;
  }
  EXPECT_NEAR(static_cast<double>(sum), 7'000'000, 1'000);
}

TEST(BandwidthManager, NoJumpingTheQueue) {
  Clock::time_point now{};
  BandwidthManager mgr;
  auto global = bucket(1000, now);
  std::int64_t first = 0;
  EXPECT_EQ(mgr.request(1, path(global), 100, [&](std::int64_t g) { first += g; }, now), 0);
  now += 50ms;  // 50 tokens arrive, but request 1 waits: a newcomer must queue behind it
  EXPECT_EQ(mgr.request(2, path(global), 100, {}, now), 0);
  EXPECT_EQ(mgr.queued(), 2u);
  mgr.update(now);
  EXPECT_EQ(first, 25);  // shared evenly between the two waiters
}

TEST(BandwidthManager, CapChangeTakesEffectAtOnce) {
  Clock::time_point now{};
  BandwidthManager mgr;
  auto global = bucket(100'000, now);
  Greedy c{mgr, path(global), 1, 16384};
  run(mgr, {&c}, now, 2s);
  EXPECT_EQ(c.got, 200'000);
  global->set_rate(400'000, now);
  c.got = 0;
  run(mgr, {&c}, now, 2s);
  EXPECT_NEAR(static_cast<double>(c.got), 800'000, 16384);
  global->set_rate(0, now);  // unlimited: the waiting request is served in full on the next update
  c.got = 0;
  run(mgr, {&c}, now, 10ms);
  EXPECT_FALSE(mgr.waiting());
}

TEST(BandwidthManager, ControlBytesAreChargedAgainstTheCap) {
  Clock::time_point now{};
  BandwidthManager mgr;
  auto global = bucket(100'000, now);
  Greedy c{mgr, path(global), 1, 16384};
  c.ask(now);
  std::int64_t control = 0;
  for (auto t = 0ms; t < 10s; t += 5ms) {
    now += 5ms;
    path(global).charge(100);  // 20 kB/s of protocol messages, sent at once
    control += 100;
    mgr.update(now);
    if (!c.pending) c.ask(now);
  }
  EXPECT_NEAR(static_cast<double>(c.got + control), 1'000'000, 1'000);
}

TEST(BandwidthManager, CancelledRequestIsNeverServed) {
  Clock::time_point now{};
  BandwidthManager mgr;
  auto global = bucket(1000, now);
  bool called = false;
  EXPECT_EQ(mgr.request(7, path(global), 100, [&](std::int64_t) { called = true; }, now), 0);
  mgr.cancel(7);
  now += 1s;
  mgr.update(now);
  EXPECT_FALSE(called);
  EXPECT_EQ(global->waiters, 0);
  EXPECT_EQ(mgr.request(8, path(global), 100, {}, now), 100);  // the saved tokens are there
}

}  // namespace
}  // namespace tessera
