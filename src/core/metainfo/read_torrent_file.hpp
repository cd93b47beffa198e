// Reading a .torrent (or a resume file) from disk without trusting it: the size is checked before
// reading, and pipes and devices (which have no size) are cut off past the limit.
#pragma once

#include <cstdint>
#include <string>

#include "tessera/expected.hpp"

namespace tessera {

// The whole file, at most max_bytes; the error is one line naming the file.
expected<std::string, std::string> read_torrent_file(const std::string& path, std::uint64_t max_bytes);

}  // namespace tessera
