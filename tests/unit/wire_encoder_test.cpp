#include <gtest/gtest.h>

#include "hex_bytes.hpp"

#include <string>

#include "wire/message_encoder.hpp"

namespace tessera::wire {
namespace {

using test::hex;

std::string encode(const Message& m) {
  std::string out;
  append_message(out, m);
  return out;
}

TEST(WireEncoder, BodilessMessages) {
  EXPECT_EQ(encode(KeepAlive{}), hex("00000000"));
  EXPECT_EQ(encode(Choke{}), hex("00000001 00"));
  EXPECT_EQ(encode(Unchoke{}), hex("00000001 01"));
  EXPECT_EQ(encode(Interested{}), hex("00000001 02"));
  EXPECT_EQ(encode(NotInterested{}), hex("00000001 03"));
  EXPECT_EQ(encode(HaveAll{}), hex("00000001 0e"));
  EXPECT_EQ(encode(HaveNone{}), hex("00000001 0f"));
  EXPECT_EQ(encode(Unknown{99}), hex("00000001 63"));
}

TEST(WireEncoder, IndexMessages) {
  EXPECT_EQ(encode(Have{0x01020304}), hex("00000005 04 01020304"));
  EXPECT_EQ(encode(Suggest{7}), hex("00000005 0d 00000007"));
  EXPECT_EQ(encode(AllowedFast{0xfffffffe}), hex("00000005 11 fffffffe"));
  EXPECT_EQ(encode(Port{6881}), hex("00000003 09 1ae1"));
}

TEST(WireEncoder, BlockMessages) {
  EXPECT_EQ(encode(Request{1, 0x4000, 0x4000}), hex("0000000d 06 00000001 00004000 00004000"));
  EXPECT_EQ(encode(Cancel{2, 0, 0x4000}), hex("0000000d 08 00000002 00000000 00004000"));
  EXPECT_EQ(encode(Reject{0x0a0b0c0d, 0x10, 0x20}), hex("0000000d 10 0a0b0c0d 00000010 00000020"));
  EXPECT_EQ(encode(Piece{2, 0x8000, "abc"}), hex("0000000c 07 00000002 00008000") + "abc");
}

TEST(WireEncoder, PieceHeaderMatchesFullPiece) {
  std::string header;
  append_piece_header(header, 3, 16384, 16384);
  EXPECT_EQ(header, hex("00004009 07 00000003 00004000"));
  const std::string block(16384, 'x');
  const std::string full = encode(Piece{3, 16384, block});
  EXPECT_EQ(full, header + block);
}

TEST(WireEncoder, Bitfield) {
  Bitfield bits(10);
  bits.set(0);
  bits.set(9);
  EXPECT_EQ(encode(BitfieldMsg{bits}), hex("00000003 05 80 40"));
  EXPECT_EQ(encode(BitfieldMsg{Bitfield(8, true)}), hex("00000002 05 ff"));
}

TEST(WireEncoder, Extended) {
  EXPECT_EQ(encode(Extended{0, "de"}), hex("00000004 14 00") + "de");
  EXPECT_EQ(encode(Extended{3, "d1:ai1ee"}), hex("0000000a 14 03") + "d1:ai1ee");
  EXPECT_EQ(encode(Extended{1, ""}), hex("00000002 14 01"));
}

TEST(WireEncoder, AppendsWithoutClearing) {
  std::string out = "prefix";
  append_message(out, Choke{});
  append_message(out, Have{1});
  EXPECT_EQ(out, "prefix" + hex("00000001 00 00000005 04 00000001"));
}

}  // namespace
}  // namespace tessera::wire
