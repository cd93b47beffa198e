#include <gtest/gtest.h>

#include <random>

#include "dht/node_id.hpp"

namespace tessera::dht {
namespace {

NodeId hex_id(std::string_view hex) {
  return *NodeId::from_hex(hex);
}

TEST(DhtNodeId, FromBytesNeedsExactlyTwenty) {
  EXPECT_TRUE(NodeId::from_bytes("abcdefghij0123456789").has_value());
  EXPECT_FALSE(NodeId::from_bytes("abcdefghij012345678").has_value());
  EXPECT_FALSE(NodeId::from_bytes("abcdefghij0123456789x").has_value());
  EXPECT_EQ(NodeId::from_bytes("abcdefghij0123456789")->view(), "abcdefghij0123456789");
}

TEST(DhtNodeId, HexRoundTrip) {
  const auto id = NodeId::from_hex("0123456789ABCDEFabcdef0123456789abcdef01");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->hex(), "0123456789abcdefabcdef0123456789abcdef01");
  EXPECT_EQ(id->bytes[0], 0x01);
  EXPECT_EQ(id->bytes[19], 0x01);
  EXPECT_FALSE(NodeId::from_hex("0123").has_value());
  EXPECT_FALSE(NodeId::from_hex("g123456789abcdefabcdef0123456789abcdef01").has_value());
}

TEST(DhtNodeId, XorDistance) {
  const NodeId a = hex_id("ff00000000000000000000000000000000000001");
  const NodeId b = hex_id("0f00000000000000000000000000000000000003");
  EXPECT_EQ(xor_distance(a, b), hex_id("f000000000000000000000000000000000000002"));
  EXPECT_EQ(xor_distance(a, a), NodeId{});
  EXPECT_EQ(xor_distance(a, b), xor_distance(b, a));
}

TEST(DhtNodeId, CommonPrefixBits) {
  const NodeId zero{};
  EXPECT_EQ(common_prefix_bits(zero, zero), 160);
  EXPECT_EQ(common_prefix_bits(zero, hex_id("8000000000000000000000000000000000000000")), 0);
  EXPECT_EQ(common_prefix_bits(zero, hex_id("4000000000000000000000000000000000000000")), 1);
  EXPECT_EQ(common_prefix_bits(zero, hex_id("0001000000000000000000000000000000000000")), 15);
  EXPECT_EQ(common_prefix_bits(zero, hex_id("0000000000000000000000000000000000000001")), 159);
}

TEST(DhtNodeId, BitsCountFromTheMostSignificant) {
  NodeId id;
  id.flip_bit(0);
  EXPECT_EQ(id.bytes[0], 0x80);
  EXPECT_TRUE(id.bit(0));
  id.flip_bit(159);
  EXPECT_EQ(id.bytes[19], 0x01);
  EXPECT_TRUE(id.bit(159));
  EXPECT_FALSE(id.bit(1));
  id.flip_bit(0);
  EXPECT_FALSE(id.bit(0));
}

TEST(DhtNodeId, CloserComparesXorDistanceNotNumericValue) {
  const NodeId target = hex_id("8000000000000000000000000000000000000000");
  const NodeId near = hex_id("ff00000000000000000000000000000000000000");  // distance 7f..
  const NodeId far = hex_id("0000000000000000000000000000000000000001");   // distance 80..01
  EXPECT_TRUE(closer_to(target, near, far));
  EXPECT_FALSE(closer_to(target, far, near));
  EXPECT_FALSE(closer_to(target, near, near));
}

TEST(DhtNodeId, RandomIdKeepsThePrefix) {
  std::mt19937_64 rng(7);
  const NodeId prefix = hex_id("a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5");
  for (int bits : {0, 1, 7, 8, 13, 100, 159, 160}) {
    for (int round = 0; round < 20; ++round) {
      const NodeId id = random_id_with_prefix(prefix, bits, rng);
      EXPECT_GE(common_prefix_bits(id, prefix), bits) << bits;
    }
  }
  EXPECT_EQ(random_id_with_prefix(prefix, 160, rng), prefix);
}

TEST(DhtNodeId, RandomIdVariesBeyondThePrefix) {
  std::mt19937_64 rng(11);
  const NodeId prefix{};
  const NodeId a = random_id_with_prefix(prefix, 12, rng);
  const NodeId b = random_id_with_prefix(prefix, 12, rng);
  EXPECT_NE(a, b);
  // Over many draws, the bit right after the prefix takes both values.
  bool seen[2] = {false, false};
  for (int i = 0; i < 64; ++i) seen[random_id_with_prefix(prefix, 12, rng).bit(12)] = true;
  EXPECT_TRUE(seen[0] && seen[1]);
}

}  // namespace
}  // namespace tessera::dht
