#include "tracker/udp_tracker_protocol.hpp"

#include <algorithm>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/address_v6.hpp>
#include <utility>

#include "tracker/http_tracker_protocol.hpp"

namespace tessera::tracker::udp {
namespace {

void put32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xffu));
}
void put64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xffu));
}
void put16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xffu));
}

std::uint32_t get32(std::string_view d, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(d[at + i]);
  return v;
}
std::uint64_t get64(std::string_view d, std::size_t at) {
  return (std::uint64_t{get32(d, at)} << 32) | get32(d, at + 4);
}

unexpected<ParseError> fail(ParseError::Kind kind, std::string message) {
  return unexpected(ParseError{kind, std::move(message)});
}

// The checks every response shares. On success the datagram is ours and carries `want`.
expected<void, ParseError> check_header(std::string_view d, std::uint32_t transaction_id, Action want,
                                        std::size_t min_size) {
  if (d.size() < 8) return fail(ParseError::Kind::foreign, "short datagram");
  if (get32(d, 4) != transaction_id) return fail(ParseError::Kind::foreign, "other transaction id");
  const std::uint32_t action = get32(d, 0);
  if (action == static_cast<std::uint32_t>(Action::error)) {
    const std::string_view text = d.substr(8);
    return fail(ParseError::Kind::tracker,
                text.empty() ? std::string("tracker: error (no message)") : "tracker: " + one_line(text));
  }
  if (action != static_cast<std::uint32_t>(want)) {
    return fail(ParseError::Kind::malformed,
                "invalid tracker response: unexpected action " + std::to_string(action));
  }
  if (d.size() < min_size) {
    return fail(ParseError::Kind::malformed, "invalid tracker response: " + std::to_string(d.size()) +
                                                 "-byte datagram, at least " + std::to_string(min_size) +
                                                 " expected");
  }
  return {};
}

}  // namespace

std::chrono::milliseconds RetrySchedule::wait_after(int n) const {
  using std::chrono::milliseconds;
  // The timer converts to the clock's nanoseconds: anything longer would overflow there.
  constexpr auto longest = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::duration::max());
  if (base <= milliseconds::zero()) return milliseconds::zero();
  const milliseconds first = std::min(base, longest);
  const int doublings = std::max(n, 0);
  // base * 2^n without the product: it saturates once it would pass `longest`.
  if (doublings >= 62 || first.count() > (longest.count() >> doublings)) return longest;
  return first * (std::int64_t{1} << doublings);
}

std::uint32_t wire_event(Event e) noexcept {
  switch (e) {
    case Event::completed:
      return 1;
    case Event::started:
      return 2;
    case Event::stopped:
      return 3;
    case Event::none:
      break;
  }
  return 0;
}

std::string encode_connect_request(std::uint32_t transaction_id) {
  std::string out;
  out.reserve(kConnectRequestSize);
  put64(out, kProtocolId);
  put32(out, static_cast<std::uint32_t>(Action::connect));
  put32(out, transaction_id);
  return out;
}

std::string encode_announce_request(std::uint64_t connection_id, std::uint32_t transaction_id,
                                    const AnnounceParams& params) {
  const auto u64 = [](std::int64_t v) { return static_cast<std::uint64_t>(std::max<std::int64_t>(v, 0)); };
  std::string out;
  out.reserve(kAnnounceRequestSize);
  put64(out, connection_id);
  put32(out, static_cast<std::uint32_t>(Action::announce));
  put32(out, transaction_id);
  out.append(params.info_hash.view());
  out.append(reinterpret_cast<const char*>(params.peer_id.data()), params.peer_id.size());
  put64(out, u64(params.downloaded));
  put64(out, u64(params.left));
  put64(out, u64(params.uploaded));
  put32(out, wire_event(params.event));
  put32(out, 0);  // IP address: 0 = the sender's
  put32(out, params.key);
  put32(out, static_cast<std::uint32_t>(params.numwant));  // -1 (all ones) = tracker's default
  put16(out, params.port);
  return out;
}

std::string encode_scrape_request(std::uint64_t connection_id, std::uint32_t transaction_id,
                                  std::span<const Sha1Digest> info_hashes) {
  std::string out;
  out.reserve(16 + 20 * info_hashes.size());
  put64(out, connection_id);
  put32(out, static_cast<std::uint32_t>(Action::scrape));
  put32(out, transaction_id);
  for (const auto& h : info_hashes.first(std::min(info_hashes.size(), kMaxScrapeHashes)))
    out.append(h.view());
  return out;
}

expected<std::uint64_t, ParseError> parse_connect_response(std::string_view d, std::uint32_t transaction_id) {
  if (auto ok = check_header(d, transaction_id, Action::connect, 16); !ok) return unexpected(ok.error());
  return get64(d, 8);
}

expected<AnnounceResult, ParseError> parse_announce_response(std::string_view d, std::uint32_t transaction_id,
                                                             bool ipv6_peers) {
  if (auto ok = check_header(d, transaction_id, Action::announce, 20); !ok) return unexpected(ok.error());
  AnnounceResult result;
  const std::int64_t interval = get32(d, 8);
  result.interval = std::chrono::seconds(
      std::clamp<std::int64_t>(interval, kMinAnnounceInterval.count(), kMaxAnnounceInterval.count()));
  result.leechers = get32(d, 12);
  result.seeders = get32(d, 16);
  const std::size_t entry = ipv6_peers ? 18 : 6;
  // A trailing partial entry is ignored, as for HTTP compact peers.
  for (std::size_t at = 20; at + entry <= d.size(); at += entry) {
    const auto* p = reinterpret_cast<const unsigned char*>(d.data() + at);
    const auto port = static_cast<std::uint16_t>((p[entry - 2] << 8) | p[entry - 1]);
    if (port == 0) continue;
    if (ipv6_peers) {
      boost::asio::ip::address_v6::bytes_type a{};
      std::copy(p, p + 16, a.begin());
      result.peers.emplace_back(boost::asio::ip::address_v6(a), port);
    } else {
      result.peers.emplace_back(boost::asio::ip::address_v4({p[0], p[1], p[2], p[3]}), port);
    }
  }
  return result;
}

expected<std::vector<ScrapeResult>, ParseError> parse_scrape_response(std::string_view d,
                                                                      std::uint32_t transaction_id,
                                                                      std::size_t expected_count) {
  if (auto ok = check_header(d, transaction_id, Action::scrape, 8); !ok) return unexpected(ok.error());
  if ((d.size() - 8) / 12 < expected_count) {
    return fail(ParseError::Kind::malformed, "invalid tracker response: scrape for " +
                                                 std::to_string((d.size() - 8) / 12) + " torrents, " +
                                                 std::to_string(expected_count) + " asked");
  }
  std::vector<ScrapeResult> results;
  results.reserve(expected_count);
  for (std::size_t i = 0; i < expected_count; ++i) {
    const std::size_t at = 8 + 12 * i;
    ScrapeResult r;
    r.seeders = get32(d, at);
    r.completed = get32(d, at + 4);
    r.leechers = get32(d, at + 8);
    results.push_back(r);
  }
  return results;
}

}  // namespace tessera::tracker::udp
