// Big-endian (network order) integers in byte strings; internal to the wire codec.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tessera::wire::detail {

inline void put_u8(std::string& out, std::uint8_t v) {
  out.push_back(static_cast<char>(v));
}

inline void put_u16(std::string& out, std::uint16_t v) {
  const char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v & 0xFF)};
  out.append(b, 2);
}

inline void put_u32(std::string& out, std::uint32_t v) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>((v >> 16) & 0xFF),
                     static_cast<char>((v >> 8) & 0xFF), static_cast<char>(v & 0xFF)};
  out.append(b, 4);
}

// Precondition: at least 2 / 4 bytes from `p`.
inline std::uint16_t get_u16(const char* p) {
  return static_cast<std::uint16_t>((static_cast<unsigned>(static_cast<unsigned char>(p[0])) << 8) |
                                    static_cast<unsigned char>(p[1]));
}

inline std::uint32_t get_u32(const char* p) {
  return (std::uint32_t{static_cast<unsigned char>(p[0])} << 24) |
         (std::uint32_t{static_cast<unsigned char>(p[1])} << 16) |
         (std::uint32_t{static_cast<unsigned char>(p[2])} << 8) |
         std::uint32_t{static_cast<unsigned char>(p[3])};
}

}  // namespace tessera::wire::detail
