// LocalDiscovery on loopback: sessions on 127.0.0.x hear each other through the real group and
// port (multicast works on Linux's `lo` as it is). Other clients on this machine may be talking on
// the group too, so the tests look only for their own random info-hashes.
#include <gtest/gtest.h>

#include <boost/asio/ip/multicast.hpp>
#include <boost/asio/ip/udp.hpp>
#include <random>
#include <utility>
#include <vector>

#include "lsd/local_discovery.hpp"
#include "lsd/lsd_message.hpp"
#include "tracker_test_servers.hpp"

namespace tessera::lsd {
namespace {

namespace asio = boost::asio;
using asio::ip::make_address;
using tracker::testing::run_until;
using Endpoint = asio::ip::tcp::endpoint;

Sha1Digest random_hash() {
  std::random_device rd;
  Sha1Digest h;
  for (auto& b : h.bytes) b = static_cast<std::uint8_t>(rd());
  return h;
}

struct Heard {
  std::vector<std::pair<Sha1Digest, Endpoint>> peers;
  bool has(const Sha1Digest& h, const Endpoint& ep) const {
    for (const auto& p : peers) {
      if (p.first == h && p.second == ep) return true;
    }
    return false;
  }
  bool has_hash(const Sha1Digest& h) const {
    for (const auto& p : peers) {
      if (p.first == h) return true;
    }
    return false;
  }
};

LocalDiscovery::PeerHandler recorder(Heard& heard) {
  return [&heard](const Sha1Digest& h, const Endpoint& ep) { heard.peers.emplace_back(h, ep); };
}

TEST(LocalDiscovery, TwoSessionsOnLoopbackHearEachOther) {
  asio::io_context io;
  Heard heard_a, heard_b;
  LocalDiscovery a(io, recorder(heard_a));
  LocalDiscovery b(io, recorder(heard_b));
  if (!a.start(make_address("127.0.0.2"), 16881)) GTEST_SKIP() << "no multicast on lo: " << a.status();
  ASSERT_TRUE(b.start(make_address("127.0.0.3"), 16882)) << b.status();
  EXPECT_NE(a.cookie(), b.cookie());

  const Sha1Digest ha = random_hash(), hb = random_hash();
  a.announce(std::vector<Sha1Digest>{ha});
  b.announce(std::vector<Sha1Digest>{hb});
  run_until(io, [&] {
    return heard_a.has(hb, Endpoint(make_address("127.0.0.3"), 16882)) &&
           heard_b.has(ha, Endpoint(make_address("127.0.0.2"), 16881)) && a.counters().own >= 1;
  });
  // The peer's address is the datagram's source: each sender bound its listen address.
  EXPECT_TRUE(heard_a.has(hb, Endpoint(make_address("127.0.0.3"), 16882)));
  EXPECT_TRUE(heard_b.has(ha, Endpoint(make_address("127.0.0.2"), 16881)));
  // Our own datagram came back and was known by its cookie, never reported as a peer.
  EXPECT_GE(a.counters().own, 1u);
  EXPECT_FALSE(heard_a.has_hash(ha));
  EXPECT_GE(a.counters().sent, 1u);
  EXPECT_TRUE(a.status().empty()) << a.status();
}

TEST(LocalDiscovery, HostileDatagramsAreCountedNotReported) {
  asio::io_context io;
  Heard heard;
  LocalDiscovery lsd(io, recorder(heard));
  if (!lsd.start(make_address("127.0.0.2"), 16883)) GTEST_SKIP() << "no multicast on lo: " << lsd.status();

  // A plain socket on 127.0.0.4 sends junk, then a good announce, to the group.
  asio::ip::udp::socket rogue(io, asio::ip::udp::endpoint(make_address("127.0.0.4"), 0));
  rogue.set_option(asio::ip::multicast::outbound_interface(make_address("127.0.0.4").to_v4()));
  rogue.set_option(asio::ip::multicast::enable_loopback(true));
  const asio::ip::udp::endpoint group(make_address(std::string(kGroupAddress)), kGroupPort);
  const Sha1Digest h = random_hash();
  const std::uint64_t rejected_before = lsd.counters().rejected;
  rogue.send_to(
      asio::buffer(std::string("BT-SEARCH * HTTP/1.1\r\nPort: 0\r\nInfohash: " + h.hex() + "\r\n\r\n")),
      group);
  rogue.send_to(asio::buffer(std::string(3000, 'x')), group);
  rogue.send_to(asio::buffer(encode_announce(Announce{7000, {h}, "rogue"})), group);
  run_until(io, [&] { return heard.has_hash(h) && lsd.counters().rejected >= rejected_before + 2; });
  EXPECT_GE(lsd.counters().rejected, rejected_before + 2);
  ASSERT_TRUE(heard.has(h, Endpoint(make_address("127.0.0.4"), 7000)));
  std::size_t reports = 0;
  for (const auto& p : heard.peers) reports += p.first == h ? 1u : 0u;
  EXPECT_EQ(reports, 1u);
}

TEST(LocalDiscovery, FailuresAreAStatusLineNotAnException) {
  asio::io_context io;
  Heard heard;
  LocalDiscovery lsd(io, recorder(heard));
  EXPECT_FALSE(lsd.start(make_address("::1"), 6881));
  EXPECT_FALSE(lsd.running());
  EXPECT_NE(lsd.status().find("IPv4"), std::string::npos) << lsd.status();
  // An address that is not this machine's cannot be bound.
  EXPECT_FALSE(lsd.start(make_address("192.0.2.55"), 6881));
  EXPECT_FALSE(lsd.status().empty());
  EXPECT_EQ(lsd.status().find('\n'), std::string::npos);
  lsd.announce(std::vector<Sha1Digest>{random_hash()});  // not running: ignored
  EXPECT_EQ(lsd.counters().sent, 0u);
}

TEST(LocalDiscovery, StopEndsReportsAndStartRestarts) {
  asio::io_context io;
  Heard heard_a, heard_b;
  DiscoveryConfig quick;
  quick.schedule.min_gap = std::chrono::milliseconds(0);  // b's two datagrams go out at once
  LocalDiscovery a(io, recorder(heard_a));
  LocalDiscovery b(io, recorder(heard_b), quick);
  if (!a.start(make_address("127.0.0.2"), 16884)) GTEST_SKIP() << "no multicast on lo: " << a.status();
  ASSERT_TRUE(b.start(make_address("127.0.0.3"), 16885)) << b.status();
  a.stop();
  EXPECT_FALSE(a.running());
  const Sha1Digest h1 = random_hash();
  b.announce(std::vector<Sha1Digest>{h1});
  run_until(io, [&] { return b.counters().own >= 1; });  // b heard its own datagram: it was out
  tracker::testing::run_ready(io);
  EXPECT_FALSE(heard_a.has_hash(h1));

  ASSERT_TRUE(a.start(make_address("127.0.0.2"), 16884)) << a.status();
  const Sha1Digest h2 = random_hash();
  b.announce(std::vector<Sha1Digest>{h2});
  run_until(io, [&] { return heard_a.has_hash(h2); });
  EXPECT_TRUE(heard_a.has(h2, Endpoint(make_address("127.0.0.3"), 16885)));
}

}  // namespace
}  // namespace tessera::lsd
