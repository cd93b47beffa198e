#include "lsd/lsd_message.hpp"

#include <algorithm>
#include <optional>

namespace tessera::lsd {
namespace {

unexpected<ParseError> fail(ParseError::Code code, std::string message) {
  return unexpected(ParseError{code, std::move(message)});
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
           return lower(x) == lower(y);
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Takes the next line off `rest` (ending in LF, an optional CR before it dropped); nullopt when
// no line end is left.
std::optional<std::string_view> next_line(std::string_view& rest) {
  const auto lf = rest.find('\n');
  if (lf == std::string_view::npos) return std::nullopt;
  std::string_view line = rest.substr(0, lf);
  rest.remove_prefix(lf + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value == 0 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

bool printable_token(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

// Only printable bytes of a short excerpt go into a log line.
std::string shown(std::string_view s) {
  std::string out;
  for (const char c : s.substr(0, 40)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

}  // namespace

std::string encode_announce(std::uint16_t port, std::span<const Sha1Digest> info_hashes,
                            std::string_view cookie) {
  std::string out = "BT-SEARCH * HTTP/1.1\r\nHost: ";
  out += kGroupAddress;
  out += ':';
  out += std::to_string(kGroupPort);
  out += "\r\nPort: ";
  out += std::to_string(port);
  out += "\r\n";
  for (const Sha1Digest& h : info_hashes.first(std::min(info_hashes.size(), kMaxInfoHashes))) {
    out += "Infohash: ";
    out += h.hex();
    out += "\r\n";
  }
  if (!cookie.empty()) {
    out += "cookie: ";
    out += cookie;
    out += "\r\n";
  }
  // BEP 14 ends the message with two blank lines.
  out += "\r\n\r\n";
  return out;
}

std::string encode_announce(const Announce& announce) {
  return encode_announce(announce.port, announce.info_hashes, announce.cookie);
}

expected<Announce, ParseError> parse_announce(std::string_view datagram, std::string_view our_cookie) {
  if (datagram.size() > kMaxDatagram) {
    return fail(ParseError::Code::too_large, "LSD datagram of " + std::to_string(datagram.size()) + " bytes");
  }
  std::string_view rest = datagram;
  const auto request = next_line(rest);
  if (!request || trim(*request) != "BT-SEARCH * HTTP/1.1") {
    return fail(ParseError::Code::not_bt_search,
                "not a BT-SEARCH request: \"" + shown(datagram.substr(0, datagram.find('\n'))) + "\"");
  }
  Announce a;
  std::optional<std::uint16_t> port;
  bool bad_port = false;
  std::size_t hash_lines = 0;
  bool ended = false;
  while (const auto line = next_line(rest)) {
    if (line->empty()) {
      ended = true;
      break;
    }
    const auto colon = line->find(':');
    if (colon == std::string_view::npos) {
      return fail(ParseError::Code::malformed, "LSD header line without a colon: \"" + shown(*line) + "\"");
    }
    const std::string_view name = trim(line->substr(0, colon));
    const std::string_view value = trim(line->substr(colon + 1));
    if (iequals(name, "port")) {
      const auto p = parse_port(value);
      if (!p || (port && *port != *p)) bad_port = true;
      port = p;
    } else if (iequals(name, "infohash")) {
      if (++hash_lines > kMaxInfoHashes) continue;
      const auto hash = Sha1Digest::from_hex(value);
      if (hash && std::find(a.info_hashes.begin(), a.info_hashes.end(), *hash) == a.info_hashes.end())
        a.info_hashes.push_back(*hash);
    } else if (iequals(name, "cookie")) {
      if (value.size() <= kMaxCookie && printable_token(value)) a.cookie = std::string(value);
    }
  }
  if (!ended)
    return fail(ParseError::Code::malformed, "LSD datagram without the blank line ending its headers");
  if (!our_cookie.empty() && a.cookie == our_cookie) {
    return fail(ParseError::Code::own_announce, "our own LSD announce");
  }
  if (bad_port || !port) return fail(ParseError::Code::bad_port, "LSD announce without a valid port");
  if (a.info_hashes.empty())
    return fail(ParseError::Code::no_info_hash, "LSD announce without a valid info-hash");
  a.port = *port;
  return a;
}

}  // namespace tessera::lsd
