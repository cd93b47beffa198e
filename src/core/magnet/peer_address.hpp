// Peer addresses as magnet links carry them (x.pe, BEP 9): "host:port", "1.2.3.4:port" or
// "[2001:db8::1]:port". Checked strictly and put in one canonical spelling, so the same peer
// written two ways is one peer.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "tessera/expected.hpp"

namespace tessera::magnet {

struct PeerAddress {
  std::string host;        // a dotted IPv4 address, an IPv6 address (no brackets, as inet_ntop
                           // writes it) or a lower-case DNS name
  std::uint16_t port = 0;  // never 0
  friend auto operator<=>(const PeerAddress&, const PeerAddress&) = default;
};

// The error is the reason alone ("no port", "port out of range", ...), one line.
expected<PeerAddress, std::string> parse_peer_address(std::string_view text);

// Back to text: IPv6 addresses in brackets. parse_peer_address(format_peer_address(a)) == a.
std::string format_peer_address(const PeerAddress& address);

}  // namespace tessera::magnet
