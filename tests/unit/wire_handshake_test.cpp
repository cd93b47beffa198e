#include <gtest/gtest.h>

#include <string>

#include "wire/handshake.hpp"

namespace tessera::wire {
namespace {

Handshake sample() {
  Handshake h;
  for (std::size_t i = 0; i < 20; ++i) {
    h.info_hash.bytes[i] = static_cast<std::uint8_t>(0xA0 + i);
    h.peer_id[i] = static_cast<std::uint8_t>('a' + i);
  }
  return h;
}

TEST(WireHandshake, EncodesExactBytes) {
  Handshake h = sample();
  h.set_fast();
  h.set_extensions();
  const std::string bytes = encode_handshake(h);
  ASSERT_EQ(bytes.size(), kHandshakeSize);
  EXPECT_EQ(bytes.substr(0, 20), std::string("\x13"
                                             "BitTorrent protocol"));
  EXPECT_EQ(bytes.substr(20, 8), std::string("\x00\x00\x00\x00\x00\x10\x00\x04", 8));
  std::string hash;
  for (int i = 0; i < 20; ++i) hash += static_cast<char>(0xA0 + i);
  EXPECT_EQ(bytes.substr(28, 20), hash);
  EXPECT_EQ(bytes.substr(48, 20), "abcdefghijklmnopqrst");
}

TEST(WireHandshake, ReservedBits) {
  Handshake h;
  EXPECT_FALSE(h.supports_fast());
  EXPECT_FALSE(h.supports_extensions());
  h.set_fast();
  EXPECT_TRUE(h.supports_fast());
  EXPECT_FALSE(h.supports_extensions());
  EXPECT_EQ(h.reserved[7], 0x04);
  h.set_extensions();
  EXPECT_TRUE(h.supports_extensions());
  EXPECT_EQ(h.reserved[5], 0x10);
  // Other bits are left alone: DHT (reserved[7] & 1) survives set_fast().
  Handshake dht;
  dht.reserved[7] = 0x01;
  dht.set_fast();
  EXPECT_EQ(dht.reserved[7], 0x05);
}

TEST(WireHandshake, DecodesWhatWasEncoded) {
  Handshake h = sample();
  h.set_extensions();
  auto d = decode_handshake(encode_handshake(h));
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(*d, h);
  EXPECT_TRUE(d->supports_extensions());
  EXPECT_FALSE(d->supports_fast());
}

TEST(WireHandshake, DecodesTypicalClientHandshakeAndKeepsUnknownBits) {
  // Reserved bytes as libtorrent-based clients send them: extensions, fast and DHT.
  std::string wire(
      "\x13"
      "BitTorrent protocol",
      20);
  wire += std::string("\x00\x00\x00\x00\x00\x10\x00\x05", 8);
  wire += std::string(20, '\xaa');
  wire += "-qB4500-0123456789ab";
  wire += "\x00\x00\x00\x01\x01";  // the first message already in the same read: not looked at
  auto d = decode_handshake(wire);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_TRUE(d->supports_fast());
  EXPECT_TRUE(d->supports_extensions());
  EXPECT_EQ(d->reserved[7], 0x05);
  EXPECT_EQ(d->info_hash.view(), std::string(20, '\xaa'));
  EXPECT_EQ(std::string(d->peer_id.begin(), d->peer_id.end()), "-qB4500-0123456789ab");
}

TEST(WireHandshake, RejectsShortInput) {
  const std::string bytes = encode_handshake(sample());
  auto d = decode_handshake(std::string_view(bytes).substr(0, 67));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, ProtocolError::Code::handshake_too_short);
  EXPECT_EQ(d.error().message, "handshake too short: 67 bytes (expected 68)");
  EXPECT_EQ(decode_handshake("").error().code, ProtocolError::Code::handshake_too_short);
}

TEST(WireHandshake, RejectsWrongProtocolString) {
  const std::string good = encode_handshake(sample());
  std::string wrong_length = good;
  wrong_length[0] = 18;
  std::string wrong_case = good;
  wrong_case[12] = 'P';               // "BitTorrent Protocol"
  std::string encrypted(68, '\x8f');  // what an MSE-encrypted peer's first bytes look like
  for (const std::string& bad : {wrong_length, wrong_case, encrypted}) {
    auto d = decode_handshake(bad);
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().code, ProtocolError::Code::bad_protocol_string);
    EXPECT_EQ(d.error().message, "not a BitTorrent handshake (wrong protocol string)");
  }
}

}  // namespace
}  // namespace tessera::wire
