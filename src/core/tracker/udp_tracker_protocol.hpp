// The UDP tracker protocol (BEP 15) as pure functions: requests are encoded into datagrams and
// datagrams are parsed back, every length and field checked. The Asio side lives in
// udp_tracker_request.cpp; the whole exchange can be tested by feeding bytes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hash/sha1.hpp"
#include "tessera/expected.hpp"
#include "tracker/announce.hpp"

namespace tessera::tracker::udp {

inline constexpr std::uint64_t kProtocolId = 0x41727101980;
// A connection id may be used for this long after the connect response arrived.
inline constexpr std::chrono::seconds kConnectionIdLifetime{60};
// Retransmit after 15 * 2^n seconds, n = 0 ... kMaxRetries; then give up.
inline constexpr std::chrono::seconds kBaseTimeout{15};
inline constexpr int kMaxRetries = 8;

// When a request goes out again: transmission n (0 = the first) waits base * 2^n for an answer,
// then transmission n + 1 follows, up to transmission max_retries, after whose wait the request
// times out. BEP 15's schedule by default; the client scales `base` (tests use milliseconds).
struct RetrySchedule {
  std::chrono::milliseconds base{kBaseTimeout};
  int max_retries = kMaxRetries;

  // How long transmission n waits. Saturates at the longest wait a steady-clock timer can hold,
  // so no base and no n overflow.
  std::chrono::milliseconds wait_after(int n) const;
  // Whether transmission n is sent at all (the first always is).
  bool sends(int n) const { return n == 0 || (n > 0 && n <= max_retries); }
};

enum class Action : std::uint32_t { connect = 0, announce = 1, scrape = 2, error = 3 };

// BEP 15 numbers events differently from our enum (completed = 1, started = 2).
std::uint32_t wire_event(Event e) noexcept;

inline constexpr std::size_t kConnectRequestSize = 16;
inline constexpr std::size_t kAnnounceRequestSize = 98;
inline constexpr std::size_t kMaxScrapeHashes = 74;  // what fits a conventional 1500-byte MTU

std::string encode_connect_request(std::uint32_t transaction_id);
std::string encode_announce_request(std::uint64_t connection_id, std::uint32_t transaction_id,
                                    const AnnounceParams& params);
// precondition: 1 <= info_hashes.size() <= kMaxScrapeHashes
std::string encode_scrape_request(std::uint64_t connection_id, std::uint32_t transaction_id,
                                  std::span<const Sha1Digest> info_hashes);

// Why a datagram was not the answer we wanted.
struct ParseError {
  enum class Kind : std::uint8_t {
    foreign,    // too short to be ours, or another transaction id: ignore it and keep waiting
    tracker,    // an error response (action 3) to our transaction: message is "tracker: <text>"
    malformed,  // our transaction id but the wrong action or a bad length
  };
  Kind kind;
  std::string message;
};

// Each parser checks the transaction id first (a mismatch is Kind::foreign), then an error
// action, then the expected action and the length.
expected<std::uint64_t, ParseError> parse_connect_response(std::string_view datagram,
                                                           std::uint32_t transaction_id);
// Peers are 6-byte IPv4 entries, or 18-byte IPv6 entries when the request went over IPv6.
// Interval and min interval follow the same bounds as HTTP.
expected<AnnounceResult, ParseError> parse_announce_response(std::string_view datagram,
                                                             std::uint32_t transaction_id,
                                                             bool ipv6_peers = false);
// One result per requested hash, in request order; `expected_count` is how many were asked.
expected<std::vector<ScrapeResult>, ParseError> parse_scrape_response(std::string_view datagram,
                                                                      std::uint32_t transaction_id,
                                                                      std::size_t expected_count);

}  // namespace tessera::tracker::udp
