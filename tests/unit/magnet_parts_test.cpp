// The pieces under the magnet parser: percent-encoding, base32, display text, peer addresses and
// BEP 53 file selections.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "magnet/file_selection.hpp"
#include "magnet/peer_address.hpp"
#include "magnet/uri_text.hpp"

namespace tessera::magnet {
namespace {

TEST(MagnetText, PercentDecodesEitherCaseAndPlusOnlyWhenAsked) {
  EXPECT_EQ(percent_decode("a%20b%2Fc%2fd%C3%A9", false), "a b/c/d\xC3\xA9");
  EXPECT_EQ(percent_decode("a+b%2B", true), "a b+");
  EXPECT_EQ(percent_decode("a+b%2B", false), "a+b+");
  EXPECT_EQ(percent_decode("%00", false), std::string(1, '\0'));
  EXPECT_EQ(percent_decode("", false), "");
}

TEST(MagnetText, RefusesBrokenEscapes) {
  for (const char* bad : {"%", "%4", "a%G1", "%1G", "%%41", "abc%", "% 41", "%+1"}) {
    EXPECT_FALSE(percent_decode(bad, true)) << bad;
  }
}

TEST(MagnetText, PercentEncodesAllButUnreservedAndKept) {
  EXPECT_EQ(percent_encode("aZ09-._~ &=+%#/:\xC3\xA9"), "aZ09-._~%20%26%3D%2B%25%23%2F%3A%C3%A9");
  EXPECT_EQ(percent_encode("http://t:1/a?b=c&d", ":/?="), "http://t:1/a?b=c%26d");
  EXPECT_EQ(percent_encode(std::string("\0\x7f", 2)), "%00%7F");
  // Whatever the bytes, encoding then decoding gives them back (form-style decoding too).
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(percent_decode(percent_encode(all), true), all);
  EXPECT_EQ(percent_decode(percent_encode(all, "!$'()*,:@/?="), false), all);
}

TEST(MagnetText, Base32HashBothWaysAndEitherCase) {
  // 20 bytes 0x00..0x13, checked against Python's base64.b32encode.
  Sha1Digest h;
  for (std::size_t i = 0; i < 20; ++i) h.bytes[i] = static_cast<std::uint8_t>(i);
  EXPECT_EQ(encode_base32_hash(h), "AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQT");
  EXPECT_EQ(decode_base32_hash("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQT"), h);
  EXPECT_EQ(decode_base32_hash("aaaqeayeaudaocajbifqydiob4ibceqt"), h);
  Sha1Digest ones;
  ones.bytes.fill(0xFF);
  EXPECT_EQ(encode_base32_hash(ones), std::string(32, '7'));
  EXPECT_EQ(decode_base32_hash(std::string(32, '7')), ones);
}

TEST(MagnetText, Base32RefusesWrongLengthAndAlphabet) {
  EXPECT_FALSE(decode_base32_hash(std::string(31, 'A')));
  EXPECT_FALSE(decode_base32_hash(std::string(33, 'A')));
  EXPECT_FALSE(decode_base32_hash("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQ1"));  // '1' is not base32
  EXPECT_FALSE(decode_base32_hash("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQ8"));
  EXPECT_FALSE(decode_base32_hash("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQ="));
}

TEST(MagnetText, CleanTextKeepsValidUtf8AndReplacesTheRest) {
  const auto ok = clean_display_text("Caf\xC3\xA9 \xF0\x9F\x8E\xAC name");
  EXPECT_EQ(ok.text, "Caf\xC3\xA9 \xF0\x9F\x8E\xAC name");
  EXPECT_FALSE(ok.changed);
  const std::string fffd = "\xEF\xBF\xBD";
  // A newline, DEL, the C1 control U+0085, a stray byte and a truncated sequence.
  const auto bad = clean_display_text(
      "a\nb\x7F"
      "c\xC2\x85"
      "d\xFF"
      "e\xC3");
  EXPECT_EQ(bad.text, "a" + fffd + "b" + fffd + "c" + fffd + "d" + fffd + "e" + fffd);
  EXPECT_TRUE(bad.changed);
  // Overlong and surrogate encodings are not valid UTF-8.
  EXPECT_EQ(clean_display_text("\xC0\xAF").text, fffd + fffd);
  EXPECT_EQ(clean_display_text("\xED\xA0\x80").text, fffd + fffd + fffd);
  EXPECT_EQ(clean_display_text(std::string(1, '\0')).text, fffd);
}

TEST(MagnetPeerAddress, ParsesIpv4Ipv6AndNames) {
  auto v4 = parse_peer_address("10.0.0.2:6881");
  ASSERT_TRUE(v4) << v4.error();
  EXPECT_EQ(v4->host, "10.0.0.2");
  EXPECT_EQ(v4->port, 6881);
  auto v6 = parse_peer_address("[2001:DB8:0:0:0:0:0:1]:51413");
  ASSERT_TRUE(v6) << v6.error();
  EXPECT_EQ(v6->host, "2001:db8::1");  // one spelling per address
  EXPECT_EQ(v6->port, 51413);
  auto name = parse_peer_address("Peer-1.Example.ORG:65535");
  ASSERT_TRUE(name) << name.error();
  EXPECT_EQ(name->host, "peer-1.example.org");
  EXPECT_EQ(name->port, 65535);
  EXPECT_EQ(format_peer_address(*v4), "10.0.0.2:6881");
  EXPECT_EQ(format_peer_address(*v6), "[2001:db8::1]:51413");
  EXPECT_EQ(parse_peer_address(format_peer_address(*v6)), v6);
}

TEST(MagnetPeerAddress, RefusesLooseAddresses) {
  for (const char* bad : {"10.0.0.2",
                          "10.0.0.2:",
                          "10.0.0.2:0",
                          "10.0.0.2:65536",
                          "10.0.0.2:+80",
                          "10.0.0.2: 80",
                          "10.0.0.2:8o",
                          "10.0.0.2:000080",
                          ":80",
                          "::1:80",
                          "[::1]",
                          "[::1]80",
                          "[::1:80",
                          "[]:80",
                          "[zz::1]:80",
                          "[1.2.3.4]:80",
                          "[fe80::1%eth0]:80",
                          "256.0.0.1:80",
                          "1.2.3:80",
                          "01.2.3.4:80",
                          "1.2.3.4.5:80",
                          "-peer.example:80",
                          "peer-.example:80",
                          "peer..example:80",
                          "peer_x.example:80",
                          "peer.example.:80",
                          "1.2.3.999:80",
                          "p\xC3\xA9r.example:80",
                          "host name:80"}) {
    auto r = parse_peer_address(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().find('\n'), std::string::npos);
    }
  }
  const std::string long_label(64, 'a');
  EXPECT_FALSE(parse_peer_address(long_label + ".example:80"));
  EXPECT_TRUE(parse_peer_address(long_label.substr(1) + ".example:80"));
}

std::vector<FileRange> selection(std::string_view text) {
  std::vector<FileRange> out;
  auto r = parse_file_selection(text, out);
  EXPECT_TRUE(r) << text << ": " << r.error();
  normalize_file_selection(out);
  return out;
}

TEST(MagnetFileSelection, ParsesIndicesAndRanges) {
  EXPECT_EQ(selection("0,2,4-6"), (std::vector<FileRange>{{0, 0}, {2, 2}, {4, 6}}));
  EXPECT_EQ(selection("7"), (std::vector<FileRange>{{7, 7}}));
  EXPECT_EQ(selection("0-4294967295"), (std::vector<FileRange>{{0, 4294967295u}}));
}

TEST(MagnetFileSelection, NormalizesToOneSpelling) {
  // Unsorted, overlapping, adjacent and repeated entries become sorted disjoint ranges.
  EXPECT_EQ(selection("9,4-6,0,5-8,2,2,11-12,10"), (std::vector<FileRange>{{0, 0}, {2, 2}, {4, 12}}));
  EXPECT_EQ(format_file_selection(selection("3,1-2,5")), "1-3,5");
  EXPECT_EQ(selection(format_file_selection(selection("4294967295,0,4294967294"))),
            (std::vector<FileRange>{{0, 0}, {4294967294u, 4294967295u}}));
}

TEST(MagnetFileSelection, RefusesMalformedOrOversized) {
  for (const char* bad : {"", ",", "1,", ",1", "1,,2", "a", "1-", "-3", "1-2-3", "5-2", " 1", "1 ", "+1",
                          "0x1", "4294967296", "1-99999999999", "1;2"}) {
    std::vector<FileRange> out;
    auto r = parse_file_selection(bad, out);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().find('\n'), std::string::npos);
    }
  }
  std::string many;
  for (std::size_t i = 0; i <= kMaxFileSelectionEntries; ++i) many += std::to_string(2 * i) + ",";
  many.pop_back();
  std::vector<FileRange> out;
  auto r = parse_file_selection(many, out);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("more than 1000"), std::string::npos) << r.error();
  // The bound holds across several so= values of one link too.
  out.assign(kMaxFileSelectionEntries, FileRange{1, 1});
  EXPECT_FALSE(parse_file_selection("2", out));
}

TEST(MagnetFileSelection, TellsWhichFilesAreSelected) {
  const auto s = selection("0,2,4-6,4294967295");
  for (std::uint32_t i : {0u, 2u, 4u, 5u, 6u, 4294967295u}) EXPECT_TRUE(selects_file(s, i)) << i;
  for (std::uint32_t i : {1u, 3u, 7u, 100u, 4294967294u}) EXPECT_FALSE(selects_file(s, i)) << i;
  EXPECT_FALSE(selects_file({}, 0));
}

}  // namespace
}  // namespace tessera::magnet
