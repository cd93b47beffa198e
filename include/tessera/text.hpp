// Text inside torrents (names, comments, URLs) is arbitrary bytes. Front ends that must emit
// valid text (JSON, say) check it with this.
#pragma once

#include <string_view>

namespace tessera {

// False for overlong forms, surrogates, code points past U+10FFFF and truncated sequences.
bool is_valid_utf8(std::string_view s);

}  // namespace tessera
