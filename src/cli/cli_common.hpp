// Helpers shared by tessera-cli's commands.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tessera/expected.hpp"

namespace tessera::cli {

// Exit codes: 0 success, 1 the operation failed, 2 bad input (usage, invalid torrent).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;

// "1.50 MiB" style, binary units.
std::string human_size(std::int64_t bytes);

// Prints "error: <message>" on stderr.
void print_error(std::string_view message);

// A .torrent's bytes once read and validated; otherwise prints its one-line error and returns
// nothing (the caller exits with kExitBadInput before opening anything).
std::optional<std::string> read_valid_torrent(const std::string& path);

}  // namespace tessera::cli

namespace tessera::cli {
// Text from a torrent made safe for a terminal: control characters (escape sequences could
// rewrite the screen) become '?'.
std::string printable(std::string_view s);
}  // namespace tessera::cli
