#include "bitfield/bitfield.hpp"

#include <gtest/gtest.h>

namespace tessera {
namespace {

TEST(Bitfield, WireOrderHighBitFirst) {
  Bitfield b(10);
  b.set(0);
  b.set(9);
  EXPECT_EQ(b.bytes(), std::string_view("\x80\x40", 2));
  EXPECT_EQ(b.count(), 2u);
  b.set(9);  // idempotent
  EXPECT_EQ(b.count(), 2u);
  b.reset(0);
  EXPECT_FALSE(b.get(0));
  EXPECT_TRUE(b[9]);
  EXPECT_EQ(b.count(), 1u);
}

TEST(Bitfield, SetAllLeavesSpareBitsClear) {
  Bitfield b(10, true);
  EXPECT_TRUE(b.all());
  EXPECT_EQ(b.bytes(), std::string_view("\xff\xc0", 2));
  b.reset_all();
  EXPECT_TRUE(b.none());
}

TEST(Bitfield, FromBytesChecksLengthAndSpareBits) {
  Bitfield b;
  ASSERT_TRUE(Bitfield::from_bytes(std::string_view("\xa0\x40", 2), 10, b));
  EXPECT_EQ(b.count(), 3u);
  EXPECT_TRUE(b[0] && b[2] && b[9]);
  EXPECT_FALSE(Bitfield::from_bytes(std::string_view("\xa0\x60", 2), 10, b));  // spare bit 10 set
  EXPECT_FALSE(Bitfield::from_bytes(std::string_view("\xa0", 1), 10, b));      // too short
  EXPECT_FALSE(Bitfield::from_bytes(std::string_view("\xa0\x40\x00", 3), 10, b));
  EXPECT_TRUE(Bitfield::from_bytes(std::string_view("\xff", 1), 8, b));
  EXPECT_TRUE(b.all());
}

}  // namespace
}  // namespace tessera
