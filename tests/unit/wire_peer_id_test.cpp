#include <gtest/gtest.h>

#include <set>
#include <string>

#include "wire/peer_id.hpp"

namespace tessera::wire {
namespace {

PeerId id_of(std::string_view text) {
  PeerId id{};
  for (std::size_t i = 0; i < id.size() && i < text.size(); ++i) id[i] = static_cast<std::uint8_t>(text[i]);
  return id;
}

std::string text_of(const PeerId& id) {
  return std::string(id.begin(), id.end());
}

bool is_alnum(std::uint8_t c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

TEST(PeerId, MakeKeepsPrefixAndFillsWithPrintableCharacters) {
  const PeerId id = make_peer_id("-TS0100-", 42);
  EXPECT_EQ(text_of(id).substr(0, 8), "-TS0100-");
  for (std::size_t i = 8; i < 20; ++i) EXPECT_TRUE(is_alnum(id[i])) << "byte " << i << " = " << int{id[i]};
  EXPECT_EQ(make_peer_id("-TS0100-", 42), id);  // deterministic for a seed
  EXPECT_NE(make_peer_id("-TS0100-", 43), id);
  EXPECT_EQ(client_name_from_peer_id(id), "Tessera 0.1.0");
}

TEST(PeerId, MakeWithOddPrefixes) {
  const PeerId none = make_peer_id("", 7);
  for (const std::uint8_t c : none) EXPECT_TRUE(is_alnum(c));
  const PeerId long_prefix = make_peer_id("0123456789abcdefghijKLMN", 7);
  EXPECT_EQ(text_of(long_prefix), "0123456789abcdefghij");
}

TEST(PeerId, RandomPartVariesAcrossSeeds) {
  // 12 characters from 62: two seeds colliding would point at a broken generator.
  std::set<std::string> seen;
  for (std::uint64_t seed = 0; seed < 1000; ++seed) seen.insert(text_of(make_peer_id("-TS0100-", seed)));
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(PeerId, NamesAzureusStyleClients) {
  EXPECT_EQ(client_name_from_peer_id(id_of("-qB4500-Xr2BK8h.z!Wq")), "qBittorrent 4.5.0.0");
  EXPECT_EQ(client_name_from_peer_id(id_of("-qB4630-abcdefghijkl")), "qBittorrent 4.6.3.0");
  EXPECT_EQ(client_name_from_peer_id(id_of("-TR3000-7wbp3rl0mwbs")), "Transmission 3.00");
  EXPECT_EQ(client_name_from_peer_id(id_of("-TR2940-5ct9sfbqowbj")), "Transmission 2.94");
  EXPECT_EQ(client_name_from_peer_id(id_of("-TR300Z-5ct9sfbqowbj")), "Transmission 3.00+");
  EXPECT_EQ(client_name_from_peer_id(id_of("-TR4050-gd3rq3mk0lbw")), "Transmission 4.0.5");
  EXPECT_EQ(client_name_from_peer_id(id_of("-TR0072-8vd8ab0lmr7n")), "Transmission 0.72");
  EXPECT_EQ(client_name_from_peer_id(id_of("-TR0006-8vd8ab0lmr7n")), "Transmission 0.6");
  EXPECT_EQ(client_name_from_peer_id(id_of("-lt0D80-\x8e\x11\x02\x9a\xfe\x10\x77\x01\x02\x03\x04\x05")),
            "libtorrent (rakshasa) 0.13.8");
  EXPECT_EQ(client_name_from_peer_id(id_of("-LT2080-k(Aa7Dm8-Bbb")), "libtorrent 2.0.8");
  EXPECT_EQ(client_name_from_peer_id(id_of("-LT12J0-k(Aa7Dm8-Bbb")), "libtorrent 1.2.19");
  EXPECT_EQ(client_name_from_peer_id(id_of("-DE211s-pLiD7YzI_Q8e")), "Deluge 2.1.1");
  EXPECT_EQ(client_name_from_peer_id(id_of("-DE13F0-pLiD7YzI_Q8e")), "Deluge 1.3.15");
  EXPECT_EQ(client_name_from_peer_id(id_of("-UT355W-\xca\x1b\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09")),
            "µTorrent 3.5.5");
  EXPECT_EQ(client_name_from_peer_id(id_of("-AZ5770-uPJs4KA0bTyz")), "Vuze 5.7.7.0");
  EXPECT_EQ(client_name_from_peer_id(id_of("-BI3650-uPJs4KA0bTyz")), "BiglyBT 3.6.5.0");
  EXPECT_EQ(client_name_from_peer_id(id_of("-TS0100-abcdefghijkl")), "Tessera 0.1.0");
}

TEST(PeerId, NamesDashedStyleClients) {
  EXPECT_EQ(client_name_from_peer_id(id_of("A2-1-36-0-0a1b2c3d4e")), "aria2 1.36.0");
  EXPECT_EQ(client_name_from_peer_id(id_of("A2-1-37-0-0a1b2c3d4e")), "aria2 1.37.0");
  EXPECT_EQ(client_name_from_peer_id(id_of("M7-4-3--0a1b2c3d4e5f")), "Mainline 7.4.3");
  EXPECT_EQ(client_name_from_peer_id(id_of("M4-20-8-0a1b2c3d4e5f")), "Mainline 4.20.8");
}

TEST(PeerId, UnknownIdsShowOnlyPrintableCharacters) {
  EXPECT_EQ(client_name_from_peer_id(id_of("-XX1234-abcdefghijkl")), "Unknown (-XX1234-)");
  // Known code but a version that is not one: not guessed at.
  EXPECT_EQ(client_name_from_peer_id(id_of("-qB4.5.-abcdefghijkl")), "Unknown (-qB4.5.-)");
  EXPECT_EQ(client_name_from_peer_id(id_of("M7-4-3x-abcdefghijkl")), "Unknown (M7-4-3x-)");
  EXPECT_EQ(client_name_from_peer_id(id_of("A2-1-36abcdefghijklm")), "Unknown (A2-1-36a)");
  PeerId binary{};
  binary[0] = 0x00;
  binary[1] = 0xFF;
  binary[2] = 'a';
  binary[3] = '\n';
  binary[4] = 0x7F;
  binary[5] = 'Z';
  binary[6] = 0x80;
  binary[7] = ' ';
  const std::string name = client_name_from_peer_id(binary);
  EXPECT_EQ(name, "Unknown (??a??Z? )");
  for (const char c : name) EXPECT_TRUE(c >= 0x20 && c < 0x7F);
}

}  // namespace
}  // namespace tessera::wire
