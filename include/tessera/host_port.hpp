// "ADDRESS:PORT" as users type it: "127.0.0.2:6881", "[::1]:6881". Strict: the port is digits
// only, 0-65535; whether 0 (any port) is acceptable is the caller's call. The engine reads peer
// addresses (AddTorrentParams::peers) with it; front ends use it for their own address options.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tessera/expected.hpp"

namespace tessera {

struct HostPort {
  std::string host;  // brackets of an IPv6 literal removed
  std::uint16_t port = 0;
};

// The error is one line: "'TEXT' is not ADDRESS:PORT".
expected<HostPort, std::string> parse_host_port(std::string_view text);

}  // namespace tessera
