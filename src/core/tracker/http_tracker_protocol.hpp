// The HTTP tracker protocol (BEP 3, 23, 48 and the IPv6 `peers6` key), without any I/O:
// building announce and scrape URLs, and parsing the bencoded answers. Every error is one line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hash/sha1.hpp"
#include "tessera/expected.hpp"
#include "tracker/announce.hpp"

namespace tessera::tracker {

// Percent-encodes every byte except RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~),
// with upper-case hex digits.
std::string url_encode(std::string_view bytes);

// Appends the announce parameters to `announce_url`, keeping any query it already has (private
// trackers put a passkey there) and dropping a fragment. Asks for compact peers without peer ids;
// `event` is omitted for Event::none and `trackerid` when `tracker_id` is empty.
std::string build_announce_url(std::string_view announce_url, const AnnounceParams& params,
                               std::string_view tracker_id = {});

// Parses an announce response body. A `failure reason` becomes the error "tracker: <reason>";
// anything that is not a bencoded dictionary becomes "invalid tracker response: <why>".
// Peers come from compact `peers` (6 bytes each), compact `peers6` (18 bytes each) or a list
// of {ip, port} dictionaries; malformed entries and port 0 are skipped. `interval` is clamped
// to [kMinAnnounceInterval, kMaxAnnounceInterval]; `min interval` to [0, interval].
expected<AnnounceResult, std::string> parse_announce_response(std::string_view body);

// BEP 48 convention: if the last path segment of an http(s) announce URL starts with
// "announce", the scrape URL replaces that word with "scrape" (query kept). Otherwise the
// tracker cannot scrape: nullopt. A udp:// URL is returned unchanged (BEP 15 scrapes the same
// endpoint).
std::optional<std::string> scrape_url_for(std::string_view announce_url);

// The scrape request URL for one torrent.
std::string build_scrape_url(std::string_view scrape_url, const Sha1Digest& info_hash);

// Parses a scrape response and picks this torrent's entry from `files`.
expected<ScrapeResult, std::string> parse_scrape_response(std::string_view body, const Sha1Digest& info_hash);

// The parts of a tracker URL the client needs to connect. Userinfo is refused (never sent on).
struct TrackerUrl {
  std::string scheme;  // "http", "https" or "udp", lower-case
  std::string host;    // without brackets for IPv6 literals
  std::uint16_t port = 0;
  std::string target;  // path and query, at least "/"; empty for udp
};
expected<TrackerUrl, std::string> parse_tracker_url(std::string_view url);

// The URL without its query and fragment, for messages: a passkey in the query stays out of
// logs and the UI.
std::string url_for_messages(std::string_view url);

// Makes a tracker-supplied text safe for a one-line message: control characters become
// spaces and it is cut at `max_len` bytes.
std::string one_line(std::string_view text, std::size_t max_len = 200);

}  // namespace tessera::tracker
