#include "lsd/lsd_message.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tessera::lsd {
namespace {

const Sha1Digest kHashA = *Sha1Digest::from_hex("0123456789abcdef0123456789abcdef01234567");
const Sha1Digest kHashB = *Sha1Digest::from_hex("fedcba9876543210fedcba9876543210fedcba98");

Announce parse_ok(std::string_view datagram, std::string_view cookie = {}) {
  auto a = parse_announce(datagram, cookie);
  EXPECT_TRUE(a) << (a ? "" : a.error().message);
  return a ? *a : Announce{};
}

ParseError::Code parse_fails(std::string_view datagram, std::string_view cookie = {}) {
  auto a = parse_announce(datagram, cookie);
  EXPECT_FALSE(a) << datagram;
  if (a) return ParseError::Code::malformed;
  EXPECT_FALSE(a.error().message.empty());
  EXPECT_EQ(a.error().message.find('\n'), std::string::npos);
  return a.error().code;
}

TEST(LsdMessage, EncodesTheBep14Format) {
  const std::vector<Sha1Digest> hashes{kHashA};
  EXPECT_EQ(encode_announce(6881, hashes, "1a2b3c4d"),
            "BT-SEARCH * HTTP/1.1\r\n"
            "Host: 239.192.152.143:6771\r\n"
            "Port: 6881\r\n"
            "Infohash: 0123456789abcdef0123456789abcdef01234567\r\n"
            "cookie: 1a2b3c4d\r\n"
            "\r\n"
            "\r\n");
}

TEST(LsdMessage, RoundTripsSeveralHashes) {
  const Announce a{51413, {kHashA, kHashB}, "xyz"};
  EXPECT_EQ(parse_ok(encode_announce(a)), a);
  const Announce no_cookie{1, {kHashB}, ""};
  const std::string encoded = encode_announce(no_cookie);
  EXPECT_EQ(encoded.find("cookie"), std::string::npos);
  EXPECT_EQ(parse_ok(encoded), no_cookie);
}

TEST(LsdMessage, WritesAtMost16Hashes) {
  std::vector<Sha1Digest> many(20);
  for (std::size_t i = 0; i < many.size(); ++i) many[i].bytes[0] = static_cast<std::uint8_t>(i);
  const std::string encoded = encode_announce(6881, many, "c");
  EXPECT_LE(encoded.size(), kMaxDatagram);
  EXPECT_EQ(parse_ok(encoded).info_hashes.size(), kMaxInfoHashes);
}

TEST(LsdMessage, ParsesHeadersInAnyCaseAndBareLineFeeds) {
  const Announce a = parse_ok(
      "BT-SEARCH * HTTP/1.1\n"
      "HOST: 239.192.152.143:6771\n"
      "port:6882\n"
      "INFOHASH:  FEDCBA9876543210FEDCBA9876543210FEDCBA98 \n"
      "X-Unknown: whatever\n"
      "Cookie: abc\n"
      "\n");
  EXPECT_EQ(a.port, 6882);
  EXPECT_EQ(a.info_hashes, std::vector<Sha1Digest>{kHashB});
  EXPECT_EQ(a.cookie, "abc");
}

TEST(LsdMessage, ParsesWhatLibtorrentAndAria2Send) {
  // libtorrent: lower-case "cookie", hex cookie; aria2: no cookie, no trailing second blank line.
  EXPECT_EQ(parse_ok("BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 6881\r\nInfohash: "
                     "0123456789ABCDEF0123456789ABCDEF01234567\r\ncookie: 7f3a\r\n\r\n\r\n")
                .cookie,
            "7f3a");
  EXPECT_EQ(parse_ok("BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 6881\r\nInfohash: "
                     "0123456789abcdef0123456789abcdef01234567\r\n\r\n")
                .port,
            6881);
}

TEST(LsdMessage, SkipsBadAndRepeatedHashesAndCapsTheCount) {
  std::string d = "BT-SEARCH * HTTP/1.1\r\nPort: 6881\r\nInfohash: nothex\r\nInfohash: " + kHashA.hex() +
                  "\r\nInfohash: " + kHashA.hex() + "\r\n";
  for (int i = 0; i < 20; ++i) d += "Infohash: " + kHashB.hex() + "\r\n";
  d += "\r\n";
  EXPECT_EQ(parse_ok(d).info_hashes, (std::vector<Sha1Digest>{kHashA, kHashB}));

  // Only the first 16 lines count: a hash on the 17th is not taken.
  std::string late = "BT-SEARCH * HTTP/1.1\r\nPort: 6881\r\n";
  for (int i = 0; i < 16; ++i) late += "Infohash: " + kHashA.hex() + "\r\n";
  late += "Infohash: " + kHashB.hex() + "\r\n\r\n";
  EXPECT_EQ(parse_ok(late).info_hashes, std::vector<Sha1Digest>{kHashA});
}

TEST(LsdMessage, IgnoresOurOwnCookie) {
  const std::string own = encode_announce(Announce{6881, {kHashA}, "ours"});
  EXPECT_EQ(parse_fails(own, "ours"), ParseError::Code::own_announce);
  EXPECT_EQ(parse_ok(own, "theirs").cookie, "ours");
  // A cookie too long or with control bytes is not kept, so it can never pass for ours.
  const std::string odd = "BT-SEARCH * HTTP/1.1\r\nPort: 1\r\nInfohash: " + kHashA.hex() +
                          "\r\ncookie: " + std::string(65, 'a') + "\r\n\r\n";
  EXPECT_EQ(parse_ok(odd, std::string(65, 'a')).cookie, "");
}

TEST(LsdMessage, RejectsBadPorts) {
  const std::string tail = "Infohash: " + kHashA.hex() + "\r\n\r\n";
  for (const std::string port : {"0", "65536", "-1", "12a", "", "999999", "0x50"}) {
    EXPECT_EQ(parse_fails("BT-SEARCH * HTTP/1.1\r\nPort: " + port + "\r\n" + tail),
              ParseError::Code::bad_port)
        << port;
  }
  EXPECT_EQ(parse_fails("BT-SEARCH * HTTP/1.1\r\n" + tail), ParseError::Code::bad_port);
  EXPECT_EQ(parse_fails("BT-SEARCH * HTTP/1.1\r\nPort: 1\r\nPort: 2\r\n" + tail), ParseError::Code::bad_port);
  EXPECT_EQ(parse_ok("BT-SEARCH * HTTP/1.1\r\nPort: 65535\r\nport: 65535\r\n" + tail).port, 65535);
}

TEST(LsdMessage, RejectsOtherRequestsAndMalformedHeaders) {
  const std::string good_tail = "Port: 6881\r\nInfohash: " + kHashA.hex() + "\r\n\r\n";
  EXPECT_EQ(parse_fails("M-SEARCH * HTTP/1.1\r\n" + good_tail), ParseError::Code::not_bt_search);
  EXPECT_EQ(parse_fails("HTTP/1.1 200 OK\r\n" + good_tail), ParseError::Code::not_bt_search);
  EXPECT_EQ(parse_fails(""), ParseError::Code::not_bt_search);
  EXPECT_EQ(parse_fails("BT-SEARCH * HTTP/1.1"), ParseError::Code::not_bt_search);
  EXPECT_EQ(parse_fails("BT-SEARCH * HTTP/1.1\r\nno colon here\r\n" + good_tail),
            ParseError::Code::malformed);
  EXPECT_EQ(parse_fails("BT-SEARCH * HTTP/1.1\r\nPort: 6881\r\nInfohash: " + kHashA.hex() + "\r\n"),
            ParseError::Code::malformed);
  EXPECT_EQ(parse_fails("BT-SEARCH * HTTP/1.1\r\nPort: 6881\r\nInfohash: 0123\r\n\r\n"),
            ParseError::Code::no_info_hash);
}

TEST(LsdMessage, RejectsDatagramsAbove1400Bytes) {
  std::string d = "BT-SEARCH * HTTP/1.1\r\nPort: 6881\r\nInfohash: " + kHashA.hex() + "\r\nX-Pad: ";
  d += std::string(kMaxDatagram - d.size() - 4, 'p') + "\r\n\r\n";
  ASSERT_EQ(d.size(), kMaxDatagram);
  EXPECT_TRUE(parse_announce(d));
  EXPECT_EQ(parse_fails(d + "x"), ParseError::Code::too_large);
}

}  // namespace
}  // namespace tessera::lsd
