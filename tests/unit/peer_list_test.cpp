#include "peers/peer_list.hpp"

#include <gtest/gtest.h>

namespace tessera {
namespace {

using namespace std::chrono_literals;
using Endpoint = PeerList::Endpoint;
using TimePoint = PeerList::TimePoint;

Endpoint ep(const char* address, std::uint16_t port) {
  return Endpoint(boost::asio::ip::make_address(address), port);
}

Departure why(DepartureReason r, std::int64_t down = 0, std::int64_t up = 0) {
  Departure d;
  d.reason = r;
  d.detail = to_string(r);
  d.downloaded = down;
  d.uploaded = up;
  return d;
}

class PeerListTest : public ::testing::Test {
 protected:
  TimePoint t0 = TimePoint{} + 1000s;
};

TEST_F(PeerListTest, RefusesAddressesThatAreNoPeers) {
  PeerList list;
  list.set_self(ep("127.0.0.5", 6881));
  EXPECT_EQ(list.add(ep("0.0.0.0", 6881), PeerSource::tracker, t0), PeerList::AddResult::invalid);
  EXPECT_EQ(list.add(ep("0.1.2.3", 6881), PeerSource::tracker, t0), PeerList::AddResult::invalid);
  EXPECT_EQ(list.add(ep("10.0.0.1", 0), PeerSource::tracker, t0), PeerList::AddResult::invalid);
  EXPECT_EQ(list.add(ep("224.0.0.1", 6881), PeerSource::tracker, t0), PeerList::AddResult::invalid);
  EXPECT_EQ(list.add(ep("239.192.152.143", 6771), PeerSource::tracker, t0), PeerList::AddResult::invalid);
  EXPECT_EQ(list.add(ep("255.255.255.255", 6881), PeerSource::tracker, t0), PeerList::AddResult::invalid);
  EXPECT_EQ(list.add(ep("::", 6881), PeerSource::tracker, t0), PeerList::AddResult::invalid);
  EXPECT_EQ(list.add(ep("ff02::1", 6881), PeerSource::tracker, t0), PeerList::AddResult::invalid);
  EXPECT_EQ(list.add(ep("::ffff:255.255.255.255", 6881), PeerSource::tracker, t0), PeerList::AddResult::invalid);
  EXPECT_EQ(list.add(ep("127.0.0.5", 6881), PeerSource::tracker, t0), PeerList::AddResult::self);
  EXPECT_EQ(list.add(ep("127.0.0.5", 6882), PeerSource::tracker, t0), PeerList::AddResult::added);
  EXPECT_EQ(list.add(ep("127.0.0.5", 6882), PeerSource::tracker, t0), PeerList::AddResult::known);
  EXPECT_EQ(list.size(), 1u);
}

TEST_F(PeerListTest, ListeningOnEveryAddressSkipsOurPortOnLoopback) {
  PeerList list;
  list.set_self(ep("0.0.0.0", 6881));
  EXPECT_EQ(list.add(ep("127.0.0.1", 6881), PeerSource::tracker, t0), PeerList::AddResult::self);
  EXPECT_EQ(list.add(ep("10.0.0.1", 6881), PeerSource::tracker, t0), PeerList::AddResult::added);
}

TEST_F(PeerListTest, AHugeTrackerAnswerIsCappedAndStaysCheap) {
  PeerListConfig c;
  c.max_size = 4000;
  PeerList list(c);
  int added = 0;
  for (std::uint32_t i = 0; i < 300000; ++i) {
    const Endpoint e(boost::asio::ip::address_v4(0x0a000000u + i), static_cast<std::uint16_t>(1000 + i % 50000));
    if (list.add(e, PeerSource::tracker, t0) == PeerList::AddResult::added) ++added;
  }
  EXPECT_EQ(added, 4000);
  EXPECT_EQ(list.size(), 4000u);
  EXPECT_EQ(list.count_by_source()[static_cast<std::size_t>(PeerSource::tracker)], 4000);
}

TEST_F(PeerListTest, OneAddressCannotFillTheListWithPorts) {
  PeerList list;
  int added = 0;
  for (std::uint16_t port = 1; port < 2000; ++port) {
    if (list.add(ep("10.9.9.9", port), PeerSource::tracker, t0) == PeerList::AddResult::added) ++added;
  }
  EXPECT_EQ(added, static_cast<int>(PeerListConfig{}.max_ports_per_address));
}

TEST_F(PeerListTest, AFullListForgetsAFailedPeerForANewOne) {
  PeerListConfig c;
  c.max_size = 2;
  PeerList list(c);
  list.add(ep("10.0.0.1", 1), PeerSource::tracker, t0);
  list.add(ep("10.0.0.2", 1), PeerSource::tracker, t0);
  EXPECT_EQ(list.add(ep("10.0.0.3", 1), PeerSource::tracker, t0), PeerList::AddResult::full);
  auto first = list.next_to_dial(t0);
  ASSERT_TRUE(first);
  list.dial_failed(*first, t0);
  EXPECT_EQ(list.add(ep("10.0.0.3", 1), PeerSource::tracker, t0), PeerList::AddResult::added);
  EXPECT_EQ(list.size(), 2u);
  EXPECT_EQ(list.add(*first, PeerSource::tracker, t0), PeerList::AddResult::full) << "the failed one was forgotten";
}

TEST_F(PeerListTest, DialsFirstComeFirstServedAndBacksOffFailures) {
  PeerList list;
  list.add(ep("10.0.0.1", 1), PeerSource::tracker, t0);
  list.add(ep("10.0.0.2", 1), PeerSource::tracker, t0);
  auto a = list.next_to_dial(t0);
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, ep("10.0.0.1", 1));
  list.dial_failed(*a, t0);
  EXPECT_EQ(list.failures_in_a_row(), 1);
  auto b = list.next_to_dial(t0);
  ASSERT_TRUE(b);
  EXPECT_EQ(*b, ep("10.0.0.2", 1));
  EXPECT_FALSE(list.next_to_dial(t0 + 4s)) << "the failed one waits out its backoff";
  EXPECT_EQ(list.next_to_dial(t0 + 5s), a);
  list.dial_failed(*a, t0 + 5s);
  EXPECT_FALSE(list.next_to_dial(t0 + 14s));
  EXPECT_EQ(list.next_to_dial(t0 + 15s), a);
  list.dial_failed(*a, t0 + 15s);  // third failure in a row: forgotten
  EXPECT_FALSE(list.next_to_dial(t0 + 1h));
  EXPECT_EQ(list.size(), 1u);
  EXPECT_EQ(list.failures_in_a_row(), 3);
  EXPECT_EQ(list.admit(*b, false, t0 + 1h), PeerList::Admit::ok);
  EXPECT_EQ(list.failures_in_a_row(), 0);
}

TEST_F(PeerListTest, FewerFailuresAreDialledFirst) {
  PeerList list;
  list.add(ep("10.0.0.1", 1), PeerSource::tracker, t0);
  auto a = list.next_to_dial(t0);
  list.dial_failed(*a, t0);
  list.add(ep("10.0.0.2", 1), PeerSource::tracker, t0 + 1s);
  EXPECT_EQ(list.next_to_dial(t0 + 1min), ep("10.0.0.2", 1));
  EXPECT_EQ(list.next_to_dial(t0 + 1min), ep("10.0.0.1", 1));
}

TEST_F(PeerListTest, PeersTheUserGaveGoFirstAndAreNeverForgotten) {
  PeerList list;
  for (std::uint32_t i = 1; i <= 100; ++i) {
    list.add(Endpoint(boost::asio::ip::address_v4(0x0a000000u + i), 1), PeerSource::tracker, t0);
  }
  const Endpoint mine = ep("10.9.9.9", 6881);
  list.add(mine, PeerSource::manual, t0);
  TimePoint t = t0;
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(list.next_to_dial(t), mine) << i;
    list.dial_failed(mine, t);
    t += std::chrono::minutes(10);
  }
  EXPECT_EQ(list.size(), 101u);
  EXPECT_EQ(list.next_to_dial(t), mine) << "still first, after ten failures";
}

TEST_F(PeerListTest, AFullListNeverForgetsAPeerTheUserGave) {
  PeerListConfig c;
  c.max_size = 100;
  PeerList list(c);
  const Endpoint mine = ep("127.0.0.161", 6881);
  list.add(mine, PeerSource::manual, t0);
  ASSERT_EQ(list.next_to_dial(t0), mine);
  list.dial_failed(mine, t0);  // not up yet: backing off
  for (std::uint32_t i = 1; i <= 300000; ++i) {
    list.add(Endpoint(boost::asio::ip::address_v4(0x7f000000u + i), 1), PeerSource::tracker, t0);
  }
  EXPECT_EQ(list.size(), 100u);
  EXPECT_EQ(list.next_to_dial(t0 + 5s), mine);
}

TEST_F(PeerListTest, OneConnectionPerAddress) {
  PeerList list;
  list.add(ep("10.0.0.1", 1), PeerSource::tracker, t0);
  list.add(ep("10.0.0.1", 2), PeerSource::tracker, t0);
  auto a = list.next_to_dial(t0);
  ASSERT_TRUE(a);
  EXPECT_FALSE(list.next_to_dial(t0)) << "its other port waits while one is in use";
  EXPECT_EQ(list.admit(*a, false, t0), PeerList::Admit::ok);
  EXPECT_EQ(list.admit(ep("10.0.0.1", 50000), true, t0), PeerList::Admit::address_busy);
  EXPECT_EQ(list.admit(ep("10.0.0.2", 50000), true, t0), PeerList::Admit::ok);
  list.departed(*a, why(DepartureReason::stopped), t0);
  EXPECT_EQ(list.connected(), 1u);
  auto next = list.next_to_dial(t0);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->address(), a->address());
}

TEST_F(PeerListTest, TheLimitPerAddressIsASetting) {
  PeerListConfig c;
  c.max_per_address = 3;
  PeerList list(c);
  for (std::uint16_t port = 1; port <= 4; ++port) {
    const auto r = list.admit(ep("10.0.0.1", port), true, t0);
    EXPECT_EQ(r, port <= 3 ? PeerList::Admit::ok : PeerList::Admit::address_busy) << port;
  }
}

TEST_F(PeerListTest, IncomingPeersAreNotDialledButTheirListenPortIs) {
  PeerList list;
  const Endpoint remote = ep("10.0.0.7", 40000);
  ASSERT_EQ(list.admit(remote, true, t0), PeerList::Admit::ok);
  EXPECT_EQ(list.source_of(remote), PeerSource::incoming);
  list.learned_listen_port(remote, 6881, t0);
  EXPECT_FALSE(list.next_to_dial(t0)) << "connected already";
  list.departed(remote, why(DepartureReason::closed_by_peer, 100, 0), t0);
  EXPECT_EQ(list.next_to_dial(t0), ep("10.0.0.7", 6881));
  EXPECT_EQ(list.size(), 1u) << "the ephemeral port is not kept";
}

TEST_F(PeerListTest, ProtocolViolatorsWaitLongerWithEachViolation) {
  PeerList list;
  const Endpoint p = ep("10.0.0.9", 1);
  list.add(p, PeerSource::tracker, t0);
  ASSERT_EQ(list.next_to_dial(t0), p);
  list.admit(p, false, t0);
  list.departed(p, why(DepartureReason::protocol_violation), t0);
  EXPECT_FALSE(list.next_to_dial(t0 + 5s)) << "not every 5 s";
  EXPECT_FALSE(list.next_to_dial(t0 + 14min));
  const TimePoint t1 = t0 + 15min;
  ASSERT_EQ(list.next_to_dial(t1), p);
  list.admit(p, false, t1);
  list.departed(p, why(DepartureReason::protocol_violation), t1);
  EXPECT_FALSE(list.next_to_dial(t1 + 29min));
  EXPECT_EQ(list.next_to_dial(t1 + 30min), p);
  EXPECT_FALSE(list.banned(p.address())) << "others may share the address";
  EXPECT_EQ(list.admit(ep("10.0.0.9", 777), true, t1 + 30min), PeerList::Admit::address_busy);
}

TEST_F(PeerListTest, ACorruptPeerIsBannedAtOnce) {
  PeerList list;
  const Endpoint p = ep("10.0.0.9", 1);
  list.add(p, PeerSource::tracker, t0);
  list.next_to_dial(t0);
  list.admit(p, false, t0);
  list.departed(p, why(DepartureReason::corrupt_data, 1 << 20), t0);
  EXPECT_TRUE(list.banned(p.address()));
  EXPECT_EQ(list.size(), 0u);
}

TEST_F(PeerListTest, APeerThatDropsUsAtOnceCountsAsAFailure) {
  PeerList list;
  const Endpoint p = ep("10.0.0.9", 1);
  list.add(p, PeerSource::tracker, t0);
  TimePoint t = t0;
  for (int i = 0; i < 3; ++i) {
    auto d = list.next_to_dial(t + 1h);
    ASSERT_EQ(d, p) << i;
    list.admit(p, false, t + 1h);
    list.departed(p, why(DepartureReason::closed_by_peer), t + 1h);
    t += 1h;
  }
  EXPECT_EQ(list.size(), 0u) << "forgotten after three empty connections";
}

TEST_F(PeerListTest, AUsefulPeerThatClosedIsDialledAgainSoon) {
  PeerList list;
  const Endpoint p = ep("10.0.0.9", 1);
  list.add(p, PeerSource::tracker, t0);
  for (int i = 0; i < 5; ++i) {
    const TimePoint t = t0 + std::chrono::minutes(i);
    ASSERT_EQ(list.next_to_dial(t), p) << i;
    list.admit(p, false, t);
    list.departed(p, why(DepartureReason::closed_by_peer, 16384, 0), t);
  }
  EXPECT_FALSE(list.next_to_dial(t0 + 4min + 4s));
  EXPECT_EQ(list.next_to_dial(t0 + 4min + 5s), p);
}

TEST_F(PeerListTest, PrunedPeersWaitFiveMinutes) {
  PeerList list;
  const Endpoint p = ep("10.0.0.9", 1);
  list.add(p, PeerSource::tracker, t0);
  list.next_to_dial(t0);
  list.admit(p, false, t0);
  list.departed(p, why(DepartureReason::pruned), t0);
  EXPECT_FALSE(list.next_to_dial(t0 + 299s));
  EXPECT_EQ(list.next_to_dial(t0 + 300s), p);
}

TEST_F(PeerListTest, DepartedPeersAreLoggedNewestFirstAndBounded) {
  PeerListConfig c;
  c.max_departed = 3;
  PeerList list(c);
  for (std::uint32_t i = 1; i <= 5; ++i) {
    const Endpoint p(boost::asio::ip::address_v4(0x0a000000u + i), 1);
    list.add(p, PeerSource::tracker, t0);
    ASSERT_EQ(list.next_to_dial(t0), p);
    list.admit(p, false, t0);
    Departure d = why(i == 5 ? DepartureReason::timed_out : DepartureReason::pruned, i, 2 * i);
    d.client = "client " + std::to_string(i);
    list.departed(p, d, t0 + std::chrono::seconds(i));
  }
  const auto gone = list.departed_peers(t0 + 10s);
  ASSERT_EQ(gone.size(), 3u);
  EXPECT_EQ(gone[0].address, "10.0.0.5:1");
  EXPECT_EQ(gone[0].reason, DepartureReason::timed_out);
  EXPECT_EQ(gone[0].client, "client 5");
  EXPECT_EQ(gone[0].downloaded, 5);
  EXPECT_EQ(gone[0].uploaded, 10);
  EXPECT_EQ(gone[0].seconds_ago, 5);
  EXPECT_EQ(gone[2].address, "10.0.0.3:1");
  EXPECT_EQ(gone[2].reason, DepartureReason::pruned);
}

TEST_F(PeerListTest, OurOwnAddressFoundByHandshakeIsNeverDialledAgain) {
  PeerList list;
  const Endpoint p = ep("192.0.2.1", 6881);
  list.add(p, PeerSource::tracker, t0);
  ASSERT_EQ(list.next_to_dial(t0), p);
  list.is_us(p);
  EXPECT_EQ(list.size(), 0u);
  EXPECT_EQ(list.connecting(), 0u);
  EXPECT_EQ(list.add(p, PeerSource::tracker, t0), PeerList::AddResult::self);
}

TEST_F(PeerListTest, BansAreBounded) {
  PeerListConfig c;
  c.max_banned = 10;
  PeerList list(c);
  for (std::uint32_t i = 1; i <= 20; ++i) list.ban(boost::asio::ip::address_v4(0x0a000000u + i));
  EXPECT_FALSE(list.banned(boost::asio::ip::address_v4(0x0a000001u)));
  EXPECT_TRUE(list.banned(boost::asio::ip::address_v4(0x0a000014u)));
}

}  // namespace
}  // namespace tessera
