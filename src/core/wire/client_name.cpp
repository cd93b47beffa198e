#include "wire/client_name.hpp"

namespace tessera::wire {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 (overlongs, surrogates and values
// past U+10FFFF are invalid).
std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t& cp) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  std::size_t n = 0;
  char32_t min = 0;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  if ((b0 & 0xe0) == 0xc0) {
    n = 2, cp = b0 & 0x1f, min = 0x80;
  } else if ((b0 & 0xf0) == 0xe0) {
    n = 3, cp = b0 & 0x0f, min = 0x800;
  } else if ((b0 & 0xf8) == 0xf0) {
    n = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

bool is_control(char32_t cp) { return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x2028 || cp == 0x2029; }

}  // namespace

std::string sanitize_client_name(std::string_view raw) {
  static constexpr std::string_view kReplacement = "\xef\xbf\xbd";
  std::string out;
  bool space = false;
  for (std::size_t i = 0; i < raw.size();) {
    char32_t cp = 0;
    const std::size_t n = utf8_sequence(raw, i, cp);
    std::string_view piece = n == 0 ? kReplacement : raw.substr(i, n);
    i += n == 0 ? 1 : n;
    if (n != 0 && (is_control(cp) || cp == ' ')) {
      space = !out.empty();  // control characters become (at most) one space
      continue;
    }
    const std::size_t extra = space ? 1 : 0;
    if (out.size() + extra + piece.size() > kMaxClientNameBytes) break;
    if (space) out += ' ';
    space = false;
    out += piece;
  }
  return out;
}

}  // namespace tessera::wire
