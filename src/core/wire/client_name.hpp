// A peer's self-reported client name ("v" in its extension handshake) is peer-controlled text
// that ends up in snapshots, logs and the GUI: only a short, printable, valid UTF-8 form of it
// leaves the wire layer.
#pragma once

#include <string>
#include <string_view>

namespace tessera::wire {

inline constexpr std::size_t kMaxClientNameBytes = 64;

// Drops control characters, replaces invalid UTF-8 with U+FFFD, collapses runs of spaces, trims,
// and cuts to kMaxClientNameBytes on a character boundary.
std::string sanitize_client_name(std::string_view raw);

}  // namespace tessera::wire
