#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tracker/announcer.hpp"

namespace tessera::tracker {
namespace {

using namespace std::chrono_literals;
using State = TrackerStatus::State;

const Clock::time_point t0 = Clock::time_point{} + 1000h;  // a fake clock: any fixed point works

AnnounceResult ok(std::chrono::seconds interval = 1800s, std::chrono::seconds min_interval = 0s,
                  int peers = 0) {
  AnnounceResult r;
  r.interval = interval;
  r.min_interval = min_interval;
  r.seeders = 4;
  r.leechers = 2;
  for (int i = 0; i < peers; ++i) {
    r.peers.emplace_back(boost::asio::ip::make_address("10.0.0.1"), static_cast<std::uint16_t>(1000 + i));
  }
  return r;
}
expected<AnnounceResult, std::string> failed(std::string why = "tracker x: connection refused") {
  return unexpected(std::move(why));
}

TEST(TrackerAnnouncer, StartedIntervalCompletedStopped) {
  Announcer a({{"http://a/announce"}}, 1);
  ASSERT_EQ(a.next_wakeup(), Clock::time_point{});  // at once
  auto jobs = a.due(t0);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].url, "http://a/announce");
  EXPECT_EQ(jobs[0].event, Event::started);
  EXPECT_EQ(a.status()[0].state, State::announcing);
  EXPECT_TRUE(a.due(t0).empty());  // one request per tier at a time
  EXPECT_EQ(a.next_wakeup(), std::nullopt);

  a.on_result(jobs[0], ok(1800s, 0s, 3), t0);
  EXPECT_EQ(a.next_wakeup(), t0 + 1800s);
  EXPECT_TRUE(a.due(t0 + 1799s).empty());
  auto st = a.status()[0];
  EXPECT_EQ(st.state, State::working);
  EXPECT_EQ(st.seeders, 4);
  EXPECT_EQ(st.leechers, 2);
  EXPECT_EQ(st.peers_received, 3u);
  EXPECT_EQ(st.last_announce, t0);
  EXPECT_EQ(st.next_announce, t0 + 1800s);

  jobs = a.due(t0 + 1800s);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].event, Event::none);
  a.on_result(jobs[0], ok(900s), t0 + 1800s);
  EXPECT_EQ(a.next_wakeup(), t0 + 2700s);

  a.set_completed();
  ASSERT_LE(*a.next_wakeup(), t0 + 2000s);  // completed goes out at once
  jobs = a.due(t0 + 2000s);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].event, Event::completed);
  a.on_result(jobs[0], ok(900s), t0 + 2000s);
  jobs = a.due(t0 + 2900s);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].event, Event::none);  // completed only once
  a.on_result(jobs[0], ok(900s), t0 + 2900s);

  jobs = a.stop(t0 + 3000s);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].event, Event::stopped);
  EXPECT_EQ(a.next_wakeup(), std::nullopt);
  EXPECT_TRUE(a.due(t0 + 10h).empty());
  a.on_result(jobs[0], ok(), t0 + 3000s);
  EXPECT_EQ(a.status()[0].state, State::idle);
  EXPECT_TRUE(a.stop(t0 + 3001s).empty());
}

TEST(TrackerAnnouncer, TiersAnnounceInParallelAndFallBackWithinATier) {
  Announcer a({{"http://a/announce", "http://b/announce"}, {"udp://c:80"}}, 7);
  auto jobs = a.due(t0);
  ASSERT_EQ(jobs.size(), 2u);  // one per tier
  const AnnounceJob first = jobs[0].url == "udp://c:80" ? jobs[1] : jobs[0];
  const AnnounceJob tier1 = jobs[0].url == "udp://c:80" ? jobs[0] : jobs[1];
  EXPECT_EQ(a.status()[first.tracker].tier, 0u);
  EXPECT_EQ(a.status()[tier1.tracker].tier, 1u);
  a.on_result(tier1, ok(), t0);

  // The first tracker of tier 0 fails: the other one is tried at once, with `started`.
  a.on_result(first, failed(), t0 + 1s);
  EXPECT_EQ(a.status()[first.tracker].state, State::error);
  EXPECT_EQ(a.status()[first.tracker].message, "tracker x: connection refused");
  EXPECT_EQ(a.next_wakeup(), t0 + 1s);
  jobs = a.due(t0 + 1s);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_NE(jobs[0].url, first.url);
  EXPECT_EQ(jobs[0].event, Event::started);
  const AnnounceJob second = jobs[0];
  a.on_result(second, ok(600s), t0 + 2s);

  // The tracker that answered is now at the front: the next announce goes to it even though
  // the failed one's backoff has long ended.
  jobs = a.due(t0 + 602s);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].url, second.url);
  EXPECT_EQ(jobs[0].event, Event::none);
}

TEST(TrackerAnnouncer, BackoffGrowsAndNeverLoopsTightly) {
  Announcer a({{"http://a/announce"}}, 1);
  Clock::time_point now = t0;
  const std::vector<std::chrono::seconds> expected_waits = {15s,  30s,  60s,   120s, 240s,
                                                            480s, 960s, 1800s, 1800s};
  for (const auto wait : expected_waits) {
    auto jobs = a.due(now);
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].event, Event::started);  // never acknowledged, so still `started`
    a.on_result(jobs[0], failed(), now);
    ASSERT_EQ(a.next_wakeup(), now + wait);
    EXPECT_EQ(a.status()[0].next_announce, now + wait);
    EXPECT_TRUE(a.due(now + wait - 1s).empty());
    now += wait;
  }
  // A success resets the backoff.
  auto jobs = a.due(now);
  a.on_result(jobs[0], ok(), now);
  jobs = a.due(now + 1800s);
  a.on_result(jobs[0], failed(), now + 1800s);
  EXPECT_EQ(a.next_wakeup(), now + 1800s + 15s);
}

// The session's trackers failing every way a real one can (tests/integration/tracker_faults_test
// sees the same errors over sockets): none is asked again before its 15 s backoff has passed,
// and each is asked exactly once when it has.
TEST(TrackerAnnouncer, NoFailureKindIsRetriedBeforeItsBackoff) {
  const std::vector<std::string> errors = {
      "tracker http://t/garbage: invalid tracker response: not a dictionary",
      "tracker http://t/error: HTTP 503 busy",
      "tracker http://t/refuse: torrent not registered",
      "tracker http://t/silent: timed out after 1500 ms",
      "tracker http://127.0.0.1:1/announce: connection refused",
  };
  std::vector<std::vector<std::string>> tiers;
  for (std::size_t i = 0; i < errors.size(); ++i) tiers.push_back({"http://t/" + std::to_string(i)});
  Announcer a(tiers, 5);
  const auto jobs = a.due(t0);
  ASSERT_EQ(jobs.size(), errors.size());  // one tracker per tier: all at once
  // The answers come in over a few seconds (the silent one only when its request times out).
  std::vector<Clock::time_point> failed_at;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    failed_at.push_back(t0 + std::chrono::milliseconds(400 * i));
    a.on_result(jobs[i], failed(errors[i]), failed_at.back());
    EXPECT_EQ(a.status()[jobs[i].tracker].state, State::error);
    EXPECT_EQ(a.status()[jobs[i].tracker].message, errors[i]);
    EXPECT_EQ(a.status()[jobs[i].tracker].next_announce, failed_at.back() + 15s);
  }
  EXPECT_EQ(a.next_wakeup(), t0 + 15s);

  std::vector<int> asked(jobs.size(), 0);
  for (auto now = t0; now <= t0 + 20s; now += 100ms) {
    for (const auto& job : a.due(now)) {
      const auto i = static_cast<std::size_t>(
          std::find_if(jobs.begin(), jobs.end(), [&](const AnnounceJob& j) { return j.tracker == job.tracker; }) -
          jobs.begin());
      ASSERT_LT(i, jobs.size());
      EXPECT_GE(now, failed_at[i] + 15s) << job.url << " retried too soon";
      EXPECT_EQ(job.event, Event::started);  // never acknowledged
      ++asked[i];
    }
  }
  for (std::size_t i = 0; i < jobs.size(); ++i) EXPECT_EQ(asked[i], 1) << jobs[i].url;
}

TEST(TrackerAnnouncer, WholeTierInBackoffWaitsForTheEarliest) {
  Announcer a({{"http://a/announce", "http://b/announce"}}, 3);
  auto j1 = a.due(t0);
  a.on_result(j1[0], failed(), t0);
  auto j2 = a.due(t0);
  ASSERT_EQ(j2.size(), 1u);
  a.on_result(j2[0], failed(), t0 + 5s);
  EXPECT_EQ(a.next_wakeup(), t0 + 15s);  // the first one's backoff ends first
  EXPECT_TRUE(a.due(t0 + 14s).empty());
  auto j3 = a.due(t0 + 15s);
  ASSERT_EQ(j3.size(), 1u);
  EXPECT_EQ(j3[0].url, j1[0].url);
}

TEST(TrackerAnnouncer, WantMorePeersRespectsMinInterval) {
  Announcer a({{"http://a/announce"}}, 1);
  auto jobs = a.due(t0);
  a.on_result(jobs[0], ok(1800s, 300s), t0);
  a.want_more_peers(t0 + 10s);
  EXPECT_EQ(a.next_wakeup(), t0 + 300s);
  EXPECT_TRUE(a.due(t0 + 299s).empty());
  jobs = a.due(t0 + 300s);
  ASSERT_EQ(jobs.size(), 1u);
  a.on_result(jobs[0], ok(1800s, 300s), t0 + 300s);
  a.want_more_peers(t0 + 1000s);  // min interval already passed: at once
  EXPECT_EQ(a.next_wakeup(), t0 + 1000s);

  // Without a min interval from the tracker, the default applies.
  Announcer b({{"http://b/announce"}}, 1);
  jobs = b.due(t0);
  b.on_result(jobs[0], ok(1800s, 0s), t0);
  b.want_more_peers(t0 + 1s);
  EXPECT_EQ(b.next_wakeup(), t0 + AnnouncerOptions{}.default_min_interval);
  // It never postpones an announce that is due sooner anyway.
  Announcer c({{"http://c/announce"}}, 1);
  jobs = c.due(t0);
  c.on_result(jobs[0], ok(60s, 50s), t0);
  c.want_more_peers(t0 + 1s);
  EXPECT_EQ(c.next_wakeup(), t0 + 50s);
}

TEST(TrackerAnnouncer, WantMorePeersLeavesFailingTiersInBackoff) {
  Announcer a({{"http://a/announce"}}, 1);
  auto jobs = a.due(t0);
  a.on_result(jobs[0], failed(), t0);
  a.want_more_peers(t0 + 1s);
  EXPECT_EQ(a.next_wakeup(), t0 + 15s);
}

TEST(TrackerAnnouncer, StopGoesOnlyToTrackersThatMayHaveStarted) {
  Announcer a({{"http://a/announce"}, {"http://b/announce"}, {"http://c/announce"}}, 1);
  auto jobs = a.due(t0);
  ASSERT_EQ(jobs.size(), 3u);
  a.on_result(jobs[0], ok(), t0);      // a: started
  a.on_result(jobs[1], failed(), t0);  // b: never started
  // c: `started` still in flight
  auto stops = a.stop(t0 + 1s);
  ASSERT_EQ(stops.size(), 2u);
  EXPECT_EQ(stops[0].url, "http://a/announce");
  EXPECT_EQ(stops[1].url, "http://c/announce");
  for (const auto& s : stops) EXPECT_EQ(s.event, Event::stopped);
  a.on_result(jobs[2], ok(), t0 + 2s);  // the late answer to c's `started` schedules nothing
  EXPECT_EQ(a.next_wakeup(), std::nullopt);
  a.on_result(stops[0], ok(), t0 + 2s);
  a.on_result(stops[1], failed("tracker c: timed out"), t0 + 3s);
  EXPECT_EQ(a.status()[0].state, State::idle);
  EXPECT_EQ(a.status()[2].state, State::error);
}

TEST(TrackerAnnouncer, CompletedDuringStartedIsSentRightAfter) {
  Announcer a({{"http://a/announce"}}, 1);
  auto jobs = a.due(t0);
  a.set_completed();
  a.on_result(jobs[0], ok(), t0 + 1s);
  jobs = a.due(t0 + 1s);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].event, Event::completed);
}

TEST(TrackerAnnouncer, WarningAndStatusOrder) {
  Announcer a({{"http://a/announce", ""}, {}, {"http://a/announce", "http://b/announce"}}, 1);
  auto st = a.status();
  ASSERT_EQ(st.size(), 2u);  // empty URL, empty tier and duplicate dropped
  EXPECT_EQ(st[0].url, "http://a/announce");
  EXPECT_EQ(st[1].url, "http://b/announce");
  EXPECT_EQ(st[1].tier, 1u);
  EXPECT_EQ(st[0].next_announce, Clock::time_point{});
  auto jobs = a.due(t0);
  ASSERT_EQ(jobs.size(), 2u);
  auto r = ok();
  r.warning = "slow down";
  a.on_result(jobs[0], r, t0);
  EXPECT_EQ(a.status()[jobs[0].tracker].warning, "slow down");
}

TEST(TrackerAnnouncer, ShuffleIsSeeded) {
  std::vector<std::string> urls;
  for (int i = 0; i < 10; ++i) urls.push_back("http://t" + std::to_string(i) + "/announce");
  const auto first_url = [&](std::uint64_t seed) {
    Announcer a({urls}, seed);
    return a.due(t0).at(0).url;
  };
  EXPECT_EQ(first_url(42), first_url(42));
  bool differs = false;
  for (std::uint64_t seed = 1; seed < 20 && !differs; ++seed) differs = first_url(seed) != first_url(0);
  EXPECT_TRUE(differs);
}

}  // namespace
}  // namespace tessera::tracker
