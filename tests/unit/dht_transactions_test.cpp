#include <gtest/gtest.h>

#include <random>
#include <set>

#include "dht/transactions.hpp"

namespace tessera::dht {
namespace {

using namespace std::chrono_literals;
namespace ip = boost::asio::ip;
using TimePoint = Transactions::TimePoint;

UdpEndpoint ep(std::uint32_t n) {
  return UdpEndpoint(ip::address_v4(0x0a000000u + n), 6881);
}

TEST(DhtTransactions, AnAnswerClosesItsQueryOnlyFromTheRightEndpoint) {
  const TimePoint t0 = TimePoint{} + 1000h;
  std::mt19937_64 rng(1);
  Transactions tx(8, 5s);
  const auto tid = tx.open(PendingQuery{ep(1), std::nullopt, Method::ping, 0, t0}, rng);
  ASSERT_TRUE(tid.has_value());
  EXPECT_EQ(tid->size(), 2u);
  EXPECT_TRUE(tx.pending_to(ep(1)));
  EXPECT_FALSE(tx.close(*tid, ep(2)).has_value());  // somebody else answering
  EXPECT_FALSE(tx.close("zz", ep(1)).has_value());  // an id we never used
  const auto closed = tx.close(*tid, ep(1));
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->endpoint, ep(1));
  EXPECT_FALSE(tx.close(*tid, ep(1)).has_value());  // a duplicate answer
  EXPECT_FALSE(tx.pending_to(ep(1)));
}

TEST(DhtTransactions, UnansweredQueriesExpireAfterTheTimeout) {
  const TimePoint t0 = TimePoint{} + 1000h;
  std::mt19937_64 rng(1);
  Transactions tx(8, 5s);
  tx.open(PendingQuery{ep(1), std::nullopt, Method::ping, 0, t0}, rng);
  tx.open(PendingQuery{ep(2), std::nullopt, Method::ping, 0, t0 + 2s}, rng);
  EXPECT_TRUE(tx.expire(t0 + 4999ms).empty());
  const auto first = tx.expire(t0 + 5s);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].endpoint, ep(1));
  EXPECT_EQ(tx.expire(t0 + 7s).size(), 1u);
  EXPECT_EQ(tx.size(), 0u);
}

TEST(DhtTransactions, IdsAreUniqueAndBounded) {
  const TimePoint t0 = TimePoint{} + 1000h;
  std::mt19937_64 rng(1);
  Transactions tx(512, 5s);
  std::set<std::string> ids;
  for (std::uint32_t i = 0; i < 512; ++i) {
    const auto tid = tx.open(PendingQuery{ep(i), std::nullopt, Method::ping, 0, t0}, rng);
    ASSERT_TRUE(tid.has_value());
    ids.insert(*tid);
  }
  EXPECT_EQ(ids.size(), 512u);
  EXPECT_TRUE(tx.full());
  EXPECT_FALSE(tx.open(PendingQuery{ep(1000), std::nullopt, Method::ping, 0, t0}, rng).has_value());
}

}  // namespace
}  // namespace tessera::dht
