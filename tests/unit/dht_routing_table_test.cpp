#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>

#include "dht/routing_table.hpp"

namespace tessera::dht {
namespace {

using namespace std::chrono_literals;
namespace ip = boost::asio::ip;
using Outcome = RoutingTable::Outcome;

// Our id is all zeros, so a node's bucket is the number of leading zero bits of its id.
const NodeId kOwn{};

// An id with exactly `prefix` leading bits in common with ours; `tag` makes it unique.
NodeId id_at(int prefix, std::uint32_t tag) {
  NodeId id;
  id.flip_bit(prefix);
  id.bytes[16] = static_cast<std::uint8_t>(tag >> 24);
  id.bytes[17] = static_cast<std::uint8_t>(tag >> 16);
  id.bytes[18] = static_cast<std::uint8_t>(tag >> 8);
  id.bytes[19] = static_cast<std::uint8_t>(tag);
  return id;
}

// One address per tag: 10.x.y.z.
UdpEndpoint ep(std::uint32_t tag, std::uint16_t port = 6881) {
  return UdpEndpoint(ip::address_v4(0x0a000000u + tag), port);
}

class DhtRoutingTable : public ::testing::Test {
 protected:
  TimePoint t0 = TimePoint{} + 1000h;
  RoutingTable table{kOwn, t0};

  // Fills bucket 0 (ids whose first bit differs from ours) with 8 nodes answering at t0 + i s.
  void fill_far_bucket() {
    for (std::uint32_t i = 0; i < 8; ++i) {
      ASSERT_EQ(table.on_response(id_at(0, i), ep(i), t0 + std::chrono::seconds(i)).outcome, Outcome::added);
    }
  }
};

TEST_F(DhtRoutingTable, StartsWithOneEmptyBucket) {
  EXPECT_EQ(table.bucket_count(), 1u);
  EXPECT_TRUE(table.nodes().empty());
  EXPECT_TRUE(table.closest(kOwn, 8, t0).empty());
  const auto c = table.counts(t0);
  EXPECT_EQ(c.good + c.questionable + c.bad + c.cached, 0u);
}

TEST_F(DhtRoutingTable, ANodeThatAnsweredIsAddedAndGood) {
  const auto u = table.on_response(id_at(0, 1), ep(1), t0);
  EXPECT_EQ(u.outcome, Outcome::added);
  EXPECT_FALSE(u.ping.has_value());
  const auto found = table.find(id_at(0, 1));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->endpoint, ep(1));
  EXPECT_EQ(found->last_response, t0);
  EXPECT_EQ(node_state(*found, t0, table.config()), NodeState::good);
  EXPECT_EQ(table.counts(t0).good, 1u);
  EXPECT_EQ(table.on_response(id_at(0, 1), ep(1), t0 + 1s).outcome, Outcome::updated);
}

TEST_F(DhtRoutingTable, OurOwnIdIsNeverAdded) {
  EXPECT_EQ(table.on_response(kOwn, ep(1), t0).outcome, Outcome::ignored_self);
  EXPECT_EQ(table.on_query(kOwn, ep(1), t0).outcome, Outcome::ignored_self);
  EXPECT_TRUE(table.nodes().empty());
}

TEST_F(DhtRoutingTable, AStrangerThatOnlyQueriedIsVerifiedFirst) {
  const auto u = table.on_query(id_at(0, 1), ep(1), t0);
  EXPECT_EQ(u.outcome, Outcome::verify_first);
  ASSERT_TRUE(u.ping.has_value());
  EXPECT_EQ(u.ping->id, id_at(0, 1));
  EXPECT_EQ(u.ping->endpoint, ep(1));
  EXPECT_FALSE(table.find(id_at(0, 1)).has_value());  // a forged source address costs us nothing
  EXPECT_EQ(table.on_response(id_at(0, 1), ep(1), t0 + 1s).outcome, Outcome::added);
}

TEST_F(DhtRoutingTable, StrangerQueryingIntoABucketOfGoodNodesIsIgnored) {
  fill_far_bucket();
  EXPECT_EQ(table.on_query(id_at(0, 100), ep(100), t0 + 10s).outcome, Outcome::ignored_full);
  // Once the bucket's nodes fall silent, a stranger is worth verifying.
  EXPECT_EQ(table.on_query(id_at(0, 100), ep(100), t0 + 16min).outcome, Outcome::verify_first);
}

TEST_F(DhtRoutingTable, OnlyTheBucketHoldingOurIdSplits) {
  fill_far_bucket();
  // A ninth far node cannot split anything: all nine share no prefix with us.
  EXPECT_EQ(table.on_response(id_at(0, 8), ep(8), t0 + 10s).outcome, Outcome::cached);
  EXPECT_EQ(table.bucket_count(), 1u);
  EXPECT_EQ(table.cache_size(0), 1u);
  // A nearer node makes the full last bucket split: the far nodes stay, the new one moves on.
  EXPECT_EQ(table.on_response(id_at(3, 9), ep(9), t0 + 11s).outcome, Outcome::added);
  EXPECT_EQ(table.bucket_count(), 2u);
  EXPECT_EQ(table.bucket_size(0), 8u);
  EXPECT_EQ(table.bucket_size(1), 1u);
  EXPECT_EQ(table.bucket_index(id_at(3, 9)), 1u);
  EXPECT_EQ(table.bucket_index(id_at(0, 1)), 0u);
  // Bucket 0 is no longer the last: another far node still waits in its cache.
  EXPECT_EQ(table.on_response(id_at(0, 10), ep(10), t0 + 12s).outcome, Outcome::cached);
  EXPECT_EQ(table.bucket_count(), 2u);
}

TEST_F(DhtRoutingTable, SplittingRepeatsUntilTheNewcomerFits) {
  // Eight nodes sharing 5 bits with us, then one sharing 6: the last bucket splits from 1 to 6.
  for (std::uint32_t i = 0; i < 8; ++i)
    ASSERT_EQ(table.on_response(id_at(5, i), ep(i), t0).outcome, Outcome::added);
  EXPECT_EQ(table.bucket_count(), 1u);
  EXPECT_EQ(table.on_response(id_at(6, 8), ep(8), t0).outcome, Outcome::added);
  EXPECT_EQ(table.bucket_count(), 7u);
  EXPECT_EQ(table.bucket_size(5), 8u);
  EXPECT_EQ(table.bucket_size(6), 1u);
  for (std::size_t b = 0; b < 5; ++b) EXPECT_EQ(table.bucket_size(b), 0u) << b;
}

TEST_F(DhtRoutingTable, ReplacementCacheIsBoundedAndDropsTheStalest) {
  fill_far_bucket();
  for (std::uint32_t i = 0; i < 12; ++i) {
    EXPECT_EQ(table.on_response(id_at(0, 100 + i), ep(100 + i), t0 + 1min + std::chrono::seconds(i)).outcome,
              Outcome::cached);
  }
  EXPECT_EQ(table.cache_size(0), 8u);
  EXPECT_FALSE(table.find(id_at(0, 100)).has_value());  // the four stalest went
  EXPECT_FALSE(table.find(id_at(0, 103)).has_value());
  EXPECT_TRUE(table.find(id_at(0, 104)).has_value());
  EXPECT_EQ(table.counts(t0 + 2min).cached, 8u);
  // The dropped node's address is free again.
  EXPECT_EQ(table.on_response(id_at(0, 100), ep(100), t0 + 3min).outcome, Outcome::cached);
}

TEST_F(DhtRoutingTable, GoodNodesAreNotPingedForANewcomer) {
  fill_far_bucket();
  const auto u = table.on_response(id_at(0, 100), ep(100), t0 + 10min);
  EXPECT_EQ(u.outcome, Outcome::cached);
  EXPECT_FALSE(u.ping.has_value());
}

TEST_F(DhtRoutingTable, QuestionableNodesArePingedOneAtATimeBeforeANewcomerGetsIn) {
  fill_far_bucket();
  const TimePoint later = t0 + 16min;  // every node is now questionable
  EXPECT_EQ(table.counts(later).questionable, 8u);
  const auto first = table.on_response(id_at(0, 100), ep(100), later);
  EXPECT_EQ(first.outcome, Outcome::cached);
  ASSERT_TRUE(first.ping.has_value());
  EXPECT_EQ(first.ping->id, id_at(0, 0));  // the least recently seen
  // A second newcomer names the next node: the first ping is still out.
  const auto second = table.on_response(id_at(0, 101), ep(101), later + 1s);
  ASSERT_TRUE(second.ping.has_value());
  EXPECT_EQ(second.ping->id, id_at(0, 1));

  // Node 1 answers: it stays, good again.
  EXPECT_EQ(table.on_response(id_at(0, 1), ep(1), later + 2s).outcome, Outcome::updated);
  EXPECT_EQ(node_state(*table.find(id_at(0, 1)), later + 2s, table.config()), NodeState::good);
  // Node 0 does not: the freshest cached node takes its place.
  const auto replacement = table.on_timeout(id_at(0, 0), ep(0), later + 5s);
  ASSERT_TRUE(replacement.has_value());
  EXPECT_EQ(replacement->id, id_at(0, 101));
  EXPECT_FALSE(table.find(id_at(0, 0)).has_value());
  EXPECT_EQ(table.bucket_size(0), 8u);
  EXPECT_EQ(table.cache_size(0), 1u);
  EXPECT_EQ(table.last_changed(0), later + 5s);
}

TEST_F(DhtRoutingTable, ANamedPingIsNamedAgainAfterItsGracePeriod) {
  fill_far_bucket();
  const TimePoint later = t0 + 16min;
  for (std::uint32_t i = 0; i < 8; ++i) {
    const auto u = table.on_response(id_at(0, 100 + i), ep(100 + i), later);
    ASSERT_TRUE(u.ping.has_value());
    EXPECT_EQ(u.ping->id, id_at(0, i));
  }
  // All eight pings are out and unanswered; nothing left to name until they may be lost.
  EXPECT_FALSE(table.on_response(id_at(0, 200), ep(200), later + 30s).ping.has_value());
  const auto again = table.on_response(id_at(0, 201), ep(201), later + 61s);
  ASSERT_TRUE(again.ping.has_value());
  EXPECT_EQ(again.ping->id, id_at(0, 0));
}

TEST_F(DhtRoutingTable, ANodeBecomesBadAfterRepeatedSilenceAndIsReplacedByANewcomer) {
  fill_far_bucket();
  const NodeId victim = id_at(0, 3);
  EXPECT_FALSE(table.on_timeout(victim, ep(3), t0 + 1min).has_value());  // nothing cached to replace it
  EXPECT_EQ(node_state(*table.find(victim), t0 + 1min, table.config()), NodeState::questionable);
  table.on_timeout(victim, ep(3), t0 + 2min);
  table.on_timeout(victim, ep(3), t0 + 3min);
  EXPECT_EQ(node_state(*table.find(victim), t0 + 3min, table.config()), NodeState::bad);
  EXPECT_EQ(table.counts(t0 + 3min).bad, 1u);
  // Bad nodes are not handed out to others.
  const auto near = table.closest(victim, 8, t0 + 3min);
  EXPECT_EQ(near.size(), 7u);
  EXPECT_TRUE(std::none_of(near.begin(), near.end(), [&](const CompactNode& n) { return n.id == victim; }));
  // A newcomer takes the bad node's place at once.
  EXPECT_EQ(table.on_response(id_at(0, 100), ep(100), t0 + 4min).outcome, Outcome::added);
  EXPECT_FALSE(table.find(victim).has_value());
  EXPECT_EQ(table.bucket_size(0), 8u);
  // Its address is free again.
  EXPECT_EQ(table.on_response(id_at(0, 101), ep(3), t0 + 5min).outcome, Outcome::cached);
}

TEST_F(DhtRoutingTable, AnAnswerClearsFailures) {
  table.on_response(id_at(0, 1), ep(1), t0);
  table.on_timeout(id_at(0, 1), ep(1), t0 + 1s);
  table.on_timeout(id_at(0, 1), ep(1), t0 + 2s);
  EXPECT_EQ(table.find(id_at(0, 1))->failed_queries, 2);
  table.on_response(id_at(0, 1), ep(1), t0 + 3s);
  EXPECT_EQ(table.find(id_at(0, 1))->failed_queries, 0);
  EXPECT_EQ(node_state(*table.find(id_at(0, 1)), t0 + 3s, table.config()), NodeState::good);
}

TEST_F(DhtRoutingTable, TimeoutsForUnknownNodesOrOtherEndpointsAreIgnored) {
  table.on_response(id_at(0, 1), ep(1), t0);
  EXPECT_FALSE(table.on_timeout(id_at(0, 2), ep(2), t0 + 1s).has_value());
  table.on_timeout(id_at(0, 1), ep(9), t0 + 1s);
  EXPECT_EQ(table.find(id_at(0, 1))->failed_queries, 0);
}

TEST_F(DhtRoutingTable, CachedNodesThatKeepFailingAreDropped) {
  fill_far_bucket();
  table.on_response(id_at(0, 100), ep(100), t0 + 10s);
  for (int i = 0; i < 3; ++i) table.on_timeout(id_at(0, 100), ep(100), t0 + 20s);
  EXPECT_EQ(table.cache_size(0), 0u);
}

TEST_F(DhtRoutingTable, TheCachedNodeThatAnsweredLastIsPromotedFirst) {
  fill_far_bucket();
  table.on_response(id_at(0, 100), ep(100), t0 + 10s);
  table.on_response(id_at(0, 101), ep(101), t0 + 20s);
  EXPECT_EQ(table.on_response(id_at(0, 100), ep(100), t0 + 30s).outcome, Outcome::updated);  // still cached
  EXPECT_EQ(table.cache_size(0), 2u);
  const auto promoted = table.on_timeout(id_at(0, 5), ep(5), t0 + 40s);
  ASSERT_TRUE(promoted.has_value());
  EXPECT_EQ(promoted->id, id_at(0, 100));
  EXPECT_EQ(table.bucket_index(id_at(0, 100)), 0u);
  EXPECT_EQ(table.closest(id_at(0, 100), 1, t0 + 40s).front().id, id_at(0, 100));
}

TEST_F(DhtRoutingTable, OneNodePerAddress) {
  table.on_response(id_at(1, 1), UdpEndpoint(ip::make_address("192.0.2.7"), 6881), t0);
  // Another id behind the same address, on another port: refused, both ways in.
  const UdpEndpoint other_port(ip::make_address("192.0.2.7"), 6882);
  EXPECT_EQ(table.on_response(id_at(1, 2), other_port, t0).outcome, Outcome::ignored_address);
  EXPECT_EQ(table.on_query(id_at(1, 2), other_port, t0).outcome, Outcome::ignored_address);
  EXPECT_FALSE(table.find(id_at(1, 2)).has_value());
  // The address counts for cached nodes too.
  fill_far_bucket();
  table.on_response(id_at(0, 50), ep(50), t0 + 1s);  // cached
  EXPECT_EQ(table.on_response(id_at(3, 51), ep(50, 7000), t0 + 1s).outcome, Outcome::ignored_address);
}

TEST_F(DhtRoutingTable, TheSameEndpointAnsweringWithANewIdReplacesTheOldEntry) {
  table.on_response(id_at(0, 1), ep(1), t0);
  // A node that restarted with a new id (it proved the endpoint by answering our query).
  EXPECT_EQ(table.on_response(id_at(2, 9), ep(1), t0 + 1min).outcome, Outcome::added);
  EXPECT_FALSE(table.find(id_at(0, 1)).has_value());
  EXPECT_EQ(table.find(id_at(2, 9))->endpoint, ep(1));
  // A mere query with a new id from a known endpoint changes nothing.
  EXPECT_EQ(table.on_query(id_at(0, 5), ep(1), t0 + 2min).outcome, Outcome::ignored_address);
  EXPECT_TRUE(table.find(id_at(2, 9)).has_value());
}

TEST_F(DhtRoutingTable, AKnownIdAtAnotherAddressDoesNotMove) {
  table.on_response(id_at(0, 1), ep(1), t0);
  EXPECT_EQ(table.on_response(id_at(0, 1), ep(2), t0 + 1s).outcome, Outcome::ignored_id_moved);
  EXPECT_EQ(table.on_query(id_at(0, 1), ep(2), t0 + 1s).outcome, Outcome::ignored_id_moved);
  EXPECT_EQ(table.find(id_at(0, 1))->endpoint, ep(1));
  // The other address stays free for another node.
  EXPECT_EQ(table.on_response(id_at(0, 2), ep(2), t0 + 2s).outcome, Outcome::added);
  // A new port of the same address, proved by an answer, is followed (NAT rebinding).
  EXPECT_EQ(table.on_response(id_at(0, 1), ep(1, 7000), t0 + 3s).outcome, Outcome::updated);
  EXPECT_EQ(table.find(id_at(0, 1))->endpoint, ep(1, 7000));
}

TEST_F(DhtRoutingTable, NodeStatesFollowBep5) {
  RoutingTableConfig config;
  NodeEntry n;
  n.last_response = t0;
  EXPECT_EQ(node_state(n, t0 + 14min, config), NodeState::good);
  EXPECT_EQ(node_state(n, t0 + 15min, config), NodeState::questionable);
  // A node that answered once and keeps querying us stays good.
  n.last_query = t0 + 14min;
  EXPECT_EQ(node_state(n, t0 + 20min, config), NodeState::good);
  EXPECT_EQ(node_state(n, t0 + 29min, config), NodeState::questionable);
  // Queries alone never made a node good.
  NodeEntry stranger;
  stranger.last_query = t0;
  EXPECT_EQ(node_state(stranger, t0, config), NodeState::questionable);
  // One unanswered query makes it questionable, max_failures make it bad.
  n.failed_queries = 1;
  EXPECT_EQ(node_state(n, t0 + 14min, config), NodeState::questionable);
  n.failed_queries = config.max_failures;
  EXPECT_EQ(node_state(n, t0 + 14min, config), NodeState::bad);
}

TEST_F(DhtRoutingTable, QueriesFromAKnownNodeKeepItGood) {
  table.on_response(id_at(0, 1), ep(1), t0);
  EXPECT_EQ(table.on_query(id_at(0, 1), ep(1), t0 + 10min).outcome, Outcome::updated);
  EXPECT_EQ(table.find(id_at(0, 1))->last_query, t0 + 10min);
  EXPECT_EQ(table.counts(t0 + 20min).good, 1u);
  // From another port of its address, a query proves nothing: the entry is left alone.
  table.on_query(id_at(0, 1), ep(1, 9999), t0 + 11min);
  EXPECT_EQ(table.find(id_at(0, 1))->endpoint, ep(1));
  EXPECT_EQ(table.find(id_at(0, 1))->last_query, t0 + 10min);
}

TEST_F(DhtRoutingTable, QuietBucketsAreNamedForRefreshOncePerPeriod) {
  std::mt19937_64 rng(1);
  EXPECT_TRUE(table.refresh_due(t0 + 14min, rng).empty());
  const auto due = table.refresh_due(t0 + 15min, rng);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].bucket, 0u);
  EXPECT_TRUE(table.refresh_due(t0 + 16min, rng).empty());  // named: counts as touched
  EXPECT_EQ(table.refresh_due(t0 + 30min, rng).size(), 1u);
}

TEST_F(DhtRoutingTable, ActivityInABucketPostponesItsRefresh) {
  std::mt19937_64 rng(2);
  table.on_response(id_at(0, 1), ep(1), t0 + 10min);
  EXPECT_TRUE(table.refresh_due(t0 + 20min, rng).empty());
  table.on_response(id_at(0, 1), ep(1), t0 + 20min);  // answered again: the bucket changed
  EXPECT_TRUE(table.refresh_due(t0 + 34min, rng).empty());
  EXPECT_EQ(table.refresh_due(t0 + 35min, rng).size(), 1u);
}

TEST_F(DhtRoutingTable, RefreshTargetsLieInTheirBuckets) {
  std::mt19937_64 rng(3);
  for (std::uint32_t i = 0; i < 8; ++i) table.on_response(id_at(4, i), ep(i), t0);
  table.on_response(id_at(9, 8), ep(8), t0);
  ASSERT_EQ(table.bucket_count(), 6u);  // the last bucket split until the node sharing 9 bits fit
  for (int round = 0; round < 20; ++round) {
    const auto due = table.refresh_due(t0 + 15min * (round + 1), rng);
    ASSERT_EQ(due.size(), 6u);
    for (const auto& r : due) EXPECT_EQ(table.bucket_index(r.target), r.bucket) << r.target.hex();
  }
}

TEST_F(DhtRoutingTable, AfterJoiningEveryBucketButTheLastIsRefreshed) {
  std::mt19937_64 rng(5);
  EXPECT_TRUE(table.refresh_all(t0, rng).empty());  // one bucket: our own id's lookup covers it
  for (std::uint32_t i = 0; i < 8; ++i) table.on_response(id_at(4, i), ep(i), t0);
  table.on_response(id_at(9, 8), ep(8), t0);
  const auto all = table.refresh_all(t0 + 1min, rng);
  ASSERT_EQ(all.size(), table.bucket_count() - 1);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].bucket, i);
    EXPECT_EQ(table.bucket_index(all[i].target), i);
  }
  // Named now, so not due again until a quiet period from now has passed.
  EXPECT_EQ(table.refresh_due(t0 + 15min, rng).size(), 1u);  // only the last
  EXPECT_EQ(table.refresh_due(t0 + 16min, rng).size(), all.size());
}

TEST_F(DhtRoutingTable, ClosestReturnsTheNearestByXorDistance) {
  std::mt19937_64 rng(4);
  std::vector<NodeId> added;
  for (std::uint32_t i = 0; i < 400; ++i) {
    const NodeId id = random_id_with_prefix(kOwn, 0, rng);
    if (table.on_response(id, ep(i), t0).outcome == Outcome::added) added.push_back(id);
  }
  ASSERT_GT(added.size(), 30u);
  for (int round = 0; round < 20; ++round) {
    const NodeId target = random_id_with_prefix(kOwn, 0, rng);
    const auto got = table.closest(target, 8, t0);
    std::vector<NodeId> expected = added;
    std::sort(expected.begin(), expected.end(),
              [&](const NodeId& a, const NodeId& b) { return closer_to(target, a, b); });
    expected.resize(8);
    ASSERT_EQ(got.size(), 8u);
    for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(got[i].id, expected[i]) << i;
  }
  EXPECT_EQ(table.closest(kOwn, 1000, t0).size(), added.size());
}

TEST_F(DhtRoutingTable, StaysBoundedAndConsistentUnderChurn) {
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<std::uint32_t> address(1, 5000);
  std::uniform_int_distribution<int> action(0, 9);
  TimePoint now = t0;
  for (int step = 0; step < 20000; ++step) {
    now += 1s;
    // Ids cluster near ours now and then, so deep buckets get exercised too.
    const int prefix = action(rng) < 3 ? std::uniform_int_distribution<int>(0, 40)(rng) : 0;
    const NodeId id = random_id_with_prefix(kOwn, prefix, rng);
    const UdpEndpoint from = ep(address(rng));
    switch (action(rng)) {
      case 0:
      case 1:
      case 2:
      case 3:
      case 4:
        table.on_response(id, from, now);
        break;
      case 5:
      case 6:
        table.on_query(id, from, now);
        break;
      default: {
        const auto known = table.nodes();
        if (!known.empty()) {
          const auto& victim = known[std::uniform_int_distribution<std::size_t>(0, known.size() - 1)(rng)];
          table.on_timeout(victim.id, victim.endpoint, now);
        }
      }
    }
  }
  ASSERT_LE(table.bucket_count(), 160u);
  std::set<ip::address> addresses;
  for (std::size_t b = 0; b < table.bucket_count(); ++b) {
    EXPECT_LE(table.bucket_size(b), 8u);
    EXPECT_LE(table.cache_size(b), 8u);
  }
  for (const auto& n : table.nodes()) {
    EXPECT_TRUE(addresses.insert(n.endpoint.address()).second) << "two nodes on " << n.endpoint;
    const std::size_t b = table.bucket_index(n.id);
    const auto cpl = static_cast<std::size_t>(common_prefix_bits(kOwn, n.id));
    EXPECT_TRUE(b + 1 == table.bucket_count() ? cpl >= b : cpl == b);
  }
  const auto c = table.counts(now);
  EXPECT_EQ(c.good + c.questionable + c.bad, table.nodes().size());
  EXPECT_GT(table.bucket_count(), 5u);
}

}  // namespace
}  // namespace tessera::dht
