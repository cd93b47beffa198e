#include <gtest/gtest.h>

#include "hex_bytes.hpp"

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "wire/message_decoder.hpp"
#include "wire/message_encoder.hpp"

namespace tessera::wire {
namespace {

using Code = ProtocolError::Code;

// 10 pieces of 32 KiB; the last one is 300000 - 9 * 32768 = 5088 bytes.
constexpr TorrentShape kShape{10, 32768, 300000};

using test::hex;

std::string pattern(std::size_t n, unsigned seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31 + seed) & 0xFF);
  return s;
}

// Feeds `wire` in pieces of the given sizes (cycled) and checks each message as it comes out,
// before the next call to the decoder could invalidate a Piece's view.
void expect_decodes(const std::string& wire, const std::vector<Message>& expected,
                    const std::vector<std::size_t>& chunks, DecoderLimits limits = {}) {
  MessageDecoder d(kShape, limits);
  std::size_t pos = 0;
  std::size_t chunk = 0;
  std::size_t got = 0;
  while (true) {
    auto m = d.next();
    ASSERT_TRUE(m) << m.error().message;
    if (m->has_value()) {
      ASSERT_LT(got, expected.size());
      EXPECT_EQ(**m, expected[got]) << "message " << got << " (variant index " << (*m)->index() << ")";
      ++got;
      continue;
    }
    if (pos == wire.size()) break;
    const std::size_t n = std::min(chunks[chunk++ % chunks.size()], wire.size() - pos);
    d.feed(std::string_view(wire).substr(pos, n));
    pos += n;
  }
  EXPECT_EQ(got, expected.size());
  EXPECT_EQ(d.buffered(), 0u);
}

struct Stream {
  std::string wire;
  std::vector<Message> messages;
  std::vector<std::string> blocks;  // owns piece data for `messages`
};

Stream every_message() {
  Stream s;
  s.blocks.reserve(2);
  s.blocks.push_back(pattern(992, 1));
  s.blocks.push_back(pattern(16384, 2));
  Bitfield bits(10);
  bits.set(0);
  bits.set(3);
  bits.set(9);
  s.messages = {KeepAlive{},
                Choke{},
                Unchoke{},
                Interested{},
                NotInterested{},
                Have{9},
                BitfieldMsg{bits},
                Request{0, 0, 16384},
                Piece{9, 4096, s.blocks[0]},  // ends exactly at the end of the short last piece
                Piece{1, 16384, s.blocks[1]},
                Cancel{9, 4992, 96},
                Port{6881},
                Suggest{2},
                HaveAll{},
                HaveNone{},
                Reject{3, 16384, 16384},
                AllowedFast{5},
                Extended{0, "d1:md11:ut_metadatai2eee"},
                Extended{2, ""},
                KeepAlive{}};
  for (const Message& m : s.messages) append_message(s.wire, m);
  return s;
}

TEST(WireDecoder, PieceSizes) {
  EXPECT_EQ(kShape.piece_size(0), 32768);
  EXPECT_EQ(kShape.piece_size(8), 32768);
  EXPECT_EQ(kShape.piece_size(9), 5088);
  EXPECT_EQ(kShape.piece_size(10), 0);
  const TorrentShape exact{4, 16, 64};
  EXPECT_EQ(exact.piece_size(3), 16);
}

TEST(WireDecoder, DecodesEveryMessageAtOnce) {
  const Stream s = every_message();
  expect_decodes(s.wire, s.messages, {s.wire.size()});
}

TEST(WireDecoder, DecodesOneByteAtATime) {
  const Stream s = every_message();
  expect_decodes(s.wire, s.messages, {1});
}

TEST(WireDecoder, DecodesRandomChunks) {
  const Stream s = every_message();
  for (unsigned seed = 1; seed <= 50; ++seed) {
    std::mt19937 rng(seed);
    std::vector<std::size_t> chunks;
    for (int i = 0; i < 64; ++i) chunks.push_back(std::uniform_int_distribution<std::size_t>(1, 700)(rng));
    SCOPED_TRACE(seed);
    expect_decodes(s.wire, s.messages, chunks);
  }
}

TEST(WireDecoder, DecodesRealBytes) {
  MessageDecoder d(kShape);
  d.feed(hex("00000000 00000001 02 00000005 04 00000003 0000000d 06 00000002 00004000 00004000 "
             "00000003 09 1ae1 00000003 05 9040 0000000c 07 00000009 00000010") +
         "xyz");
  const std::vector<Message> expected = {KeepAlive{}, Interested{}, Have{3}, Request{2, 16384, 16384},
                                         Port{6881}};
  for (const Message& m : expected) {
    auto got = d.next();
    ASSERT_TRUE(got && got->has_value());
    EXPECT_EQ(**got, m);
  }
  auto bitfield = d.next();
  ASSERT_TRUE(bitfield && bitfield->has_value());
  const Bitfield& bits = std::get<BitfieldMsg>(**bitfield).bits;
  EXPECT_EQ(bits.size(), 10u);
  EXPECT_EQ(bits.count(), 3u);
  EXPECT_TRUE(bits[0] && bits[3] && bits[9]);
  auto piece = d.next();
  ASSERT_TRUE(piece && piece->has_value());
  const Piece& p = std::get<Piece>(**piece);
  EXPECT_EQ(p.piece, 9u);
  EXPECT_EQ(p.begin, 16u);
  EXPECT_EQ(p.data, "xyz");
  auto none = d.next();
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST(WireDecoder, NeedsMoreBytes) {
  MessageDecoder d(kShape);
  for (const char* part : {"00", "0000", "05", "04", "000000"}) {
    d.feed(hex(part));
    auto m = d.next();
    ASSERT_TRUE(m);
    EXPECT_FALSE(m->has_value()) << "after " << part;
  }
  EXPECT_EQ(d.buffered(), 8u);
  d.feed(hex("07"));
  auto m = d.next();
  ASSERT_TRUE(m && m->has_value());
  EXPECT_EQ(**m, Message(Have{7}));
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(WireDecoder, AcceptsEdgeValues) {
  Bitfield all(10, true);
  Stream s;
  s.blocks.push_back(pattern(16384, 3));
  s.blocks.push_back(pattern(5088, 4));
  s.messages = {BitfieldMsg{all},
                Request{9, 0, 5088},       // the whole short last piece
                Request{8, 16384, 16384},  // the last block of a full piece
                Piece{0, 16384, s.blocks[0]},
                Piece{9, 0, s.blocks[1]},
                Have{0},
                Have{9},
                Port{0},
                Port{65535}};
  for (const Message& m : s.messages) append_message(s.wire, m);
  expect_decodes(s.wire, s.messages, {7});
  // A torrent whose piece count is a multiple of 8 has no spare bits at all.
  MessageDecoder eight({8, 16, 128});
  eight.feed(hex("00000002 05 ff"));
  auto m = eight.next();
  ASSERT_TRUE(m && m->has_value());
  EXPECT_TRUE(std::get<BitfieldMsg>(**m).bits.all());
}

TEST(WireDecoder, SkipsUnknownMessages) {
  // Id 42 with a 5-byte body, id 10 (unassigned) with none, then a have.
  const std::string wire = hex("00000006 2a 0102030405 00000001 0a 00000005 04 00000001");
  const std::vector<Message> expected = {Unknown{42}, Unknown{10}, Have{1}};
  expect_decodes(wire, expected, {wire.size()});
  expect_decodes(wire, expected, {1});
  expect_decodes(wire, expected, {3, 5});
}

TEST(WireDecoder, UnknownBodyIsDiscardedNotBuffered) {
  MessageDecoder d(kShape);
  d.feed(hex("00010000 63"));  // id 99 announcing 65535 body bytes: the largest allowed
  auto m = d.next();
  ASSERT_TRUE(m && m->has_value());
  EXPECT_EQ(**m, Message(Unknown{99}));
  const std::string body(1000, 'z');
  for (int i = 0; i < 65; ++i) {
    d.feed(body);
    auto more = d.next();
    ASSERT_TRUE(more);
    EXPECT_FALSE(more->has_value());
    EXPECT_EQ(d.buffered(), 0u);
  }
  d.feed(std::string(535, 'z') + hex("00000001 01"));
  auto after = d.next();
  ASSERT_TRUE(after && after->has_value());
  EXPECT_EQ(**after, Message(Unchoke{}));
  EXPECT_LT(d.capacity(), 4096u);
}

struct BadCase {
  const char* name;
  std::string wire;
  Code code;
  std::string message;
};

std::vector<BadCase> bad_cases() {
  return {
      {"choke with a body", hex("00000002 00 00"), Code::message_too_long,
       "message too long: 2 bytes for id 0 (choke, at most 1)"},
      {"have_all with a body", hex("00000002 0e 00"), Code::message_too_long,
       "message too long: 2 bytes for id 14 (have all, at most 1)"},
      {"have_none with a body", hex("00000005 0f 00000000"), Code::message_too_long,
       "message too long: 5 bytes for id 15 (have none, at most 1)"},
      {"long have", hex("00000006 04 00000001 00"), Code::message_too_long,
       "message too long: 6 bytes for id 4 (have, at most 5)"},
      {"short have", hex("00000004 04 000000"), Code::message_too_short,
       "message too short: 4 bytes for id 4 (have, at least 5)"},
      {"short suggest", hex("00000001 0d"), Code::message_too_short,
       "message too short: 1 bytes for id 13 (suggest, at least 5)"},
      {"long allowed_fast", hex("00000009 11 00000001 00000002"), Code::message_too_long,
       "message too long: 9 bytes for id 17 (allowed fast, at most 5)"},
      {"short request", hex("0000000c 06 00000000 00000000 000040"), Code::message_too_short,
       "message too short: 12 bytes for id 6 (request, at least 13)"},
      {"long cancel", hex("0000000e 08 00000000 00000000 00004000 00"), Code::message_too_long,
       "message too long: 14 bytes for id 8 (cancel, at most 13)"},
      {"short reject", hex("00000005 10 00000000"), Code::message_too_short,
       "message too short: 5 bytes for id 16 (reject, at least 13)"},
      {"short port", hex("00000002 09 1a"), Code::message_too_short,
       "message too short: 2 bytes for id 9 (port, at least 3)"},
      {"long port", hex("00000005 09 00001ae1"), Code::message_too_long,
       "message too long: 5 bytes for id 9 (port, at most 3)"},
      {"huge piece", hex("00100018 07"), Code::message_too_long,
       "message too long: 1048600 bytes for id 7 (piece, at most 16393)"},
      {"piece one byte over the block limit", hex("0000400a 07"), Code::message_too_long,
       "message too long: 16394 bytes for id 7 (piece, at most 16393)"},
      {"short piece", hex("00000008 07 00000000 000000"), Code::message_too_short,
       "message too short: 8 bytes for id 7 (piece, at least 9)"},
      {"4 GiB prefix", hex("ffffffff 07"), Code::message_too_long,
       "message too long: 4294967295 bytes for id 7 (piece, at most 16393)"},
      {"long bitfield", hex("00000004 05 ffc000"), Code::message_too_long,
       "message too long: 4 bytes for id 5 (bitfield, at most 3)"},
      {"short bitfield", hex("00000002 05 ff"), Code::message_too_short,
       "message too short: 2 bytes for id 5 (bitfield, at least 3)"},
      {"empty bitfield", hex("00000001 05"), Code::message_too_short,
       "message too short: 1 bytes for id 5 (bitfield, at least 3)"},
      {"bitfield spare bits", hex("00000003 05 ffe0"), Code::bitfield_spare_bits,
       "bitfield has spare bits set"},
      {"bitfield last spare bit", hex("00000003 05 0001"), Code::bitfield_spare_bits,
       "bitfield has spare bits set"},
      {"short extended", hex("00000001 14"), Code::message_too_short,
       "message too short: 1 bytes for id 20 (extended, at least 2)"},
      {"huge extended", hex("00100002 14"), Code::message_too_long,
       "message too long: 1048578 bytes for id 20 (extended, at most 1048576)"},
      {"huge unknown", hex("00010001 2a"), Code::message_too_long,
       "message too long: 65537 bytes for id 42 (unknown message, at most 65536)"},
      {"have out of range", hex("00000005 04 0000000a"), Code::piece_out_of_range,
       "have index 10 out of range (10 pieces)"},
      {"suggest out of range", hex("00000005 0d ffffffff"), Code::piece_out_of_range,
       "suggest index 4294967295 out of range (10 pieces)"},
      {"allowed_fast out of range", hex("00000005 11 0000000b"), Code::piece_out_of_range,
       "allowed fast index 11 out of range (10 pieces)"},
      {"request out of range", hex("0000000d 06 0000000a 00000000 00004000"), Code::piece_out_of_range,
       "request index 10 out of range (10 pieces)"},
      {"request empty", hex("0000000d 06 00000000 00000000 00000000"), Code::bad_block_length,
       "request 0:0+0 is an empty block"},
      {"request too large", hex("0000000d 06 00000000 00000000 00004001"), Code::bad_block_length,
       "request 0:0+16385 exceeds the block limit of 16384"},
      {"request past the last piece", hex("0000000d 06 00000009 00001000 000003e8"), Code::block_out_of_range,
       "request 9:4096+1000 past the end of the piece (5088 bytes)"},
      {"request past a full piece", hex("0000000d 06 00000000 00004001 00004000"), Code::block_out_of_range,
       "request 0:16385+16384 past the end of the piece (32768 bytes)"},
      {"request whose end overflows 32 bits", hex("0000000d 06 00000000 ffffffff 00004000"),
       Code::block_out_of_range, "request 0:4294967295+16384 past the end of the piece (32768 bytes)"},
      {"cancel out of range", hex("0000000d 08 0000000a 00000000 00004000"), Code::piece_out_of_range,
       "cancel index 10 out of range (10 pieces)"},
      {"cancel past the end", hex("0000000d 08 00000009 00001000 00001000"), Code::block_out_of_range,
       "cancel 9:4096+4096 past the end of the piece (5088 bytes)"},
      {"cancel empty", hex("0000000d 08 00000001 00000000 00000000"), Code::bad_block_length,
       "cancel 1:0+0 is an empty block"},
      {"reject empty", hex("0000000d 10 00000000 00000000 00000000"), Code::bad_block_length,
       "reject 0:0+0 is an empty block"},
      {"reject too large", hex("0000000d 10 00000000 00000000 00008000"), Code::bad_block_length,
       "reject 0:0+32768 exceeds the block limit of 16384"},
      {"reject out of range", hex("0000000d 10 00000010 00000000 00004000"), Code::piece_out_of_range,
       "reject index 16 out of range (10 pieces)"},
      {"reject past the end", hex("0000000d 10 00000009 00000000 00001400"), Code::block_out_of_range,
       "reject 9:0+5120 past the end of the piece (5088 bytes)"},
      {"piece out of range", hex("0000000c 07 0000000a 00000000") + "abc", Code::piece_out_of_range,
       "piece index 10 out of range (10 pieces)"},
      {"piece with no data", hex("00000009 07 00000000 00000000"), Code::bad_block_length,
       "piece 0:0+0 is an empty block"},
      {"piece past the last piece", hex("0000006d 07 00000009 00001388") + std::string(100, 'd'),
       Code::block_out_of_range, "piece 9:5000+100 past the end of the piece (5088 bytes)"},
  };
}

TEST(WireDecoder, RejectsMalformedMessages) {
  for (const BadCase& c : bad_cases()) {
    SCOPED_TRACE(c.name);
    MessageDecoder d(kShape);
    d.feed(hex("00000001 01"));  // a good message first: errors do not hide what came before
    d.feed(c.wire);
    auto first = d.next();
    ASSERT_TRUE(first && first->has_value());
    EXPECT_EQ(**first, Message(Unchoke{}));
    auto m = d.next();
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, c.code);
    EXPECT_EQ(m.error().message, c.message);
  }
}

TEST(WireDecoder, RejectsMalformedMessagesFedOneByteAtATime) {
  for (const BadCase& c : bad_cases()) {
    SCOPED_TRACE(c.name);
    MessageDecoder d(kShape);
    bool failed = false;
    for (const char byte : c.wire) {
      d.feed(std::string_view(&byte, 1));
      auto m = d.next();
      if (!m) {
        EXPECT_EQ(m.error().code, c.code);
        EXPECT_EQ(m.error().message, c.message);
        failed = true;
        break;
      }
      ASSERT_FALSE(m->has_value());
    }
    EXPECT_TRUE(failed);
  }
}

TEST(WireDecoder, JudgesLengthBeforeTheBodyArrives) {
  // Only the prefix and the id: the error must not wait for (or buffer) a megabyte of body.
  MessageDecoder d(kShape);
  d.feed(hex("00100018 07"));
  auto m = d.next();
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message, "message too long: 1048600 bytes for id 7 (piece, at most 16393)");
  EXPECT_LT(d.capacity(), 64u);

  // A piece's header is judged as soon as its 13 bytes are in, before the block.
  MessageDecoder early(kShape);
  early.feed(hex("00004009 07 0000000a 00000000"));
  auto e = early.next();
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, Code::piece_out_of_range);
}

TEST(WireDecoder, ErrorsAreSticky) {
  MessageDecoder d(kShape);
  d.feed(hex("00000005 04 000000ff"));
  auto first = d.next();
  ASSERT_FALSE(first);
  d.feed(hex("00000001 01"));
  for (int i = 0; i < 3; ++i) {
    auto again = d.next();
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, first.error().code);
    EXPECT_EQ(again.error().message, "have index 255 out of range (10 pieces)");
  }
}

TEST(WireDecoder, CustomLimits) {
  DecoderLimits limits;
  limits.max_block = 32768;
  limits.max_extended = 100;
  limits.max_unknown = 8;
  MessageDecoder d(kShape, limits);
  d.feed(hex("0000000d 06 00000000 00000000 00008000"));  // a 32 KiB request is fine now
  auto m = d.next();
  ASSERT_TRUE(m && m->has_value());
  EXPECT_EQ(**m, Message(Request{0, 0, 32768}));

  MessageDecoder ext(kShape, limits);
  ext.feed(hex("00000065 14 00"));
  auto e = ext.next();
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message, "message too long: 101 bytes for id 20 (extended, at most 100)");

  MessageDecoder unk(kShape, limits);
  unk.feed(hex("00000009 ff"));
  auto u = unk.next();
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error().message, "message too long: 9 bytes for id 255 (unknown message, at most 8)");
}

TEST(WireDecoder, PrepareAndCommitReadInPlace) {
  MessageDecoder d(kShape);
  const std::string wire = hex("00000005 04 00000002 00000001 03");
  std::span<char> space = d.prepare(64);
  ASSERT_EQ(space.size(), 64u);
  std::memcpy(space.data(), wire.data(), 7);
  d.commit(7);  // a short read
  EXPECT_EQ(d.buffered(), 7u);
  auto partial = d.next();
  ASSERT_TRUE(partial);
  EXPECT_FALSE(partial->has_value());
  space = d.prepare(4);
  std::memcpy(space.data(), wire.data() + 7, 4);
  d.commit(100);  // more than prepared: capped
  EXPECT_EQ(d.buffered(), 11u);
  d.feed(wire.substr(11));
  auto have = d.next();
  ASSERT_TRUE(have && have->has_value());
  EXPECT_EQ(**have, Message(Have{2}));
  auto ni = d.next();
  ASSERT_TRUE(ni && ni->has_value());
  EXPECT_EQ(**ni, Message(NotInterested{}));
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(WireDecoder, SteadyStreamOfBlocksReusesOneBuffer) {
  const TorrentShape shape{1000, 256 * 1024, std::int64_t{1000} * 256 * 1024};
  std::string wire;
  const std::string block = pattern(16384, 9);
  constexpr std::uint32_t kBlocks = 2000;
  for (std::uint32_t i = 0; i < kBlocks; ++i) append_message(wire, Piece{i / 16, (i % 16) * 16384, block});

  MessageDecoder d(shape);
  std::size_t pos = 0;
  std::uint32_t decoded = 0;
  std::size_t settled = 0;
  while (pos < wire.size()) {
    const std::size_t n = std::min<std::size_t>(65536, wire.size() - pos);
    std::span<char> space = d.prepare(65536);  // what a socket read would ask for
    std::memcpy(space.data(), wire.data() + pos, n);
    d.commit(n);
    pos += n;
    while (true) {
      auto m = d.next();
      ASSERT_TRUE(m) << m.error().message;
      if (!m->has_value()) break;
      const Piece& p = std::get<Piece>(**m);
      ASSERT_EQ(p.piece, decoded / 16);
      ASSERT_EQ(p.begin, (decoded % 16) * 16384);
      ASSERT_EQ(p.data, block);
      ++decoded;
    }
    EXPECT_LT(d.buffered(), 16384u + 13);  // never more than one partial message left over
    if (settled == 0 && decoded >= 50) settled = d.capacity();
    if (settled != 0) {
      ASSERT_EQ(d.capacity(), settled) << "buffer reallocated after " << decoded << " blocks";
    }
  }
  EXPECT_EQ(decoded, kBlocks);
  EXPECT_NE(settled, 0u);
  EXPECT_LE(settled, 2 * (65536 + 16384 + 13));
}

TEST(WireDecoder, ReleasesMemoryAfterALargeMessage) {
  MessageDecoder d(kShape);
  Extended big{3, std::string((1 << 20) - 2, 'm')};
  std::string wire;
  append_message(wire, big);
  d.feed(wire);
  auto m = d.next();
  ASSERT_TRUE(m && m->has_value());
  EXPECT_EQ(std::get<Extended>(**m).payload.size(), big.payload.size());
  EXPECT_GE(d.capacity(), std::size_t{1} << 20);
  d.prepare(4096);
  EXPECT_LE(d.capacity(), std::size_t{256} << 10);
}

}  // namespace
}  // namespace tessera::wire
