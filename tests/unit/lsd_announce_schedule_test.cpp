#include <gtest/gtest.h>

#include <vector>

#include "lsd/announce_schedule.hpp"

namespace tessera::lsd {
namespace {

using namespace std::chrono_literals;
const auto t0 = std::chrono::steady_clock::time_point{} + 1000h;

Sha1Digest hash(int i) {
  Sha1Digest h;
  h.bytes[0] = static_cast<std::uint8_t>(i);
  h.bytes[1] = static_cast<std::uint8_t>(i >> 8);
  return h;
}

TEST(LsdSchedule, OneDatagramPerSecond) {
  AnnounceSchedule s;
  const std::vector<Sha1Digest> hashes{hash(1), hash(2), hash(3)};
  s.request(hashes, t0);
  EXPECT_EQ(s.next(t0), hash(1));
  EXPECT_FALSE(s.next(t0));
  EXPECT_EQ(s.wake_at(), t0 + 1s);
  EXPECT_FALSE(s.next(t0 + 999ms));
  EXPECT_EQ(s.next(t0 + 1s), hash(2));
  EXPECT_EQ(s.next(t0 + 5s), hash(3));
  EXPECT_FALSE(s.next(t0 + 10s));
  EXPECT_FALSE(s.wake_at());
}

TEST(LsdSchedule, EachTorrentAtMostOncePerFiveMinutes) {
  AnnounceSchedule s;
  const std::vector<Sha1Digest> one{hash(1)};
  s.request(one, t0);
  EXPECT_EQ(s.next(t0), hash(1));
  // Asked again at once and often: it waits for its interval, and goes out once.
  for (auto t = t0 + 1s; t < t0 + 300s; t += 10s) {
    s.request(one, t);
    EXPECT_FALSE(s.next(t));
  }
  EXPECT_EQ(s.waiting(), 1u);
  EXPECT_EQ(s.wake_at(), t0 + 300s);
  EXPECT_EQ(s.next(t0 + 300s), hash(1));
  EXPECT_FALSE(s.next(t0 + 600s));  // not asked again: not sent again
}

TEST(LsdSchedule, AWaitingTorrentDoesNotHoldUpOthers) {
  AnnounceSchedule s;
  const std::vector<Sha1Digest> a{hash(1)}, b{hash(2)};
  s.request(a, t0);
  ASSERT_EQ(s.next(t0), hash(1));
  s.request(a, t0 + 10s);  // due at t0 + 300 s
  s.request(b, t0 + 20s);  // due now
  EXPECT_EQ(s.wake_at(), t0 + 20s);
  EXPECT_EQ(s.next(t0 + 20s), hash(2));
  EXPECT_EQ(s.wake_at(), t0 + 300s);
}

TEST(LsdSchedule, ManyTorrentsSpreadOverTime) {
  AnnounceSchedule s;
  std::vector<Sha1Digest> all;
  for (int i = 0; i < 100; ++i) all.push_back(hash(i));
  s.request(all, t0);
  int sent = 0;
  for (auto t = t0; t < t0 + 100s; t += 250ms) sent += s.next(t) ? 1 : 0;
  EXPECT_EQ(sent, 100);
}

TEST(LsdSchedule, ForgottenTorrentsAreNotSent) {
  AnnounceSchedule s;
  const std::vector<Sha1Digest> hashes{hash(1), hash(2)};
  s.request(hashes, t0);
  s.forget(hash(1));
  s.forget(hash(9));  // unknown: nothing happens
  EXPECT_EQ(s.next(t0), hash(2));
  EXPECT_FALSE(s.next(t0 + 10s));
  // Asked for again after being forgotten: a newcomer, sent at once.
  const std::vector<Sha1Digest> again{hash(2)};
  s.forget(hash(2));
  s.request(again, t0 + 10s);
  EXPECT_EQ(s.next(t0 + 10s), hash(2));
}

TEST(LsdSchedule, BoundedNumberOfTorrents) {
  ScheduleConfig config;
  config.max_torrents = 3;
  AnnounceSchedule s(config);
  std::vector<Sha1Digest> five;
  for (int i = 0; i < 5; ++i) five.push_back(hash(i));
  s.request(five, t0);
  EXPECT_EQ(s.waiting(), 3u);
  for (auto t = t0; t < t0 + 10s; t += 1s) static_cast<void>(s.next(t));
  // Those sent long ago make room for newcomers.
  const std::vector<Sha1Digest> late{hash(7)};
  s.request(late, t0 + 400s);
  EXPECT_EQ(s.next(t0 + 400s), hash(7));
}

}  // namespace
}  // namespace tessera::lsd
