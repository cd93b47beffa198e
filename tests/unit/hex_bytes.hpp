// Test helper: bytes written as hex, e.g. "00 0a ff" -> the three bytes. Spaces are ignored.
#pragma once

#include <string>
#include <string_view>

namespace tessera::test {

inline std::string hex(std::string_view text) {
  std::string out;
  int nibbles = 0;
  unsigned value = 0;
  for (const char c : text) {
    if (c == ' ') continue;
    value = value * 16 + static_cast<unsigned>(c >= 'a' ? c - 'a' + 10 : c - '0');
    if (++nibbles == 2) {
      out += static_cast<char>(value);
      nibbles = 0;
      value = 0;
    }
  }
  return out;
}

}  // namespace tessera::test
