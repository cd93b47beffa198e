// Replacing a small file so that a crash at any moment leaves either the old or the new bytes:
// write a temporary file beside it, fsync it, rename it over the old one, fsync the folder.
// The engine writes its state files this way; front ends use it for what they save (a .torrent).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "tessera/expected.hpp"

namespace tessera {

// The error is one line naming the file and the system's reason.
expected<void, std::string> write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

}  // namespace tessera
