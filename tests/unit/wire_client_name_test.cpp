#include "wire/client_name.hpp"

#include <gtest/gtest.h>

#include "wire/extension_handshake.hpp"

namespace tessera::wire {
namespace {

TEST(ClientName, KeepsOrdinaryNames) {
  EXPECT_EQ(sanitize_client_name("libtorrent/2.0.8.0"), "libtorrent/2.0.8.0");
  EXPECT_EQ(sanitize_client_name("Transmission 3.00"), "Transmission 3.00");
  EXPECT_EQ(sanitize_client_name("\xc2\xb5Torrent 3.5"), "\xc2\xb5Torrent 3.5");  // µTorrent
}

TEST(ClientName, DropsControlsAndCollapsesSpace) {
  EXPECT_EQ(sanitize_client_name("evil\r\n\x1b[31mred\x07"), "evil [31mred");
  EXPECT_EQ(sanitize_client_name("  a    b  "), "a b");
  EXPECT_EQ(sanitize_client_name("a\xe2\x80\xa8" "b"), "a b");  // U+2028 line separator
  EXPECT_EQ(sanitize_client_name(std::string("a\0b", 3)), "a b");
}

TEST(ClientName, ReplacesInvalidUtf8) {
  EXPECT_EQ(sanitize_client_name("a\xff" "b"), "a\xef\xbf\xbd" "b");
  EXPECT_EQ(sanitize_client_name("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");  // overlong '/'
  EXPECT_EQ(sanitize_client_name("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // surrogate
  EXPECT_EQ(sanitize_client_name("x\xe2\x82"), "x\xef\xbf\xbd\xef\xbf\xbd");  // cut short
}

TEST(ClientName, IsShortAndCutOnACharacterBoundary) {
  const std::string huge(65536, 'A');
  EXPECT_EQ(sanitize_client_name(huge), std::string(kMaxClientNameBytes, 'A'));
  std::string euros;
  for (int i = 0; i < 40; ++i) euros += "\xe2\x82\xac";  // 3 bytes each
  const std::string cut = sanitize_client_name(euros);
  EXPECT_EQ(cut.size(), 63u);
  EXPECT_EQ(cut, euros.substr(0, 63));
}

TEST(ClientName, TheExtensionHandshakeDecoderHandsOnlyTheSafeForm) {
  ExtensionHandshake h;
  h.client = std::string(60000, 'x') + "\n";
  auto decoded = decode_extension_handshake(encode_extension_handshake(h));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->client, std::string(kMaxClientNameBytes, 'x'));
}

}  // namespace
}  // namespace tessera::wire
