#include <gtest/gtest.h>

#include <string>

#include "hex_bytes.hpp"
#include "wire/ut_pex.hpp"

namespace tessera::wire {
namespace {

using boost::asio::ip::make_address;
using Endpoint = boost::asio::ip::tcp::endpoint;

Endpoint ep(const char* address, std::uint16_t port) {
  return Endpoint(make_address(address), port);
}

PexMessage decode_ok(std::string_view payload) {
  auto m = decode_ut_pex(payload);
  EXPECT_TRUE(m) << (m ? "" : m.error().message);
  return m ? *m : PexMessage{};
}

std::string str(std::string_view s) {
  return std::string(s);
}

TEST(UtPex, EncodesCanonicalIpv4) {
  PexMessage m;
  m.added = {{ep("10.0.0.1", 6881), pex_flag::seed | pex_flag::connectable}, {ep("192.168.1.2", 80), 0}};
  m.dropped = {ep("1.2.3.4", 0x1234)};
  const std::string encoded = encode_ut_pex(m);
  EXPECT_EQ(encoded, "d5:added12:" + test::hex("0a000001 1ae1 c0a80102 0050") + "7:added.f2:" +
                         test::hex("12 00") + "7:dropped6:" + test::hex("01020304 1234") + "e");
  EXPECT_EQ(decode_ok(encoded), m);
}

TEST(UtPex, EncodesEmptyMessageWithTheIpv4Keys) {
  EXPECT_EQ(encode_ut_pex({}), "d5:added0:7:added.f0:7:dropped0:e");
  const PexMessage m = decode_ok("de");
  EXPECT_TRUE(m.added.empty() && m.dropped.empty());
}

TEST(UtPex, Ipv6EntriesGoToTheirOwnKeysAndFollowIpv4) {
  PexMessage m;
  m.added = {{ep("2001:db8::1", 6881), pex_flag::utp}, {ep("10.0.0.1", 1), pex_flag::prefers_encryption}};
  m.dropped = {ep("::ffff:10.0.0.9", 7), ep("10.0.0.2", 2)};
  const std::string encoded = encode_ut_pex(m);
  EXPECT_EQ(encoded, "d5:added6:" + test::hex("0a000001 0001") + "7:added.f1:" + test::hex("01") +
                         "6:added618:" + test::hex("20010db8000000000000000000000001 1ae1") +
                         "8:added6.f1:" + test::hex("04") + "7:dropped6:" + test::hex("0a000002 0002") +
                         "8:dropped618:" + test::hex("00000000000000000000ffff0a000009 0007") + "e");
  const PexMessage back = decode_ok(encoded);
  ASSERT_EQ(back.added.size(), 2u);
  EXPECT_EQ(back.added[0], (PexPeer{ep("10.0.0.1", 1), pex_flag::prefers_encryption}));
  EXPECT_EQ(back.added[1], (PexPeer{ep("2001:db8::1", 6881), pex_flag::utp}));
  // A v4-mapped address stays IPv6, as it was on the wire.
  EXPECT_EQ(back.dropped, (std::vector<Endpoint>{ep("10.0.0.2", 2), ep("::ffff:10.0.0.9", 7)}));
  EXPECT_EQ(encode_ut_pex(back), encoded);
}

TEST(UtPex, FlagsOfTheWrongLengthAreIgnored) {
  const std::string added = test::hex("0a000001 1ae1 0a000002 1ae2");
  const PexMessage m = decode_ok("d5:added12:" + added + "7:added.f1:" + test::hex("02") + "e");
  ASSERT_EQ(m.added.size(), 2u);
  EXPECT_EQ(m.added[0].flags, 0);
  EXPECT_EQ(m.added[1].flags, 0);
  EXPECT_EQ(decode_ok("d5:added12:" + added + "7:added.f2:" + test::hex("0210") + "e").added[1].flags, 0x10);
}

TEST(UtPex, PartialTrailingEntriesAreSkipped) {
  const PexMessage m = decode_ok("d5:added8:" + test::hex("0a000001 1ae1 0a00") +
                                 "8:dropped620:" + std::string(20, '\x01') + "e");
  ASSERT_EQ(m.added.size(), 1u);
  EXPECT_EQ(m.added[0].endpoint, ep("10.0.0.1", 6881));
  ASSERT_EQ(m.dropped.size(), 1u);
  EXPECT_EQ(m.entries_skipped, 2u);
  // The flags match the whole entries, so they count.
  EXPECT_EQ(decode_ok("d5:added8:" + test::hex("0a000001 1ae1 0a00") + "7:added.f1:" + test::hex("10") + "e")
                .added[0]
                .flags,
            0x10);
}

TEST(UtPex, KeysOfTheWrongTypeAreTreatedAsAbsent) {
  const PexMessage m = decode_ok("d5:addedi5e7:added.fle7:droppedd1:xi1ee6:added6" + str("6:abcdef") + "e");
  EXPECT_TRUE(m.added.empty());
  EXPECT_TRUE(m.dropped.empty());
  EXPECT_EQ(m.entries_skipped, 1u);  // six bytes are a third of an IPv6 entry
}

TEST(UtPex, UnknownKeysAreIgnored) {
  const PexMessage m = decode_ok("d5:added6:" + test::hex("7f000001 0050") + "4:zzzzli1eli2eeee");
  ASSERT_EQ(m.added.size(), 1u);
}

TEST(UtPex, TakesAtMost200EntriesPerList) {
  std::string added, flags, added6;
  for (int i = 0; i < 300; ++i) {
    added += test::hex("0a000001") + std::string{static_cast<char>(i >> 8), static_cast<char>(i & 0xff)};
    flags += '\x02';
    added6 += std::string(16, '\x20') + std::string{static_cast<char>(i >> 8), static_cast<char>(i & 0xff)};
  }
  const std::string payload = "d5:added" + std::to_string(added.size()) + ":" + added + "7:added.f" +
                              std::to_string(flags.size()) + ":" + flags + "6:added6" +
                              std::to_string(added6.size()) + ":" + added6 + "e";
  const PexMessage m = decode_ok(payload);
  ASSERT_EQ(m.added.size(), 2 * kMaxPexEntries);
  EXPECT_EQ(m.added[0].flags, pex_flag::seed);  // the flags matched all 300 entries
  EXPECT_EQ(m.added[199].endpoint.port(), 199);
  EXPECT_TRUE(m.added[200].endpoint.address().is_v6());
  EXPECT_EQ(m.entries_skipped, 200u);
}

TEST(UtPex, RejectsWhatIsNotABencodedDictionaryOrTooLarge) {
  for (const std::string bad : {"", "l5:addede", "d5:added", "i3e", "d5:added6:abcdefe trailing"}) {
    const auto m = decode_ut_pex(bad);
    ASSERT_FALSE(m) << bad;
    EXPECT_EQ(m.error().code, ProtocolError::Code::bad_pex_message);
    EXPECT_EQ(m.error().message.find('\n'), std::string::npos);
  }
  const std::string huge =
      "d5:added" + std::to_string(kMaxPexPayload) + ":" + std::string(kMaxPexPayload, 'x') + "e";
  EXPECT_FALSE(decode_ut_pex(huge));
}

TEST(UtPex, DecodesAMessageShapedLikeLibtorrents) {
  // libtorrent writes all six keys, empty ones included.
  const std::string payload = "d5:added6:" + test::hex("7f000002 1ae1") + "7:added.f1:" + test::hex("10") +
                              "6:added60:8:added6.f0:7:dropped0:8:dropped60:e";
  const PexMessage m = decode_ok(payload);
  ASSERT_EQ(m.added.size(), 1u);
  EXPECT_EQ(m.added[0], (PexPeer{ep("127.0.0.2", 6881), pex_flag::connectable}));
  EXPECT_EQ(m.entries_skipped, 0u);
}

}  // namespace
}  // namespace tessera::wire
