#include "magnet/uri_text.hpp"

#include <cstdint>

#include "text/utf8.hpp"

namespace tessera::magnet {
namespace {

constexpr char kHexUpper[] = "0123456789ABCDEF";
constexpr char kBase32Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int base32_digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

bool is_control(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (text.size() - i < 3) return std::nullopt;
      const int hi = hex_digit(text[i + 1]);
      const int lo = hex_digit(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi << 4 | lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string percent_encode(std::string_view bytes, std::string_view keep) {
  std::string out;
  out.reserve(bytes.size());
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c) || keep.find(ch) != std::string_view::npos) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHexUpper[c >> 4]);
      out.push_back(kHexUpper[c & 0x0F]);
    }
  }
  return out;
}

std::optional<Sha1Digest> decode_base32_hash(std::string_view text) {
  if (text.size() != 32) return std::nullopt;
  Sha1Digest out;
  // 5 bits per character, gathered into whole bytes; 32 * 5 = 160 leaves nothing over.
  std::uint32_t buffer = 0;
  int bits = 0;
  std::size_t at = 0;
  for (const char c : text) {
    const int v = base32_digit(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.bytes[at++] = static_cast<std::uint8_t>(buffer >> bits);
      buffer &= (1u << bits) - 1;
    }
  }
  return out;
}

std::string encode_base32_hash(const Sha1Digest& hash) {
  std::string out;
  out.reserve(32);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const std::uint8_t b : hash.bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kBase32Alphabet[(buffer >> bits) & 0x1F]);
    }
    buffer &= (1u << bits) - 1;
  }
  return out;
}

CleanText clean_display_text(std::string_view text) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  CleanText out;
  out.text.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const std::size_t n = utf8_sequence(text, i, cp);
    if (n == 0 || is_control(cp)) {
      out.text.append(kReplacement);
      out.changed = true;
      i += n == 0 ? 1 : n;
    } else {
      out.text.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace tessera::magnet
