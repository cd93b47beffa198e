// TrackerClient against in-process HTTP and UDP trackers on 127.0.0.1. Nothing here races the
// clock: tests wait for conditions, and a timeout that must not fire is an hour long. The UDP
// retry schedule itself is a pure function, tested in tracker_udp_protocol_test.cpp; here only
// its outcome is checked (a retransmission happens, the request gives up after the last one).
#include "tracker/tracker_client.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "tracker/udp_tracker_protocol.hpp"
#include "tracker_test_servers.hpp"

namespace tessera::tracker {
namespace {

using namespace std::chrono_literals;
using namespace testing;
using Result = expected<AnnounceResult, std::string>;

AnnounceParams params() {
  AnnounceParams p;
  p.info_hash = *Sha1Digest::from_hex("123456789abcdef123456789abcdef123456789a");
  p.peer_id.fill('p');
  p.port = 6881;
  p.left = 100;
  p.event = Event::started;
  return p;
}

const std::string kCompactBody = std::string("d8:completei2e10:incompletei1e8:intervali900e5:peers6:") +
                                 std::string("\x7f\x00\x00\x01\x1a\xe1", 6) + "e";

struct Fixture : ::testing::Test {
  asio::io_context io;
  TrackerClientOptions options() {
    TrackerClientOptions o;
    o.http_timeout = 1h;       // no test here waits for it but the one that sets its own
    o.udp_base_timeout = 1h;  // no retransmission unless a test asks for one: counts are exact
    o.udp_max_retries = 3;
    return o;
  }
  // Announces and runs the loop until the handler has been called.
  Result announce(TrackerClient& client, const std::string& url) {
    std::optional<Result> out;
    int calls = 0;
    client.announce(url, params(), [&](Result r) {
      ++calls;
      out = std::move(r);
    });
    EXPECT_EQ(calls, 0) << "handler ran inside announce()";
    run_until(io, [&] { return out.has_value(); });
    EXPECT_EQ(calls, 1);
    return out ? *out : Result(unexpected(std::string("handler never called")));
  }
  std::string base(std::uint16_t port) { return "http://127.0.0.1:" + std::to_string(port); }
};

using TrackerClientHttp = Fixture;

TEST_F(TrackerClientHttp, AnnounceSucceeds) {
  HttpServer server(io, [&](const std::string&) { return http_response(200, kCompactBody); });
  auto o = options();
  o.bind_address = asio::ip::make_address("127.0.0.1");
  TrackerClient client(io, o);
  const auto r = announce(client, base(server.port()) + "/announce?passkey=k");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->interval, 900s);
  EXPECT_EQ(r->seeders, 2);
  EXPECT_EQ(r->leechers, 1);
  ASSERT_EQ(r->peers.size(), 1u);
  EXPECT_EQ(r->peers[0].port(), 6881);
  ASSERT_EQ(server.requests.size(), 1u);
  const std::string& head = server.requests[0];
  EXPECT_TRUE(
      head.starts_with("GET /announce?passkey=k&info_hash=%124Vx%9A%BC%DE%F1%23Eg%89%AB%CD%EF%124Vx%9A&"))
      << head;
  EXPECT_NE(head.find("&event=started"), std::string::npos);
  EXPECT_NE(head.find("Host: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"), std::string::npos);
  EXPECT_NE(head.find("User-Agent: Tessera/0.1.0\r\n"), std::string::npos);
  ASSERT_EQ(server.peers.size(), 1u);
  EXPECT_EQ(server.peers[0].to_string(), "127.0.0.1");
  EXPECT_EQ(client.pending(), 0u);
}

TEST_F(TrackerClientHttp, FailureReason) {
  HttpServer server(io, [](const std::string&) {
    return http_response(200, "d14:failure reason36:Requested download is not authorizede");
  });
  TrackerClient client(io, options());
  const auto r = announce(client, base(server.port()) + "/announce");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "tracker " + base(server.port()) + "/announce: Requested download is not authorized");
}

TEST_F(TrackerClientHttp, Http500) {
  HttpServer server(io, [](const std::string&) { return http_response(500, "oops"); });
  TrackerClient client(io, options());
  const auto r = announce(client, base(server.port()) + "/announce");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "tracker " + base(server.port()) + "/announce: HTTP 500 Something");
}

TEST_F(TrackerClientHttp, Garbage) {
  HttpServer server(io, [](const std::string&) { return http_response(200, "this is not bencode"); });
  TrackerClient client(io, options());
  const auto r = announce(client, base(server.port()) + "/announce");
  ASSERT_FALSE(r);
  EXPECT_TRUE(
      r.error().starts_with("tracker " + base(server.port()) + "/announce: invalid tracker response: "))
      << r.error();
}

TEST_F(TrackerClientHttp, OversizedBody) {
  HttpServer server(io, [](const std::string&) { return http_response(200, std::string(5000, 'x')); });
  auto o = options();
  o.max_body = 1024;
  TrackerClient client(io, o);
  const auto r = announce(client, base(server.port()) + "/announce");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "tracker " + base(server.port()) + "/announce: response larger than 1024 bytes");
}

TEST_F(TrackerClientHttp, TimesOutWhenTheServerNeverAnswers) {
  HttpServer server(io, [](const std::string&) { return std::string(); });
  auto o = options();
  o.http_timeout = 100ms;
  TrackerClient client(io, o);
  const auto r = announce(client, base(server.port()) + "/announce");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "tracker " + base(server.port()) + "/announce: timed out after 100 ms");
  EXPECT_EQ(server.requests.size(), 1u);
}

TEST_F(TrackerClientHttp, ConnectionRefused) {
  std::uint16_t port = 0;
  {  // a port that was just free: nothing listens there now
    asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }
  TrackerClient client(io, options());
  const auto r = announce(client, base(port) + "/announce");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "tracker " + base(port) + "/announce: connection refused");
}

TEST_F(TrackerClientHttp, FollowsRedirects) {
  HttpServer server(io, [](const std::string& head) {
    if (head.starts_with("GET /announce?"))
      return http_response(302, "", "Location: /moved/announce?x=1\r\n");
    if (head.starts_with("GET /moved/announce?x=1 ")) return http_response(301, "", "Location: real\r\n");
    if (head.starts_with("GET /moved/real ")) return http_response(200, kCompactBody);
    return http_response(404, "");
  });
  TrackerClient client(io, options());
  const auto r = announce(client, base(server.port()) + "/announce");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->peers.size(), 1u);
  EXPECT_EQ(server.requests.size(), 3u);
}

TEST_F(TrackerClientHttp, GivesUpAfterThreeRedirects) {
  HttpServer server(io, [](const std::string&) { return http_response(302, "", "Location: /loop\r\n"); });
  TrackerClient client(io, options());
  const auto r = announce(client, base(server.port()) + "/announce");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "tracker " + base(server.port()) + "/announce: too many redirects");
  EXPECT_EQ(server.requests.size(), 4u);  // the original and three redirects
}

TEST_F(TrackerClientHttp, SendsBackTheTrackerId) {
  HttpServer server(io, [](const std::string&) {
    return http_response(200, "d8:intervali900e5:peers0:10:tracker id2:T1e");
  });
  TrackerClient client(io, options());
  const std::string url = base(server.port()) + "/announce";
  ASSERT_TRUE(announce(client, url));
  ASSERT_TRUE(announce(client, url));
  ASSERT_EQ(server.requests.size(), 2u);
  EXPECT_EQ(server.requests[0].find("trackerid="), std::string::npos);
  EXPECT_NE(server.requests[1].find("&trackerid=T1 "), std::string::npos) << server.requests[1];
}

TEST_F(TrackerClientHttp, Scrape) {
  const std::string hash(params().info_hash.view());
  HttpServer server(io, [&](const std::string& head) {
    if (!head.starts_with("GET /scrape?info_hash=%124Vx")) return http_response(404, "");
    return http_response(200, "d5:filesd20:" + hash + "d8:completei3e10:downloadedi9e10:incompletei4eeee");
  });
  TrackerClient client(io, options());
  std::optional<expected<ScrapeResult, std::string>> out;
  client.scrape(base(server.port()) + "/announce", params().info_hash, [&](auto r) { out = std::move(r); });
  run_until(io, [&] { return out.has_value(); });
  ASSERT_TRUE(out && *out) << (out ? out->error() : "no answer");
  EXPECT_EQ((*out)->seeders, 3);
  EXPECT_EQ((*out)->leechers, 4);
  EXPECT_EQ((*out)->completed, 9);

  std::optional<expected<ScrapeResult, std::string>> none;
  client.scrape(base(server.port()) + "/tracker", params().info_hash, [&](auto r) { none = std::move(r); });
  run_until(io, [&] { return none.has_value(); });
  ASSERT_TRUE(none && !*none);
  EXPECT_EQ(none->error(), "tracker " + base(server.port()) + "/tracker: does not support scrape");
}

TEST_F(TrackerClientHttp, CancelAllCallsEachHandlerOnce) {
  HttpServer server(io, [](const std::string&) { return std::string(); });
  UdpServer silent(io, [](const std::string&) { return std::vector<std::string>{}; });
  TrackerClient client(io, options());
  int calls = 0;
  std::vector<std::string> errors;
  const auto handler = [&](Result r) {
    ++calls;
    errors.push_back(r ? "ok" : r.error());
  };
  client.announce(base(server.port()) + "/announce", params(), handler);
  client.announce("udp://127.0.0.1:" + std::to_string(silent.port()), params(), handler);
  client.announce("nonsense", params(), handler);
  run_until(io, [&] { return server.requests.size() == 1 && silent.datagrams.size() == 1; });
  ASSERT_EQ(client.pending(), 2u);  // the bad URL has already failed
  client.cancel_all();
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(errors[1], "cancelled");
  EXPECT_EQ(errors[2], "cancelled");
  EXPECT_TRUE(errors[0].starts_with("bad tracker URL nonsense")) << errors[0];
  run_ready(io);  // whatever the cancellation left queued must not call again
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(client.pending(), 0u);
}

TEST_F(TrackerClientHttp, DestructorCancels) {
  HttpServer server(io, [](const std::string&) { return std::string(); });
  int calls = 0;
  {
    TrackerClient client(io, options());
    client.announce(base(server.port()) + "/announce", params(), [&](Result r) {
      ++calls;
      EXPECT_EQ(r.error(), "cancelled");
    });
    run_until(io, [&] { return server.requests.size() == 1; });
  }
  EXPECT_EQ(calls, 1);
  run_ready(io);
  EXPECT_EQ(calls, 1);
}

// --- UDP ---------------------------------------------------------------------------------

std::uint32_t be32_at(const std::string& d, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(d[at + i]);
  return v;
}
std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}
const std::string kConnectionId("\x11\x22\x33\x44\x55\x66\x77\x88", 8);

// A BEP 15 tracker: answers connect and announce, checking what it is sent.
std::string udp_tracker(const std::string& d) {
  if (d.size() == 16 && d.substr(0, 8) == std::string("\x00\x00\x04\x17\x27\x10\x19\x80", 8) &&
      be32_at(d, 8) == 0) {
    return be32(0) + d.substr(12, 4) + kConnectionId;
  }
  if (d.size() == 98 && d.substr(0, 8) == kConnectionId && be32_at(d, 8) == 1) {
    return be32(1) + d.substr(12, 4) + be32(1800) + be32(3) + be32(5) +
           std::string("\x7f\x00\x00\x02\x1a\xe1", 6);
  }
  if (d.size() == 36 && d.substr(0, 8) == kConnectionId && be32_at(d, 8) == 2) {
    return be32(2) + d.substr(12, 4) + be32(7) + be32(70) + be32(8);
  }
  return be32(3) + d.substr(12, 4) + "unexpected packet";
}

using TrackerClientUdp = Fixture;

TEST_F(TrackerClientUdp, ConnectThenAnnounce) {
  UdpServer server(io, [](const std::string& d) { return std::vector<std::string>{udp_tracker(d)}; });
  auto o = options();
  o.bind_address = asio::ip::make_address("127.0.0.1");
  TrackerClient client(io, o);
  const auto r = announce(client, "udp://127.0.0.1:" + std::to_string(server.port()) + "/announce");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->interval, 1800s);
  EXPECT_EQ(r->leechers, 3);
  EXPECT_EQ(r->seeders, 5);
  ASSERT_EQ(r->peers.size(), 1u);
  EXPECT_EQ(r->peers[0].address().to_string(), "127.0.0.2");
  ASSERT_EQ(server.datagrams.size(), 2u);
  const std::string& a = server.datagrams[1];
  EXPECT_EQ(a.substr(16, 20), params().info_hash.view());
  EXPECT_EQ(a.substr(36, 20), std::string(20, 'p'));
  EXPECT_EQ(be32_at(a, 80), 2u);  // started
  EXPECT_EQ(a.substr(96, 2), "\x1a\xe1");

  // The connection id is reused within its lifetime: no second connect.
  ASSERT_TRUE(announce(client, "udp://127.0.0.1:" + std::to_string(server.port()) + "/announce"));
  ASSERT_EQ(server.datagrams.size(), 3u);
  EXPECT_EQ(server.datagrams[2].size(), 98u);
}

TEST_F(TrackerClientUdp, RetransmitsAfterALostPacket) {
  int seen = 0;
  UdpServer server(io, [&](const std::string& d) {
    return std::vector<std::string>{++seen == 1 ? std::string() : udp_tracker(d)};
  });
  auto o = options();
  // Short waits, and enough retries that a slow machine answering late still gets through:
  // such a machine may also retransmit more than once, which the checks below allow.
  o.udp_base_timeout = 20ms;
  o.udp_max_retries = 8;
  TrackerClient client(io, o);
  const auto r = announce(client, "udp://127.0.0.1:" + std::to_string(server.port()));
  ASSERT_TRUE(r) << r.error();
  ASSERT_GE(server.datagrams.size(), 3u);
  EXPECT_EQ(server.datagrams[0].size(), 16u);
  EXPECT_EQ(server.datagrams[1], server.datagrams[0]);  // the same connect, sent again
  // Connects until the first answer, then the announce (itself perhaps sent more than once).
  const auto first_announce = std::find_if(server.datagrams.begin(), server.datagrams.end(),
                                           [](const std::string& d) { return d.size() == 98; });
  ASSERT_NE(first_announce, server.datagrams.end());
  for (auto it = server.datagrams.begin(); it != first_announce; ++it) EXPECT_EQ(*it, server.datagrams[0]);
  for (auto it = first_announce; it != server.datagrams.end(); ++it) EXPECT_EQ(*it, *first_announce);
}

TEST_F(TrackerClientUdp, IgnoresForeignTransactionIds) {
  UdpServer server(io, [](const std::string& d) -> std::vector<std::string> {
    const std::string reply = udp_tracker(d);
    std::string wrong = reply;
    wrong[7] = static_cast<char>(wrong[7] ^ 0x5a);
    // A stray answer to another transaction arrives first; the client must wait for its own.
    return {wrong, be32(3) + wrong.substr(4, 4) + "not for you", reply};
  });
  TrackerClient client(io, options());
  const auto r = announce(client, "udp://127.0.0.1:" + std::to_string(server.port()));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(server.datagrams.size(), 2u);
}

TEST_F(TrackerClientUdp, GivesUpAfterTheRetrySchedule) {
  UdpServer server(io, [](const std::string&) { return std::vector<std::string>{}; });
  auto o = options();
  o.udp_base_timeout = 1ms;
  o.udp_max_retries = 2;  // the first transmission and two retries, then "timed out"
  TrackerClient client(io, o);
  const auto r = announce(client, "udp://127.0.0.1:" + std::to_string(server.port()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "tracker udp://127.0.0.1:" + std::to_string(server.port()) + ": timed out");
  // Every datagram was sent before the request gave up (its socket is closed now); the server
  // may just not have read the last ones yet.
  run_until(io, [&] { return server.datagrams.size() >= 3; });
  ASSERT_EQ(server.datagrams.size(), 3u);
  EXPECT_EQ(server.datagrams[1], server.datagrams[0]);
  EXPECT_EQ(server.datagrams[2], server.datagrams[0]);
}

TEST_F(TrackerClientUdp, TrackerError) {
  UdpServer server(io, [](const std::string& d) {
    return std::vector<std::string>{d.size() == 16 ? udp_tracker(d)
                                                   : be32(3) + d.substr(12, 4) + "torrent not registered"};
  });
  TrackerClient client(io, options());
  const auto r = announce(client, "udp://127.0.0.1:" + std::to_string(server.port()));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(),
            "tracker udp://127.0.0.1:" + std::to_string(server.port()) + ": torrent not registered");
}

TEST_F(TrackerClientUdp, ConnectionRefused) {
  std::uint16_t port = 0;
  {  // a port that was just free: nothing listens there now
    asio::ip::udp::socket probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }
  TrackerClient client(io, options());
  const auto r = announce(client, "udp://127.0.0.1:" + std::to_string(port));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "tracker udp://127.0.0.1:" + std::to_string(port) + ": connection refused");
}

TEST_F(TrackerClientUdp, TrackerErrorDropsTheCachedConnectionId) {
  int announces = 0;
  UdpServer server(io, [&](const std::string& d) {
    if (d.size() == 98 && ++announces == 1)
      return std::vector<std::string>{be32(3) + d.substr(12, 4) + "bad connection id"};
    return std::vector<std::string>{udp_tracker(d)};
  });
  TrackerClient client(io, options());
  const std::string url = "udp://127.0.0.1:" + std::to_string(server.port());
  const auto first = announce(client, url);
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error(), "tracker " + url + ": bad connection id");
  const auto second = announce(client, url);
  EXPECT_TRUE(second) << second.error();
  ASSERT_EQ(server.datagrams.size(), 4u);
  EXPECT_EQ(server.datagrams[2].size(), 16u);  // connected again
}

TEST_F(TrackerClientUdp, Scrape) {
  UdpServer server(io, [](const std::string& d) { return std::vector<std::string>{udp_tracker(d)}; });
  TrackerClient client(io, options());
  std::optional<expected<ScrapeResult, std::string>> out;
  client.scrape("udp://127.0.0.1:" + std::to_string(server.port()), params().info_hash,
                [&](auto r) { out = std::move(r); });
  run_until(io, [&] { return out.has_value(); });
  ASSERT_TRUE(out && *out) << (out ? out->error() : "no answer");
  EXPECT_EQ((*out)->seeders, 7);
  EXPECT_EQ((*out)->completed, 70);
  EXPECT_EQ((*out)->leechers, 8);
  ASSERT_EQ(server.datagrams.size(), 2u);
  EXPECT_EQ(server.datagrams[1].substr(16), params().info_hash.view());
}

}  // namespace
}  // namespace tessera::tracker
