#include <gtest/gtest.h>

#include "dht/saved_nodes.hpp"

namespace tessera::dht {
namespace {

namespace ip = boost::asio::ip;

TEST(DhtSavedNodes, RoundTripsIdAndNodes) {
  SavedNodes saved;
  saved.id = NodeId::from_hex("0123456789abcdef0123456789abcdef01234567");
  saved.nodes.push_back({*NodeId::from_hex("ffffffffffffffffffffffffffffffffffffffff"),
                         UdpEndpoint(ip::make_address("192.0.2.1"), 6881)});
  saved.nodes.push_back({*NodeId::from_hex("1111111111111111111111111111111111111111"),
                         UdpEndpoint(ip::make_address("2001:db8::1"), 6882)});
  const std::string bytes = encode_saved_nodes(saved);
  EXPECT_EQ(bytes.substr(0, 8), "d2:id20:");
  const auto back = decode_saved_nodes(bytes);
  ASSERT_TRUE(back.has_value()) << back.error();
  EXPECT_EQ(*back, saved);
}

TEST(DhtSavedNodes, OddEntriesAreSkippedBadFilesRefused) {
  const std::string node(26, 'n');
  const auto ok = decode_saved_nodes("d5:nodesl3:abc26:" + node + "i5eee");
  ASSERT_TRUE(ok.has_value());
  EXPECT_FALSE(ok->id.has_value());
  EXPECT_EQ(ok->nodes.size(), 1u);
  EXPECT_FALSE(decode_saved_nodes("garbage").has_value());
  EXPECT_FALSE(decode_saved_nodes("le").has_value());
  EXPECT_FALSE(decode_saved_nodes("d2:id3:abce").has_value());
  EXPECT_FALSE(decode_saved_nodes(std::string(kMaxSavedFile + 1, 'x')).has_value());
}

TEST(DhtSavedNodes, AtMostTheCapIsWrittenOrRead) {
  SavedNodes many;
  for (std::uint32_t i = 0; i < 1000; ++i) {
    NodeId id;
    id.bytes[0] = static_cast<std::uint8_t>(i);
    id.bytes[1] = static_cast<std::uint8_t>(i >> 8);
    many.nodes.push_back({id, UdpEndpoint(ip::address_v4(0x0a000000u + i), 6881)});
  }
  const auto back = decode_saved_nodes(encode_saved_nodes(many));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->nodes.size(), kMaxSavedNodes);
}

}  // namespace
}  // namespace tessera::dht
