#include "hash/sha1.hpp"

#include <gtest/gtest.h>

namespace tessera {
namespace {

TEST(Sha1, KnownVectors) {
  // FIPS 180 test vectors.
  EXPECT_EQ(sha1("").hex(), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(sha1("abc").hex(), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex(),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

TEST(Sha1, IncrementalEqualsOneShotAndResets) {
  Sha1 h;
  h.update(std::string_view("ab"));
  h.update(std::string_view("c"));
  EXPECT_EQ(h.finish().hex(), "a9993e364706816aba3e25717850c26c9cd0d89d");
  h.update(std::string_view(""));
  EXPECT_EQ(h.finish().hex(), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

TEST(Sha1, HexRoundTripAndRejectsBadHex) {
  const Sha1Digest d = sha1("abc");
  EXPECT_EQ(Sha1Digest::from_hex(d.hex()), d);
  EXPECT_EQ(Sha1Digest::from_hex("A9993E364706816ABA3E25717850C26C9CD0D89D"), d);
  EXPECT_FALSE(Sha1Digest::from_hex("a9993e"));
  EXPECT_FALSE(Sha1Digest::from_hex("z9993e364706816aba3e25717850c26c9cd0d89d"));
}

}  // namespace
}  // namespace tessera
