// Turning path components from a torrent into names that are safe to create under a save folder.
//
// Dangerous components are refused, never repaired: empty, ".", "..", containing '/' (so also
// absolute paths) or a NUL byte. Everything accepted stays inside the save folder by
// construction, since the save path is joined only with accepted components.
//
// Awkward components are made safe, deterministically (documented in docs/user-guide.md):
//  - bytes that are not valid UTF-8, and control characters (U+0000–U+001F, U+007F), become '_';
//  - a component longer than 255 bytes (Linux NAME_MAX) is cut at a character boundary and
//    given "~" plus 8 hex digits of the SHA-1 of the original, keeping a short extension, so
//    two long names that share a prefix stay distinct.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "tessera/expected.hpp"
#include "tessera/text.hpp"  // is_valid_utf8

namespace tessera {

inline constexpr std::size_t kMaxComponentBytes = 255;

struct SanitizedName {
  std::string name;
  bool changed = false;  // true when awkward characters or length were repaired
};

// Returns the safe name, or a one-line reason why the component is dangerous.
expected<SanitizedName, std::string> sanitize_path_component(std::string_view raw);

// Text from a torrent made safe to show in a one-line message: control characters, NUL and
// invalid UTF-8 become '?', and very long text is cut with "...".
std::string display_safe(std::string_view s, std::size_t max_bytes = 200);

// Shortens a valid-UTF-8 name to at most max_bytes as described above.
std::string shorten_name(std::string_view name, std::string_view original, std::size_t max_bytes);

}  // namespace tessera
