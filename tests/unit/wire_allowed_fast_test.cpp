#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "wire/allowed_fast.hpp"

namespace tessera::wire {
namespace {

Sha1Digest all_aa() {
  Sha1Digest d;
  d.bytes.fill(0xAA);
  return d;
}

constexpr std::uint32_t ip(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

// The worked example of BEP 6.
TEST(AllowedFast, MatchesBep6Example) {
  EXPECT_EQ(allowed_fast_set(ip(80, 4, 4, 200), all_aa(), 1313, 7),
            (std::vector<std::uint32_t>{1059, 431, 808, 1217, 287, 376, 1188}));
  EXPECT_EQ(allowed_fast_set(ip(80, 4, 4, 200), all_aa(), 1313, 9),
            (std::vector<std::uint32_t>{1059, 431, 808, 1217, 287, 376, 1188, 353, 508}));
}

TEST(AllowedFast, DependsOnlyOnTheSlash24) {
  const auto reference = allowed_fast_set(ip(80, 4, 4, 200), all_aa(), 1313, 7);
  EXPECT_EQ(allowed_fast_set(ip(80, 4, 4, 1), all_aa(), 1313, 7), reference);
  EXPECT_NE(allowed_fast_set(ip(80, 4, 5, 200), all_aa(), 1313, 7), reference);
  Sha1Digest other = all_aa();
  other.bytes[0] = 0;
  EXPECT_NE(allowed_fast_set(ip(80, 4, 4, 200), other, 1313, 7), reference);
}

TEST(AllowedFast, SmallTorrentsGetEveryPieceOnce) {
  // k above the piece count must terminate with each piece exactly once.
  auto set = allowed_fast_set(ip(10, 0, 0, 1), all_aa(), 5, 10);
  ASSERT_EQ(set.size(), 5u);
  std::sort(set.begin(), set.end());
  EXPECT_EQ(set, (std::vector<std::uint32_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(allowed_fast_set(ip(10, 0, 0, 1), all_aa(), 1, 10), (std::vector<std::uint32_t>{0}));
}

TEST(AllowedFast, EmptyCases) {
  EXPECT_TRUE(allowed_fast_set(ip(10, 0, 0, 1), all_aa(), 0, 10).empty());
  EXPECT_TRUE(allowed_fast_set(ip(10, 0, 0, 1), all_aa(), 100, 0).empty());
}

TEST(AllowedFast, IndicesAreDistinctAndInRange) {
  const auto set = allowed_fast_set(ip(192, 168, 1, 20), all_aa(), 40, 30);
  ASSERT_EQ(set.size(), 30u);
  for (const std::uint32_t i : set) EXPECT_LT(i, 40u);
  auto sorted = set;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end());
}

}  // namespace
}  // namespace tessera::wire
