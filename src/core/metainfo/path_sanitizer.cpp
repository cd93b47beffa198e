#include "metainfo/path_sanitizer.hpp"

#include "hash/sha1.hpp"

namespace tessera {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not valid
// (overlong forms, surrogates and code points past U+10FFFF are invalid).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1Fu;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0Fu;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07u;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  static constexpr std::uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinForLength[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7F; }

}  // namespace

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

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
