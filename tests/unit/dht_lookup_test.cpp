#include <gtest/gtest.h>

#include <algorithm>

#include "dht/lookup.hpp"

namespace tessera::dht {
namespace {

namespace ip = boost::asio::ip;

// The target is all zeros, so a node's distance is its id: id_n(1) is the closest.
const NodeId kTarget{};
NodeId own_id() {
  NodeId id;
  id.bytes.fill(0xff);
  return id;
}
NodeId id_n(std::uint32_t n) {
  NodeId id;
  id.bytes[16] = static_cast<std::uint8_t>(n >> 24);
  id.bytes[17] = static_cast<std::uint8_t>(n >> 16);
  id.bytes[18] = static_cast<std::uint8_t>(n >> 8);
  id.bytes[19] = static_cast<std::uint8_t>(n);
  return id;
}
UdpEndpoint ep(std::uint32_t n) {
  return UdpEndpoint(ip::address_v4(0x0a000000u + n), 6881);
}
CompactNode node(std::uint32_t n) {
  return {id_n(n), ep(n)};
}

std::vector<std::uint32_t> numbers(const std::vector<Lookup::Contact>& contacts) {
  std::vector<std::uint32_t> out;
  for (const auto& c : contacts) out.push_back(c.endpoint.address().to_v4().to_uint() - 0x0a000000u);
  return out;
}

TEST(DhtLookup, QueriesTheClosestFewAtATime) {
  Lookup lookup(kTarget, own_id(), LookupConfig{8, 3, 100, 128});
  for (std::uint32_t n : {50u, 10u, 40u, 20u, 30u}) EXPECT_TRUE(lookup.add_candidate(node(n)));
  EXPECT_EQ(numbers(lookup.next_queries(100)), (std::vector<std::uint32_t>{10, 20, 30}));
  EXPECT_TRUE(lookup.next_queries(100).empty());  // three in flight
  lookup.on_answer(ep(20), id_n(20), std::vector{node(5), node(60)}, std::nullopt);
  // The answer named a closer node: it goes next.
  EXPECT_EQ(numbers(lookup.next_queries(100)), (std::vector<std::uint32_t>{5}));
  EXPECT_FALSE(lookup.done());
}

TEST(DhtLookup, EndsWhenTheKClosestHaveAnswered) {
  Lookup lookup(kTarget, own_id(), LookupConfig{3, 3, 100, 128});
  for (std::uint32_t n = 1; n <= 6; ++n) lookup.add_candidate(node(n * 10));
  EXPECT_EQ(numbers(lookup.next_queries(100)), (std::vector<std::uint32_t>{10, 20, 30}));
  lookup.on_answer(ep(10), id_n(10), {}, std::string("t1"));
  lookup.on_failure(ep(20));
  EXPECT_FALSE(lookup.done());
  // 20 failed: 40 is now among the three closest left.
  EXPECT_EQ(numbers(lookup.next_queries(100)), (std::vector<std::uint32_t>{40}));
  lookup.on_answer(ep(30), id_n(30), {}, std::nullopt);
  lookup.on_answer(ep(40), id_n(40), {}, std::string("t4"));
  EXPECT_TRUE(lookup.done());
  EXPECT_EQ(lookup.queries_sent(), 4u);
  const auto best = lookup.closest_answered();
  EXPECT_EQ(numbers(best), (std::vector<std::uint32_t>{10, 30, 40}));
  EXPECT_EQ(best[0].token, std::optional<std::string>("t1"));
}

TEST(DhtLookup, EndsWhenNothingIsLeftToAsk) {
  Lookup lookup(kTarget, own_id(), LookupConfig{8, 4, 100, 128});
  EXPECT_TRUE(lookup.done());  // nobody to ask at all
  lookup.add_candidate(node(1));
  lookup.add_candidate(node(2));
  EXPECT_FALSE(lookup.done());
  lookup.next_queries(100);
  lookup.on_failure(ep(1));
  EXPECT_FALSE(lookup.done());
  lookup.on_answer(ep(2), id_n(2), {}, std::nullopt);
  EXPECT_TRUE(lookup.done());
}

TEST(DhtLookup, NotDoneWhileNoRoomToSend) {
  Lookup lookup(kTarget, own_id());
  lookup.add_candidate(node(1));
  EXPECT_TRUE(lookup.next_queries(0).empty());
  EXPECT_FALSE(lookup.done());
}

TEST(DhtLookup, StopsAfterMaxQueries) {
  Lookup lookup(kTarget, own_id(), LookupConfig{8, 4, 10, 128});
  // Every answer names two nodes closer than anything asked so far: an endless descent.
  std::uint32_t next = 1'000'000;
  lookup.add_candidate(node(next));
  std::size_t rounds = 0;
  while (!lookup.done() && rounds++ < 100) {
    for (const auto& c : lookup.next_queries(100)) {
      next /= 2;
      lookup.on_answer(c.endpoint, *c.id, std::vector{node(next), node(next - 1)}, std::nullopt);
    }
  }
  EXPECT_TRUE(lookup.done());
  EXPECT_EQ(lookup.queries_sent(), 10u);
}

TEST(DhtLookup, HostileAnswersAreContained) {
  Lookup lookup(kTarget, own_id(), LookupConfig{8, 4, 100, 16});
  lookup.add_candidate(node(100));
  lookup.next_queries(100);
  // Answering with another id than it was named with: failed, and the nodes it named are ignored.
  lookup.on_answer(ep(100), id_n(99), std::vector{node(1)}, std::nullopt);
  EXPECT_EQ(lookup.candidate_count(), 1u);
  EXPECT_TRUE(lookup.done());

  Lookup second(kTarget, own_id(), LookupConfig{8, 4, 100, 16});
  EXPECT_FALSE(second.add_candidate({own_id(), ep(1)}));                           // ourselves
  EXPECT_FALSE(second.add_candidate({id_n(1), UdpEndpoint(ep(1).address(), 0)}));  // port 0
  EXPECT_TRUE(second.add_candidate(node(1)));
  EXPECT_FALSE(second.add_candidate({id_n(2), UdpEndpoint(ep(1).address(), 7000)}));  // same address
  EXPECT_FALSE(second.add_candidate({id_n(1), ep(3)}));                               // same id
  // A flood of names: the list keeps its 16 closest.
  for (std::uint32_t n = 1000; n > 10; --n) second.add_candidate(node(n));
  EXPECT_EQ(second.candidate_count(), 16u);
  const auto asked = numbers(second.next_queries(100));
  EXPECT_EQ(asked, (std::vector<std::uint32_t>{1, 11, 12, 13}));
  // Answers from nobody we asked change nothing.
  second.on_answer(ep(500), id_n(500), std::vector{node(2)}, std::nullopt);
  EXPECT_EQ(second.in_flight(), 4u);
  EXPECT_EQ(second.answered(), 0u);
}

TEST(DhtLookup, SeedsAreAskedFirstAndAreNoResult) {
  Lookup lookup(kTarget, own_id(), LookupConfig{8, 2, 100, 128});
  const UdpEndpoint router(ip::make_address("192.0.2.9"), 6881);
  lookup.add_candidate(node(5));
  lookup.add_seed(router);
  const auto first = lookup.next_queries(100);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].endpoint, router);
  EXPECT_FALSE(first[0].id.has_value());
  lookup.on_answer(router, id_n(777), std::vector{node(3)}, std::nullopt);
  lookup.on_answer(ep(5), id_n(5), {}, std::nullopt);
  EXPECT_EQ(numbers(lookup.next_queries(100)), (std::vector<std::uint32_t>{3}));
  lookup.on_answer(ep(3), id_n(3), {}, std::nullopt);
  EXPECT_TRUE(lookup.done());
  EXPECT_EQ(numbers(lookup.closest_answered()), (std::vector<std::uint32_t>{3, 5}));
}

}  // namespace
}  // namespace tessera::dht
