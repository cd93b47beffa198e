#include <gtest/gtest.h>

#include <string>

#include "tracker/http_tracker_protocol.hpp"

namespace tessera::tracker {
namespace {

using namespace std::chrono_literals;

// The classic example hash whose encoding mixes escaped bytes and plain letters.
Sha1Digest example_hash() {
  return *Sha1Digest::from_hex("123456789abcdef123456789abcdef123456789a");
}

AnnounceParams example_params() {
  AnnounceParams p;
  p.info_hash = example_hash();
  const std::string id = "-TS0010-ab~._ \xff\x01z987";  // 20 bytes
  std::copy(id.begin(), id.end(), p.peer_id.begin());
  p.port = 6881;
  p.uploaded = 10;
  p.downloaded = 20;
  p.left = 30;
  p.numwant = 50;
  p.key = 0x0a0b0c0d;
  return p;
}

std::string be16(std::uint16_t v) {
  return {static_cast<char>(v >> 8), static_cast<char>(v & 0xff)};
}

TEST(TrackerHttpProtocol, PercentEncodesExactly) {
  EXPECT_EQ(url_encode(example_hash().view()), "%124Vx%9A%BC%DE%F1%23Eg%89%AB%CD%EF%124Vx%9A");
  EXPECT_EQ(url_encode("a-Z_0.~ /%"), "a-Z_0.~%20%2F%25");
}

TEST(TrackerHttpProtocol, BuildsAnnounceUrl) {
  auto p = example_params();
  p.event = Event::started;
  EXPECT_EQ(build_announce_url("http://t.example:6969/announce", p),
            "http://t.example:6969/announce?info_hash=%124Vx%9A%BC%DE%F1%23Eg%89%AB%CD%EF%124Vx%9A"
            "&peer_id=-TS0010-ab~._%20%FF%01z987&port=6881&uploaded=10&downloaded=20&left=30"
            "&compact=1&no_peer_id=1&numwant=50&key=0A0B0C0D&event=started");
}

TEST(TrackerHttpProtocol, KeepsExistingQueryOmitsNoneEventAddsTrackerId) {
  const auto p = example_params();
  const std::string url = build_announce_url("https://t.example/announce.php?passkey=s3cr3t#frag", p, "id 1");
  EXPECT_TRUE(url.starts_with("https://t.example/announce.php?passkey=s3cr3t&info_hash=%124Vx")) << url;
  EXPECT_EQ(url.find("event="), std::string::npos);
  EXPECT_EQ(url.find('#'), std::string::npos);
  EXPECT_TRUE(url.ends_with("&trackerid=id%201")) << url;
  EXPECT_TRUE(build_announce_url("http://t/a?x=1&", p).starts_with("http://t/a?x=1&info_hash="));
}

TEST(TrackerHttpProtocol, ParsesCompactPeersAndCounts) {
  const std::string peers = std::string("\x7f\x00\x00\x01", 4) + be16(6881) +
                            std::string("\x0a\x00\x00\x02", 4) + be16(51413) +
                            std::string("\x01\x02\x03\x04", 4) + be16(0) + "\x05";
  const std::string body = "d8:completei7e10:incompletei3e8:intervali900e12:min intervali60e5:peers" +
                           std::to_string(peers.size()) + ":" + peers + "10:tracker id3:xyze";
  auto r = parse_announce_response(body);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->interval, 900s);
  EXPECT_EQ(r->min_interval, 60s);
  EXPECT_EQ(r->seeders, 7);
  EXPECT_EQ(r->leechers, 3);
  EXPECT_EQ(r->tracker_id, "xyz");
  ASSERT_EQ(r->peers.size(), 2u);  // port 0 and the trailing partial entry are skipped
  EXPECT_EQ(r->peers[0].address().to_string(), "127.0.0.1");
  EXPECT_EQ(r->peers[0].port(), 6881);
  EXPECT_EQ(r->peers[1].address().to_string(), "10.0.0.2");
  EXPECT_EQ(r->peers[1].port(), 51413);
}

TEST(TrackerHttpProtocol, ParsesCompactIpv6Peers) {
  std::string v6(16, '\0');
  v6[0] = '\x20';
  v6[1] = '\x01';
  v6[2] = '\x0d';
  v6[3] = '\xb8';
  v6[15] = '\x01';
  const std::string peers6 = v6 + be16(443);
  const std::string body = "d8:intervali1800e5:peers0:6:peers618:" + peers6 + "e";
  auto r = parse_announce_response(body);
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->peers.size(), 1u);
  EXPECT_EQ(r->peers[0].address().to_string(), "2001:db8::1");
  EXPECT_EQ(r->peers[0].port(), 443);
}

TEST(TrackerHttpProtocol, ParsesDictionaryPeersSkippingMalformed) {
  const std::string body =
      "d8:intervali1800e5:peersl"
      "d2:ip9:127.0.0.17:peer id20:aaaaaaaaaaaaaaaaaaaa4:porti6881ee"
      "d2:ip3:::14:porti7000ee"
      "d2:ip11:example.org4:porti1ee"  // host names are not resolved
      "d2:ip8:10.0.0.14:porti70000ee"  // port out of range
      "d4:porti1ee"                    // no ip
      "i5e"                            // not a dict
      "ee";
  auto r = parse_announce_response(body);
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->peers.size(), 2u);
  EXPECT_EQ(r->peers[0], boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 6881));
  EXPECT_EQ(r->peers[1], boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("::1"), 7000));
}

TEST(TrackerHttpProtocol, ClampsIntervals) {
  auto low = parse_announce_response("d8:intervali5e12:min intervali-3e5:peers0:e");
  ASSERT_TRUE(low);
  EXPECT_EQ(low->interval, 60s);
  EXPECT_EQ(low->min_interval, 0s);
  auto high = parse_announce_response("d8:intervali999999e12:min intervali9999999e5:peers0:e");
  ASSERT_TRUE(high);
  EXPECT_EQ(high->interval, 6h);
  EXPECT_EQ(high->min_interval, 6h);
  auto none = parse_announce_response("d5:peers0:e");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->interval, 1800s);
}

TEST(TrackerHttpProtocol, FailureReasonAndWarning) {
  auto failed = parse_announce_response("d14:failure reason36:Requested download is not authorizede");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error(), "tracker: Requested download is not authorized");
  auto multiline = parse_announce_response("d14:failure reason7:bad\nnewe");
  ASSERT_FALSE(multiline);
  EXPECT_EQ(multiline.error(), "tracker: bad new");
  auto warned = parse_announce_response("d8:intervali1800e5:peers0:15:warning message9:slow downe");
  ASSERT_TRUE(warned);
  EXPECT_EQ(warned->warning, "slow down");
}

TEST(TrackerHttpProtocol, GarbageIsAOneLineError) {
  for (const std::string body :
       {"", "<html><body>502 Bad Gateway</body></html>", "i42e", "d8:intervali", "d3:fooi1ee", "le"}) {
    auto r = parse_announce_response(body);
    ASSERT_FALSE(r) << body;
    EXPECT_TRUE(r.error().starts_with("invalid tracker response: ")) << r.error();
    EXPECT_EQ(r.error().find('\n'), std::string::npos);
  }
  EXPECT_EQ(parse_announce_response("<html>").error(), "invalid tracker response: HTML, not bencode");
}

TEST(TrackerHttpProtocol, ScrapeUrls) {
  EXPECT_EQ(scrape_url_for("http://t.example/announce"), "http://t.example/scrape");
  EXPECT_EQ(scrape_url_for("http://t.example/x/announce.php?passkey=1"),
            "http://t.example/x/scrape.php?passkey=1");
  EXPECT_EQ(scrape_url_for("https://t.example:8443/announce?a=/b"), "https://t.example:8443/scrape?a=/b");
  EXPECT_EQ(scrape_url_for("http://t.example/a"), std::nullopt);
  EXPECT_EQ(scrape_url_for("http://t.example/announce/x"), std::nullopt);
  EXPECT_EQ(scrape_url_for("http://announce"), std::nullopt);
  EXPECT_EQ(scrape_url_for("udp://t.example:80"), "udp://t.example:80");
  EXPECT_EQ(build_scrape_url("http://t/scrape?k=1", example_hash()),
            "http://t/scrape?k=1&info_hash=%124Vx%9A%BC%DE%F1%23Eg%89%AB%CD%EF%124Vx%9A");
}

TEST(TrackerHttpProtocol, ParsesScrape) {
  const std::string hash(example_hash().view());
  const std::string other(20, 'x');
  const std::string body = "d5:filesd20:" + hash +
                           "d8:completei5e10:downloadedi50e10:incompletei10ee20:" + other +
                           "d8:completei1eeee";
  auto r = parse_scrape_response(body, example_hash());
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->seeders, 5);
  EXPECT_EQ(r->leechers, 10);
  EXPECT_EQ(r->completed, 50);
  auto missing = parse_scrape_response("d5:filesdee", example_hash());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(), "tracker: scrape has no entry for this torrent");
  EXPECT_EQ(parse_scrape_response("d14:failure reason4:nopee", example_hash()).error(), "tracker: nope");
  EXPECT_FALSE(parse_scrape_response("garbage", example_hash()));
}

TEST(TrackerHttpProtocol, ParsesTrackerUrls) {
  auto a = parse_tracker_url("HTTP://Tracker.example/announce?x=1#f");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->scheme, "http");
  EXPECT_EQ(a->host, "Tracker.example");
  EXPECT_EQ(a->port, 80);
  EXPECT_EQ(a->target, "/announce?x=1");
  auto b = parse_tracker_url("https://[::1]:8443");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 8443);
  EXPECT_EQ(b->target, "/");
  auto c = parse_tracker_url("udp://127.0.0.1:6969/announce");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->port, 6969);
  EXPECT_FALSE(parse_tracker_url("udp://t.example"));
  EXPECT_FALSE(parse_tracker_url("ftp://t.example/"));
  EXPECT_FALSE(parse_tracker_url("http://user:pw@t.example/"));
  EXPECT_FALSE(parse_tracker_url("http://t.example:99999/"));
  EXPECT_FALSE(parse_tracker_url("http://:80/"));
  EXPECT_EQ(url_for_messages("http://t/announce?passkey=1"), "http://t/announce");
}

}  // namespace
}  // namespace tessera::tracker
