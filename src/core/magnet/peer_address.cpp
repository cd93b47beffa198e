#include "magnet/peer_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>

namespace tessera::magnet {
namespace {

constexpr std::size_t kMaxDnsName = 253;
constexpr std::size_t kMaxDnsLabel = 63;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_dns_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || c == '-';
}

// RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens. A name whose
// last label is all digits would be a malformed IPv4 address, not a name.
bool is_dns_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxDnsName) return false;
  std::string_view last;
  for (std::size_t start = 0;;) {
    const std::size_t dot = std::min(name.find('.', start), name.size());
    const std::string_view label = name.substr(start, dot - start);
    if (label.empty() || label.size() > kMaxDnsLabel || label.front() == '-' || label.back() == '-' ||
        !std::all_of(label.begin(), label.end(), is_dns_char)) {
      return false;
    }
    last = label;
    if (dot == name.size()) break;
    start = dot + 1;
  }
  return !std::all_of(last.begin(), last.end(), is_digit);
}

expected<std::string, std::string> canonical_ipv6(std::string_view text) {
  const std::string copy(text);  // inet_pton needs a terminated string
  std::array<unsigned char, 16> raw{};
  if (inet_pton(AF_INET6, copy.c_str(), raw.data()) != 1) return unexpected(std::string("bad IPv6 address"));
  std::array<char, INET6_ADDRSTRLEN> buf{};
  if (inet_ntop(AF_INET6, raw.data(), buf.data(), buf.size()) == nullptr) {
    return unexpected(std::string("bad IPv6 address"));
  }
  return std::string(buf.data());
}

expected<std::string, std::string> canonical_host(std::string_view text) {
  if (text.empty()) return unexpected(std::string("no host"));
  if (std::all_of(text.begin(), text.end(), [](char c) { return is_digit(c) || c == '.'; })) {
    // glibc's inet_pton takes exactly four decimal parts without leading zeros, the canonical form.
    const std::string copy(text);
    std::array<unsigned char, 4> raw{};
    if (inet_pton(AF_INET, copy.c_str(), raw.data()) != 1) return unexpected(std::string("bad IPv4 address"));
    return copy;
  }
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  if (!is_dns_name(lower)) return unexpected(std::string("bad host name"));
  return lower;
}

}  // namespace

expected<PeerAddress, std::string> parse_peer_address(std::string_view text) {
  std::string_view port_text;
  expected<std::string, std::string> host = unexpected(std::string());
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return unexpected(std::string("unterminated IPv6 address"));
    const std::string_view after = text.substr(close + 1);
    if (!after.starts_with(':')) return unexpected(std::string("no port"));
    port_text = after.substr(1);
    host = canonical_ipv6(text.substr(1, close - 1));
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return unexpected(std::string("no port"));
    if (text.substr(0, colon).find(':') != std::string_view::npos) {
      return unexpected(std::string("IPv6 address without brackets"));
    }
    port_text = text.substr(colon + 1);
    host = canonical_host(text.substr(0, colon));
  }
  if (!host) return unexpected(host.error());
  unsigned port = 0;
  const char* end = port_text.data() + port_text.size();
  // At most five digits, so no sign, space or overlong number slips through from_chars.
  if (port_text.empty() || port_text.size() > 5 ||
      !std::all_of(port_text.begin(), port_text.end(), is_digit) ||
      std::from_chars(port_text.data(), end, port).ptr != end) {
    return unexpected(std::string("bad port"));
  }
  if (port == 0 || port > 65535) return unexpected(std::string("port out of range"));
  return PeerAddress{std::move(*host), static_cast<std::uint16_t>(port)};
}

std::string format_peer_address(const PeerAddress& address) {
  std::string out;
  if (address.host.find(':') != std::string::npos) {
    out.append(1, '[').append(address.host).append(1, ']');
  } else {
    out = address.host;
  }
  out.append(1, ':').append(std::to_string(address.port));
  return out;
}

}  // namespace tessera::magnet
