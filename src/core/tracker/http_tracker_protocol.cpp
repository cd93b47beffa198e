#include "tracker/http_tracker_protocol.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <limits>
#include <utility>

#include "bencode/document.hpp"

namespace tessera::tracker {
namespace {

constexpr char kHexUpper[] = "0123456789ABCDEF";

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// Tracker answers are small; these limits bound what a hostile one can make us allocate.
bencode::Limits response_limits() {
  bencode::Limits limits;
  limits.max_input = std::size_t{4} << 20;
  limits.max_depth = 32;
  limits.max_tokens = 500'000;
  return limits;
}

std::string invalid(std::string_view why) {
  return "invalid tracker response: " + std::string(why);
}

expected<bencode::Document, std::string> decode_dict(std::string_view body) {
  auto doc = bencode::decode(body, response_limits());
  if (!doc) {
    // Misconfigured trackers and captive portals answer with web pages; say so plainly.
    const auto first = body.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && body[first] == '<')
      return unexpected(invalid("HTML, not bencode"));
    if (body.empty()) return unexpected(invalid("empty body"));
    return unexpected(invalid(doc.error().message()));
  }
  if (!doc->root().is_dict()) return unexpected(invalid("not a dictionary"));
  return std::move(*doc);
}

// "failure reason" as our error, if the tracker sent one.
std::optional<std::string> failure_of(const bencode::Node& root) {
  auto reason = root.find("failure reason");
  if (!reason) return std::nullopt;
  if (!reason->is_string() || reason->as_string().empty())
    return std::string("tracker: failure (no reason given)");
  return "tracker: " + one_line(reason->as_string());
}

std::uint16_t read_be16(const unsigned char* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

void add_compact_v4(std::string_view bytes, std::vector<boost::asio::ip::tcp::endpoint>& out) {
  // A trailing partial entry is ignored: some trackers pad or truncate.
  for (std::size_t i = 0; i + 6 <= bytes.size(); i += 6) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + i);
    boost::asio::ip::address_v4::bytes_type a{p[0], p[1], p[2], p[3]};
    const std::uint16_t port = read_be16(p + 4);
    if (port == 0) continue;
    out.emplace_back(boost::asio::ip::address_v4(a), port);
  }
}

void add_compact_v6(std::string_view bytes, std::vector<boost::asio::ip::tcp::endpoint>& out) {
  for (std::size_t i = 0; i + 18 <= bytes.size(); i += 18) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + i);
    boost::asio::ip::address_v6::bytes_type a{};
    std::copy(p, p + 16, a.begin());
    const std::uint16_t port = read_be16(p + 16);
    if (port == 0) continue;
    out.emplace_back(boost::asio::ip::address_v6(a), port);
  }
}

void add_dict_peers(const bencode::Node& list, std::vector<boost::asio::ip::tcp::endpoint>& out) {
  for (const auto item : list) {
    if (!item.is_dict()) continue;
    const auto ip = item.find_string("ip");
    const auto port = item.find_int("port");
    if (!ip || !port || *port <= 0 || *port > 65535) continue;
    boost::system::error_code ec;
    // Only literal addresses: resolving host names from a peer list would let a tracker make
    // us do DNS lookups on its behalf.
    const auto addr = boost::asio::ip::make_address(std::string(*ip), ec);
    if (ec) continue;
    out.emplace_back(addr, static_cast<std::uint16_t>(*port));
  }
}

std::optional<std::int64_t> non_negative(std::optional<std::int64_t> v) {
  if (v && *v < 0) return std::nullopt;
  return v;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && to_lower(s.substr(0, prefix.size())) == prefix;
}

}  // namespace

std::string_view event_name(Event e) noexcept {
  switch (e) {
    case Event::started:
      return "started";
    case Event::completed:
      return "completed";
    case Event::stopped:
      return "stopped";
    case Event::none:
      break;
  }
  return {};
}

std::string url_encode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 3);
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHexUpper[c >> 4]);
      out.push_back(kHexUpper[c & 0x0f]);
    }
  }
  return out;
}

std::string build_announce_url(std::string_view announce_url, const AnnounceParams& params,
                               std::string_view tracker_id) {
  std::string url(announce_url.substr(0, announce_url.find('#')));
  if (url.find('?') == std::string::npos) {
    url += '?';
  } else if (url.back() != '?' && url.back() != '&') {
    url += '&';
  }
  const auto clamp0 = [](std::int64_t v) { return std::to_string(std::max<std::int64_t>(v, 0)); };
  url += "info_hash=" + url_encode(params.info_hash.view());
  url +=
      "&peer_id=" + url_encode({reinterpret_cast<const char*>(params.peer_id.data()), params.peer_id.size()});
  url += "&port=" + std::to_string(params.port);
  url += "&uploaded=" + clamp0(params.uploaded);
  url += "&downloaded=" + clamp0(params.downloaded);
  url += "&left=" + clamp0(params.left);
  url += "&compact=1&no_peer_id=1";
  if (params.numwant >= 0) url += "&numwant=" + std::to_string(params.numwant);
  char key[9];
  for (int i = 0; i < 8; ++i) key[i] = kHexUpper[(params.key >> (28 - 4 * i)) & 0xfu];
  key[8] = '\0';
  url += "&key=";
  url += key;
  if (params.event != Event::none) {
    url += "&event=";
    url += event_name(params.event);
  }
  if (!tracker_id.empty()) url += "&trackerid=" + url_encode(tracker_id);
  return url;
}

expected<AnnounceResult, std::string> parse_announce_response(std::string_view body) {
  auto doc = decode_dict(body);
  if (!doc) return unexpected(std::move(doc).error());
  const bencode::Node root = doc->root();
  if (auto failure = failure_of(root)) return unexpected(std::move(*failure));

  const auto interval = root.find_int("interval");
  const auto peers = root.find("peers");
  const auto peers6 = root.find_string("peers6");
  if (!interval && !peers && !peers6) return unexpected(invalid("no interval and no peers"));

  AnnounceResult result;
  if (interval) {
    result.interval = std::chrono::seconds(
        std::clamp<std::int64_t>(*interval, kMinAnnounceInterval.count(), kMaxAnnounceInterval.count()));
  }
  if (const auto min_interval = root.find_int("min interval")) {
    result.min_interval =
        std::chrono::seconds(std::clamp<std::int64_t>(*min_interval, 0, result.interval.count()));
  }
  if (const auto warning = root.find_string("warning message")) result.warning = one_line(*warning);
  result.seeders = non_negative(root.find_int("complete"));
  result.leechers = non_negative(root.find_int("incomplete"));
  if (const auto id = root.find_string("tracker id")) result.tracker_id = std::string(id->substr(0, 256));
  if (peers) {
    if (peers->is_string())
      add_compact_v4(peers->as_string(), result.peers);
    else if (peers->is_list())
      add_dict_peers(*peers, result.peers);
  }
  if (peers6) add_compact_v6(*peers6, result.peers);
  return result;
}

std::optional<std::string> scrape_url_for(std::string_view announce_url) {
  if (starts_with_ci(announce_url, "udp://")) return std::string(announce_url);
  std::size_t authority = 0;
  if (starts_with_ci(announce_url, "http://"))
    authority = 7;
  else if (starts_with_ci(announce_url, "https://"))
    authority = 8;
  else
    return std::nullopt;
  const std::size_t path_end = std::min(announce_url.find_first_of("?#"), announce_url.size());
  const std::string_view path = announce_url.substr(0, path_end);
  const std::size_t slash = path.rfind('/');
  if (slash == std::string_view::npos || slash < authority) return std::nullopt;
  const std::string_view segment = path.substr(slash + 1);
  if (!segment.starts_with("announce")) return std::nullopt;
  std::string out(announce_url.substr(0, slash + 1));
  out += "scrape";
  out += segment.substr(8);
  out += announce_url.substr(path_end);
  return out;
}

std::string build_scrape_url(std::string_view scrape_url, const Sha1Digest& info_hash) {
  std::string url(scrape_url.substr(0, scrape_url.find('#')));
  if (url.find('?') == std::string::npos)
    url += '?';
  else if (url.back() != '?' && url.back() != '&')
    url += '&';
  url += "info_hash=" + url_encode(info_hash.view());
  return url;
}

expected<ScrapeResult, std::string> parse_scrape_response(std::string_view body,
                                                          const Sha1Digest& info_hash) {
  auto doc = decode_dict(body);
  if (!doc) return unexpected(std::move(doc).error());
  const bencode::Node root = doc->root();
  if (auto failure = failure_of(root)) return unexpected(std::move(*failure));
  const auto files = root.find_dict("files");
  if (!files) return unexpected(invalid("scrape without a files dictionary"));
  const auto entry = files->find_dict(info_hash.view());
  if (!entry) return unexpected(std::string("tracker: scrape has no entry for this torrent"));
  ScrapeResult result;
  result.seeders = non_negative(entry->find_int("complete"));
  result.leechers = non_negative(entry->find_int("incomplete"));
  result.completed = non_negative(entry->find_int("downloaded"));
  return result;
}

expected<TrackerUrl, std::string> parse_tracker_url(std::string_view url) {
  const auto bad = [&](std::string_view why) {
    return unexpected("bad tracker URL " + one_line(url_for_messages(url), 120) + ": " + std::string(why));
  };
  const std::size_t colon = url.find("://");
  if (colon == std::string_view::npos) return bad("no scheme");
  TrackerUrl out;
  out.scheme = to_lower(url.substr(0, colon));
  if (out.scheme != "http" && out.scheme != "https" && out.scheme != "udp") return bad("unsupported scheme");
  std::string_view rest = url.substr(colon + 3);
  rest = rest.substr(0, rest.find('#'));
  const std::size_t auth_end = std::min(rest.find_first_of("/?"), rest.size());
  std::string_view authority = rest.substr(0, auth_end);
  if (authority.find('@') != std::string_view::npos) return bad("user info is not supported");
  std::string_view port_text;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 address");
    out.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("junk after IPv6 address");
      port_text = after.substr(1);
    }
  } else {
    const std::size_t pc = authority.rfind(':');
    out.host = std::string(authority.substr(0, pc));
    if (pc != std::string_view::npos) port_text = authority.substr(pc + 1);
  }
  if (out.host.empty()) return bad("no host");
  if (!port_text.empty()) {
    if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string_view::npos) {
      return bad("invalid port");
    }
    const int port = std::stoi(std::string(port_text));
    if (port < 1 || port > 65535) return bad("invalid port");
    out.port = static_cast<std::uint16_t>(port);
  } else if (out.scheme == "http") {
    out.port = 80;
  } else if (out.scheme == "https") {
    out.port = 443;
  } else {
    return bad("no port");
  }
  if (out.scheme != "udp") {
    // The path, with the '/' a bare "host?query" leaves out put in front (appended rather than
    // inserted: GCC 12 at -O3 warns falsely about inserting at the front of a string).
    const std::string_view target = rest.substr(auth_end);
    if (!target.starts_with('/')) out.target = '/';
    out.target += target;
  }
  return out;
}

std::string url_for_messages(std::string_view url) {
  return std::string(url.substr(0, url.find_first_of("?#")));
}

std::string one_line(std::string_view text, std::size_t max_len) {
  std::string out;
  out.reserve(std::min(text.size(), max_len + 3));
  for (const char ch : text) {
    if (out.size() >= max_len) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(ch);
    out.push_back(c < 0x20 || c == 0x7f ? ' ' : ch);
  }
  return out;
}

}  // namespace tessera::tracker
