#include "tessera/host_port.hpp"

#include <gtest/gtest.h>

namespace tessera {
namespace {

TEST(HostPort, ParsesV4AndBracketedV6) {
  auto a = parse_host_port("127.0.0.2:6881");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.2");
  EXPECT_EQ(a->port, 6881);
  auto b = parse_host_port("[::1]:0");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 0);
}

TEST(HostPort, RejectsAnythingLoose) {
  for (const char* bad : {"127.0.0.1", "127.0.0.1:", ":80", "1.2.3.4:80abc", "1.2.3.4:65536", "1.2.3.4:-1",
                          "1.2.3.4: 80", "[::1:80", "[]:80", "1.2.3.4:99999999999999999999"}) {
    auto r = parse_host_port(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_NE(r.error().find("ADDRESS:PORT"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace tessera
