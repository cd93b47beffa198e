#include "metainfo/path_sanitizer.hpp"

#include "hash/sha1.hpp"
#include "text/utf8.hpp"

namespace tessera {
namespace {

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7F; }

std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  char32_t cp = 0;
  return utf8_sequence(s, i, cp);
}

}  // namespace

std::string display_safe(std::string_view s, std::size_t max_bytes) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && out.size() < max_bytes;) {
    const std::size_t n = utf8_sequence_length(s, i);
    if (n == 0 || (n == 1 && is_control(static_cast<unsigned char>(s[i])))) {
      out += '?';
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  if (out.size() >= max_bytes) out += "...";
  return out;
}

std::string shorten_name(std::string_view name, std::string_view original, std::size_t max_bytes) {
  if (name.size() <= max_bytes) return std::string(name);
  std::string_view ext;
  if (const auto dot = name.rfind('.'); dot != std::string_view::npos && dot > 0 &&
                                        name.size() - dot <= 16) {
    ext = name.substr(dot);
  }
  // The tag is "~" and 8 hex digits, appended piece by piece: GCC 12 at -O3 warns falsely
  // (-Wrestrict) about "literal" + std::string.
  constexpr std::size_t kTagDigits = 8;
  const std::string digest = sha1(original).hex();
  std::size_t budget = max_bytes - ext.size() - (1 + kTagDigits);
  // Never cut a multi-byte character in half: back off over continuation bytes.
  while (budget > 0 && (static_cast<unsigned char>(name[budget]) & 0xC0) == 0x80) --budget;
  std::string out(name.substr(0, budget));
  out += '~';
  out.append(digest, 0, kTagDigits);
  out += ext;
  return out;
}

expected<SanitizedName, std::string> sanitize_path_component(std::string_view raw) {
  if (raw.empty()) return unexpected(std::string("empty path component"));
  if (raw.find('\0') != std::string_view::npos) {
    return unexpected(std::string("path contains a NUL byte"));
  }
  if (raw == "." || raw == "..") {
    return unexpected("path component '" + display_safe(raw) + "' would escape the save folder");
  }
  if (raw.front() == '/') return unexpected("absolute path '" + display_safe(raw) + "'");
  if (raw.find('/') != std::string_view::npos) {
    return unexpected("path component '" + display_safe(raw) + "' contains '/'");
  }

  SanitizedName out;
  out.name.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size();) {
    const std::size_t n = utf8_sequence_length(raw, i);
    if (n == 0 || (n == 1 && is_control(static_cast<unsigned char>(raw[i])))) {
      out.name += '_';
      out.changed = true;
      ++i;
    } else {
      out.name.append(raw.substr(i, n));
      i += n;
    }
  }
  if (out.name.size() > kMaxComponentBytes) {
    out.name = shorten_name(out.name, raw, kMaxComponentBytes);
    out.changed = true;
  }
  return out;
}

}  // namespace tessera
