#include <gtest/gtest.h>

#include <string>

#include "tracker/udp_tracker_protocol.hpp"

namespace tessera::tracker::udp {
namespace {

using namespace std::chrono_literals;

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    out.push_back(digits[static_cast<unsigned char>(c) >> 4]);
    out.push_back(digits[static_cast<unsigned char>(c) & 0xf]);
  }
  return out;
}

std::string unhex(std::string_view h) {
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

TEST(TrackerUdpProtocol, Constants) {
  EXPECT_EQ(kProtocolId, 0x41727101980u);
  EXPECT_EQ(kBaseTimeout, 15s);
  EXPECT_EQ(kMaxRetries, 8);
  EXPECT_EQ(kConnectionIdLifetime, 60s);
}

TEST(TrackerUdpRetrySchedule, IsBep15sByDefault) {
  const RetrySchedule schedule;
  std::chrono::milliseconds total{0};
  int sent = 0;
  for (int n = 0; schedule.sends(n); ++n) {
    EXPECT_EQ(schedule.wait_after(n), 15s * (1 << n)) << "transmission " << n;
    total += schedule.wait_after(n);
    ++sent;
  }
  EXPECT_EQ(sent, 9);  // the first and 8 retries
  EXPECT_EQ(schedule.wait_after(8), 3840s);
  EXPECT_EQ(total, 7665s);  // 15 * (2^9 - 1): a dead tracker is given up after about two hours
}

TEST(TrackerUdpRetrySchedule, ScalesWithTheBaseAndStopsAfterMaxRetries) {
  const RetrySchedule schedule{10ms, 2};
  EXPECT_EQ(schedule.wait_after(0), 10ms);
  EXPECT_EQ(schedule.wait_after(1), 20ms);
  EXPECT_EQ(schedule.wait_after(2), 40ms);
  EXPECT_TRUE(schedule.sends(0));
  EXPECT_TRUE(schedule.sends(2));
  EXPECT_FALSE(schedule.sends(3));
  EXPECT_FALSE(schedule.sends(-1));
  EXPECT_TRUE(RetrySchedule({10ms, 0}).sends(0));  // no retries: still the one transmission
  EXPECT_FALSE(RetrySchedule({10ms, 0}).sends(1));
}

TEST(TrackerUdpRetrySchedule, SaturatesInsteadOfOverflowing) {
  // The longest wait a steady-clock timer holds (its nanoseconds must not overflow).
  const auto longest =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::duration::max());
  EXPECT_EQ(RetrySchedule({15s, 100}).wait_after(100), longest);
  EXPECT_EQ(RetrySchedule({15s, 100}).wait_after(43), longest);
  EXPECT_EQ(RetrySchedule({1ms, 100}).wait_after(40), std::chrono::milliseconds(std::int64_t{1} << 40));
  EXPECT_EQ(RetrySchedule({std::chrono::milliseconds::max(), 8}).wait_after(0), longest);
  EXPECT_EQ(RetrySchedule({std::chrono::milliseconds::max(), 8}).wait_after(8), longest);
  EXPECT_EQ(RetrySchedule({15s, 8}).wait_after(-3), 15s);
  EXPECT_EQ(RetrySchedule({-5ms, 8}).wait_after(2), 0ms);
}

TEST(TrackerUdpProtocol, EncodesConnectRequest) {
  EXPECT_EQ(hex(encode_connect_request(0xdeadbeef)),
            "0000041727101980"
            "00000000"
            "deadbeef");
}

TEST(TrackerUdpProtocol, EncodesAnnounceRequest) {
  AnnounceParams p;
  p.info_hash = *Sha1Digest::from_hex("0102030405060708090a0b0c0d0e0f1011121314");
  for (std::size_t i = 0; i < 20; ++i) p.peer_id[i] = static_cast<std::uint8_t>(0xa0 + i);
  p.downloaded = 0x1122;
  p.left = 0x3344;
  p.uploaded = 0x5566;
  p.event = Event::started;
  p.key = 0xcafef00d;
  p.numwant = -1;
  p.port = 6881;
  const std::string packet = encode_announce_request(0x0102030405060708, 7, p);
  ASSERT_EQ(packet.size(), kAnnounceRequestSize);
  EXPECT_EQ(hex(packet),
            "0102030405060708"
            "00000001"
            "00000007"
            "0102030405060708090a0b0c0d0e0f1011121314"
            "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3"
            "0000000000001122"
            "0000000000003344"
            "0000000000005566"
            "00000002"  // started is 2 on the wire
            "00000000"
            "cafef00d"
            "ffffffff"
            "1ae1");
  EXPECT_EQ(wire_event(Event::none), 0u);
  EXPECT_EQ(wire_event(Event::completed), 1u);
  EXPECT_EQ(wire_event(Event::stopped), 3u);
}

TEST(TrackerUdpProtocol, EncodesScrapeRequest) {
  const Sha1Digest hashes[] = {*Sha1Digest::from_hex("0102030405060708090a0b0c0d0e0f1011121314")};
  EXPECT_EQ(hex(encode_scrape_request(0x99, 0x42, hashes)),
            "0000000000000099"
            "00000002"
            "00000042"
            "0102030405060708090a0b0c0d0e0f1011121314");
}

TEST(TrackerUdpProtocol, ParsesConnectResponse) {
  auto ok = parse_connect_response(unhex("00000000"
                                         "00001234"
                                         "8877665544332211"),
                                   0x1234);
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 0x8877665544332211u);
}

TEST(TrackerUdpProtocol, WrongTransactionIdAndShortPacketsAreForeign) {
  auto other = parse_connect_response(unhex("00000000"
                                            "00009999"
                                            "8877665544332211"),
                                      0x1234);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().kind, ParseError::Kind::foreign);
  auto tiny = parse_connect_response(unhex("000000000000"), 0);
  ASSERT_FALSE(tiny);
  EXPECT_EQ(tiny.error().kind, ParseError::Kind::foreign);
}

TEST(TrackerUdpProtocol, ShortOrWrongActionIsMalformed) {
  auto short_connect = parse_connect_response(unhex("00000000"
                                                    "00001234"
                                                    "88776655"),
                                              0x1234);
  ASSERT_FALSE(short_connect);
  EXPECT_EQ(short_connect.error().kind, ParseError::Kind::malformed);
  EXPECT_EQ(short_connect.error().message,
            "invalid tracker response: 12-byte datagram, at least 16 expected");
  auto wrong_action = parse_announce_response(unhex("00000000"
                                                    "00001234"
                                                    "8877665544332211"),
                                              0x1234);
  ASSERT_FALSE(wrong_action);
  EXPECT_EQ(wrong_action.error().kind, ParseError::Kind::malformed);
  auto short_announce = parse_announce_response(unhex("00000001"
                                                      "00001234"
                                                      "00000708"
                                                      "00000001"),
                                                0x1234);
  ASSERT_FALSE(short_announce);
  EXPECT_EQ(short_announce.error().kind, ParseError::Kind::malformed);
  auto short_scrape = parse_scrape_response(unhex("00000002"
                                                  "00001234"
                                                  "0000000100000002"),
                                            0x1234, 1);
  ASSERT_FALSE(short_scrape);
  EXPECT_EQ(short_scrape.error().kind, ParseError::Kind::malformed);
}

TEST(TrackerUdpProtocol, ErrorResponse) {
  const std::string datagram = unhex(
                                   "00000003"
                                   "00001234") +
                               "Requested download is not authorized";
  auto e = parse_announce_response(datagram, 0x1234);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().kind, ParseError::Kind::tracker);
  EXPECT_EQ(e.error().message, "tracker: Requested download is not authorized");
  auto c = parse_connect_response(unhex("00000003"
                                        "00001234"),
                                  0x1234);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "tracker: error (no message)");
  // An error for another transaction is not ours.
  EXPECT_EQ(parse_connect_response(unhex("00000003"
                                         "00000001") +
                                       "x",
                                   0x1234)
                .error()
                .kind,
            ParseError::Kind::foreign);
}

TEST(TrackerUdpProtocol, ParsesAnnounceResponse) {
  const std::string datagram = unhex(
      "00000001"
      "00001234"
      "00000708"
      "00000003"
      "00000005"
      "7f000001"
      "1ae1"
      "0a000002"
      "c8d5"
      "01020304"
      "0000"    // port 0: skipped
      "0a0b");  // trailing partial entry: ignored
  auto r = parse_announce_response(datagram, 0x1234);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->interval, 1800s);
  EXPECT_EQ(r->leechers, 3);
  EXPECT_EQ(r->seeders, 5);
  ASSERT_EQ(r->peers.size(), 2u);
  EXPECT_EQ(r->peers[0].address().to_string(), "127.0.0.1");
  EXPECT_EQ(r->peers[0].port(), 6881);
  EXPECT_EQ(r->peers[1].address().to_string(), "10.0.0.2");
  EXPECT_EQ(r->peers[1].port(), 51413);
  // An interval of 1 s is clamped like HTTP's.
  EXPECT_EQ(parse_announce_response(unhex("00000001"
                                          "00001234"
                                          "00000001"
                                          "00000000"
                                          "00000000"),
                                    0x1234)
                ->interval,
            60s);
}

TEST(TrackerUdpProtocol, ParsesIpv6AnnounceResponse) {
  const std::string datagram = unhex(
      "00000001"
      "00000001"
      "00000708"
      "00000000"
      "00000001"
      "00000000000000000000000000000001"
      "1ae1");
  auto r = parse_announce_response(datagram, 1, true);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->peers.size(), 1u);
  EXPECT_EQ(r->peers[0].address().to_string(), "::1");
}

TEST(TrackerUdpProtocol, ParsesScrapeResponse) {
  auto r = parse_scrape_response(unhex("00000002"
                                       "00000042"
                                       "00000005"
                                       "00000032"
                                       "0000000a"),
                                 0x42, 1);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].seeders, 5);
  EXPECT_EQ((*r)[0].completed, 50);
  EXPECT_EQ((*r)[0].leechers, 10);
}

}  // namespace
}  // namespace tessera::tracker::udp
