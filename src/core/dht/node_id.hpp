// Kademlia node ids (BEP 5): 160-bit strings compared by XOR distance. Info-hashes live in the
// same space, so a NodeId also names the target of a get_peers lookup.
#pragma once

#include <array>
#include <bit>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace tessera::dht {

inline constexpr std::size_t kNodeIdBytes = 20;
inline constexpr int kNodeIdBits = 160;

struct NodeId {
  std::array<std::uint8_t, kNodeIdBytes> bytes{};

  // Exactly 20 raw bytes, or nothing: a KRPC id of any other length is malformed.
  static std::optional<NodeId> from_bytes(std::string_view raw) {
    if (raw.size() != kNodeIdBytes) return std::nullopt;
    NodeId id;
    for (std::size_t i = 0; i < kNodeIdBytes; ++i) id.bytes[i] = static_cast<std::uint8_t>(raw[i]);
    return id;
  }
  // 40 hex digits (either case), for tests and logs.
  static std::optional<NodeId> from_hex(std::string_view hex) {
    if (hex.size() != 2 * kNodeIdBytes) return std::nullopt;
    NodeId id;
    for (std::size_t i = 0; i < kNodeIdBytes; ++i) {
      const int hi = nibble(hex[2 * i]);
      const int lo = nibble(hex[2 * i + 1]);
      if (hi < 0 || lo < 0) return std::nullopt;
      id.bytes[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    return id;
  }

  std::string_view view() const { return {reinterpret_cast<const char*>(bytes.data()), bytes.size()}; }
  std::string hex() const {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * kNodeIdBytes);
    for (const std::uint8_t b : bytes) {
      out += kDigits[b >> 4];
      out += kDigits[b & 0x0f];
    }
    return out;
  }

  // Bit 0 is the most significant bit of the first byte, as in the Kademlia paper.
  bool bit(int index) const { return (bytes[static_cast<std::size_t>(index / 8)] >> (7 - index % 8)) & 1; }
  void flip_bit(int index) {
    bytes[static_cast<std::size_t>(index / 8)] ^= static_cast<std::uint8_t>(0x80u >> (index % 8));
  }

  // Lexicographic on the bytes, which is also numeric order: distances compare with it.
  friend auto operator<=>(const NodeId&, const NodeId&) = default;

 private:
  static int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
};

inline NodeId xor_distance(const NodeId& a, const NodeId& b) {
  NodeId d;
  for (std::size_t i = 0; i < kNodeIdBytes; ++i) d.bytes[i] = a.bytes[i] ^ b.bytes[i];
  return d;
}

// Leading bits a and b share: 160 for equal ids, 0 when the first bit differs. A routing table
// files a node under this number (its bucket index before splits cap it).
inline int common_prefix_bits(const NodeId& a, const NodeId& b) {
  for (std::size_t i = 0; i < kNodeIdBytes; ++i) {
    const unsigned x = a.bytes[i] ^ b.bytes[i];
    if (x != 0) return static_cast<int>(i * 8) + std::countl_zero(static_cast<std::uint8_t>(x));
  }
  return kNodeIdBits;
}

// True when a is strictly closer to target than b.
inline bool closer_to(const NodeId& target, const NodeId& a, const NodeId& b) {
  return xor_distance(target, a) < xor_distance(target, b);
}

// A random id whose first `prefix_bits` bits are those of `prefix` (0 gives any id): a target
// inside one bucket's range, or a fresh node id.
template <std::uniform_random_bit_generator Rng>
NodeId random_id_with_prefix(const NodeId& prefix, int prefix_bits, Rng& rng) {
  std::uniform_int_distribution<unsigned> byte(0, 255);
  NodeId id;
  for (auto& b : id.bytes) b = static_cast<std::uint8_t>(byte(rng));
  for (int i = 0; i < prefix_bits && i < kNodeIdBits; ++i) {
    if (id.bit(i) != prefix.bit(i)) id.flip_bit(i);
  }
  return id;
}

}  // namespace tessera::dht
