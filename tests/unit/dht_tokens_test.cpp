#include <gtest/gtest.h>

#include <boost/asio/ip/address.hpp>

#include "dht/tokens.hpp"
#include "hash/sha1.hpp"

namespace tessera::dht {
namespace {

using namespace std::chrono_literals;
namespace ip = boost::asio::ip;
using TimePoint = AnnounceTokens::TimePoint;

class DhtTokens : public ::testing::Test {
 protected:
  TimePoint t0 = TimePoint{} + 1000h;
  int secrets_made = 0;
  // Secret n is twenty bytes of n: each rotation brings a new, predictable one.
  AnnounceTokens tokens{[this] {
                          AnnounceTokens::Secret s;
                          s.fill(static_cast<std::uint8_t>(++secrets_made));
                          return s;
                        },
                        t0};
  ip::address alice = ip::make_address("192.0.2.10");
  ip::address bob = ip::make_address("192.0.2.11");
};

TEST_F(DhtTokens, TokenIsTheSha1OfSecretAndAddressCut) {
  // The constructor drew secret 1 (current) and 2 (previous).
  const std::string token = tokens.issue(alice, t0);
  std::string input(20, '\x01');
  input += std::string("\xc0\x00\x02\x0a", 4);
  EXPECT_EQ(token, sha1(input).view().substr(0, 8));
}

TEST_F(DhtTokens, BoundToTheRequestersAddress) {
  const std::string token = tokens.issue(alice, t0);
  EXPECT_EQ(token.size(), AnnounceTokens::kTokenBytes);
  EXPECT_TRUE(tokens.accepts(token, alice, t0 + 1s));
  EXPECT_FALSE(tokens.accepts(token, bob, t0 + 1s));
  EXPECT_NE(tokens.issue(bob, t0), token);
  const ip::address alice6 = ip::make_address("2001:db8::10");
  const std::string token6 = tokens.issue(alice6, t0);
  EXPECT_TRUE(tokens.accepts(token6, alice6, t0));
  EXPECT_FALSE(tokens.accepts(token6, ip::make_address("2001:db8::11"), t0));
}

TEST_F(DhtTokens, AnIpv4AddressSeenThroughIpv6IsTheSameRequester) {
  const std::string token = tokens.issue(alice, t0);
  EXPECT_TRUE(tokens.accepts(token, ip::make_address("::ffff:192.0.2.10"), t0));
}

TEST_F(DhtTokens, AcceptedForOneRotationMore) {
  // Issued just before a rotation: good until the end of the next period, not after.
  const std::string token = tokens.issue(alice, t0 + 4min + 59s);
  EXPECT_TRUE(tokens.accepts(token, alice, t0 + 5min));
  EXPECT_TRUE(tokens.accepts(token, alice, t0 + 9min + 59s));
  EXPECT_FALSE(tokens.accepts(token, alice, t0 + 10min));
  // A fresh token after the rotation differs from the old one.
  EXPECT_NE(tokens.issue(alice, t0 + 10min), token);
}

TEST_F(DhtTokens, ALongQuietSpellRetiresBothSecrets) {
  const std::string token = tokens.issue(alice, t0);
  EXPECT_EQ(secrets_made, 2);
  EXPECT_FALSE(tokens.accepts(token, alice, t0 + 20min));
  EXPECT_EQ(secrets_made, 4);
  // The rotation keeps to its five-minute grid: the next one is due at t0 + 25 min.
  const std::string later = tokens.issue(alice, t0 + 24min);
  EXPECT_EQ(secrets_made, 4);
  EXPECT_TRUE(tokens.accepts(later, alice, t0 + 25min));
  EXPECT_EQ(secrets_made, 5);
}

TEST_F(DhtTokens, MalformedTokensAreRefused) {
  const std::string token = tokens.issue(alice, t0);
  EXPECT_FALSE(tokens.accepts("", alice, t0));
  EXPECT_FALSE(tokens.accepts(token.substr(0, 7), alice, t0));
  EXPECT_FALSE(tokens.accepts(token + "x", alice, t0));
  std::string flipped = token;
  flipped[3] = static_cast<char>(flipped[3] ^ 1);
  EXPECT_FALSE(tokens.accepts(flipped, alice, t0));
}

}  // namespace
}  // namespace tessera::dht
