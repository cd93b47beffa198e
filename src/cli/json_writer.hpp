// Just enough JSON output for `--json`: strings are escaped, and bytes that are not valid UTF-8
// (torrents carry arbitrary bytes in comments) become U+FFFD so the output always parses.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tessera::cli {

std::string json_string(std::string_view s);

}  // namespace tessera::cli
