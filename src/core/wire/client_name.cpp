#include "wire/client_name.hpp"

#include "text/utf8.hpp"

namespace tessera::wire {
namespace {

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
