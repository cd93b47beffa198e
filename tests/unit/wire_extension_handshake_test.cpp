#include <gtest/gtest.h>

#include <string>

#include "wire/extension_handshake.hpp"

namespace tessera::wire {
namespace {

ExtensionHandshake decode_ok(std::string_view payload) {
  auto h = decode_extension_handshake(payload);
  EXPECT_TRUE(h) << (h ? "" : h.error().message);
  return h ? *h : ExtensionHandshake{};
}

TEST(ExtensionHandshake, EncodesCanonicalBencode) {
  ExtensionHandshake h;
  h.messages = {{"ut_metadata", 2}, {"ut_pex", 1}};
  h.listen_port = 6881;
  h.client = "Tessera 0.1.0";
  h.request_queue = 500;
  h.metadata_size = 31235;
  h.your_ip = std::string("\x7f\x00\x00\x01", 4);
  EXPECT_EQ(encode_extension_handshake(h),
            "d1:md11:ut_metadatai2e6:ut_pexi1ee13:metadata_sizei31235e1:pi6881e4:reqqi500e"
            "1:v13:Tessera 0.1.06:yourip4:" +
                std::string("\x7f\x00\x00\x01", 4) + "e");
  EXPECT_EQ(decode_ok(encode_extension_handshake(h)), h);
}

TEST(ExtensionHandshake, EncodesMinimal) {
  EXPECT_EQ(encode_extension_handshake({}), "d1:mdee");
  const ExtensionHandshake empty = decode_ok("d1:mdee");
  EXPECT_TRUE(empty.messages.empty());
  EXPECT_FALSE(empty.listen_port || empty.request_queue || empty.metadata_size || empty.your_ip);
  EXPECT_EQ(empty.client, "");
}

TEST(ExtensionHandshake, DecodesTypicalClientHandshake) {
  // Shaped like a qBittorrent (libtorrent 1.2) handshake, including keys we do not use.
  const std::string payload =
      "d12:complete_agoi1441e1:md11:lt_donthavei7e10:share_modei8e11:upload_onlyi3e12:ut_holepunchi4e"
      "11:ut_metadatai2e6:ut_pexi1ee13:metadata_sizei19138e1:pi51413e4:reqqi500e11:upload_onlyi1e"
      "1:v17:qBittorrent/4.5.26:yourip4:\xc0\xa8\x01\x02"
      "e";
  const ExtensionHandshake h = decode_ok(payload);
  EXPECT_EQ(h.messages.size(), 6u);
  EXPECT_EQ(h.messages.at("ut_metadata"), 2);
  EXPECT_EQ(h.messages.at("ut_pex"), 1);
  EXPECT_EQ(h.messages.at("lt_donthave"), 7);
  EXPECT_EQ(h.listen_port, 51413);
  EXPECT_EQ(h.client, "qBittorrent/4.5.2");
  EXPECT_EQ(h.request_queue, 500u);
  EXPECT_EQ(h.metadata_size, 19138);
  EXPECT_EQ(h.your_ip, std::string("\xc0\xa8\x01\x02"));
}

TEST(ExtensionHandshake, KeepsDisabledExtensionsAsZero) {
  // A later handshake turning ut_pex off (BEP 10).
  const ExtensionHandshake h = decode_ok("d1:md6:ut_pexi0eee");
  ASSERT_EQ(h.messages.count("ut_pex"), 1u);
  EXPECT_EQ(h.messages.at("ut_pex"), 0);
}

TEST(ExtensionHandshake, IgnoresKnownKeysOfTheWrongTypeOrRange) {
  EXPECT_TRUE(decode_ok("d1:mli1eee").messages.empty());  // "m" a list
  EXPECT_TRUE(decode_ok("d1:m3:abce").messages.empty());  // "m" a string
  const ExtensionHandshake m = decode_ok("d1:md1:ai1e1:b3:two1:ci256e1:di-1e1:ei255eee");
  EXPECT_EQ(m.messages, (std::map<std::string, std::uint8_t>{{"a", 1}, {"e", 255}}));
  EXPECT_FALSE(decode_ok("d1:p4:6881e").listen_port);  // string port
  EXPECT_FALSE(decode_ok("d1:pi0ee").listen_port);
  EXPECT_FALSE(decode_ok("d1:pi65536ee").listen_port);
  EXPECT_FALSE(decode_ok("d1:pi-1ee").listen_port);
  EXPECT_EQ(decode_ok("d1:pi65535ee").listen_port, 65535);
  EXPECT_EQ(decode_ok("d1:vi5ee").client, "");
  EXPECT_FALSE(decode_ok("d4:reqqi0ee").request_queue);
  EXPECT_FALSE(decode_ok("d4:reqqi-5ee").request_queue);
  EXPECT_FALSE(decode_ok("d4:reqqi4294967296ee").request_queue);
  EXPECT_EQ(decode_ok("d4:reqqi4294967295ee").request_queue, 4294967295u);
  EXPECT_FALSE(decode_ok("d4:reqq3:500e").request_queue);
  EXPECT_FALSE(decode_ok("d13:metadata_sizei-1ee").metadata_size);
  EXPECT_FALSE(decode_ok("d13:metadata_size2:10e").metadata_size);
  EXPECT_EQ(decode_ok("d13:metadata_sizei0ee").metadata_size, 0);
  EXPECT_FALSE(decode_ok("d6:yourip5:abcdee").your_ip);
  EXPECT_FALSE(decode_ok("d6:youripi1ee").your_ip);
  EXPECT_EQ(decode_ok("d6:yourip16:0123456789abcdefe").your_ip, "0123456789abcdef");
}

TEST(ExtensionHandshake, RejectsWhatIsNotABencodedDictionary) {
  const std::string too_deep = std::string(20, 'l') + std::string(20, 'e');
  const std::string too_big = "d1:v70000:" + std::string(70000, 'v') + "e";
  for (const std::string& bad :
       {std::string(""), std::string("garbage"), std::string("d1:md"), std::string("le"), std::string("i5e"),
        std::string("4:spam"), std::string("d1:mdeee"), std::string("d1:mdee1"), too_deep, too_big,
        std::string("d1:mde1:mdee")}) {
    SCOPED_TRACE(bad.substr(0, 40));
    auto h = decode_extension_handshake(bad);
    ASSERT_FALSE(h);
    EXPECT_EQ(h.error().code, ProtocolError::Code::bad_extension_handshake);
    EXPECT_EQ(h.error().message.find('\n'), std::string::npos);
    EXPECT_EQ(h.error().message.rfind("extension handshake is ", 0), 0u);
  }
  EXPECT_EQ(decode_extension_handshake("le").error().message, "extension handshake is not a dictionary");
}

}  // namespace
}  // namespace tessera::wire
