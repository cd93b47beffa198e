// UTF-8 as the engine reads it from untrusted bytes (torrent names, client names, magnet links).
#pragma once

#include <cstddef>
#include <string_view>

namespace tessera {

// The length of the valid UTF-8 sequence starting at s[i] (i < s.size()), its code point in
// `cp`; 0 when there is none: overlong forms, surrogates, code points past U+10FFFF and
// truncated sequences are not valid.
std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t& cp);

}  // namespace tessera
