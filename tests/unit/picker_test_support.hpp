// Shared by the picker's tests: swarms and picks written as short strings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "picker/piece_picker.hpp"

namespace tessera::picker_test {

inline constexpr std::uint64_t kSeed = 42;
inline constexpr PeerKey kA = 1, kB = 2, kC = 3, kD = 4, kE = 5;

// `pieces` pieces of `blocks` blocks each; a non-zero `last_bytes` makes the last piece short.
inline PieceMap make_map(std::uint32_t pieces, std::uint32_t blocks, std::int64_t last_bytes = 0) {
  const std::int64_t piece_length = std::int64_t{blocks} * kBlockSize;
  const std::int64_t total =
      std::int64_t{pieces - 1} * piece_length + (last_bytes > 0 ? last_bytes : piece_length);
  return PieceMap({total}, piece_length);
}

// "0110" -> a bitfield with pieces 1 and 2 set.
inline Bitfield bits(std::string_view s) {
  Bitfield b(static_cast<std::uint32_t>(s.size()));
  for (std::uint32_t i = 0; i < s.size(); ++i) {
    if (s[i] == '1') b.set(i);
  }
  return b;
}

// One digit per piece: how many connected peers have it ("3102": piece 0 held by 3 peers, ...).
inline void add_swarm(PiecePicker& picker, std::string_view availability) {
  for (std::uint32_t i = 0; i < availability.size(); ++i) {
    for (int n = 0; n < availability[i] - '0'; ++n) picker.add_peer_have(i);
  }
}

// "1100" -> set_have(0), set_have(1).
inline void have_pieces(PiecePicker& picker, std::string_view s) {
  for (std::uint32_t i = 0; i < s.size(); ++i) {
    if (s[i] == '1') picker.set_have(i);
  }
}

// Picks rendered as "piece.block piece.block ...", so expectations read like the request stream.
inline std::string str(const std::vector<BlockRef>& picks) {
  std::string out;
  for (const BlockRef& b : picks) {
    if (!out.empty()) out += ' ';
    out += std::to_string(b.piece) + '.' + std::to_string(b.block);
  }
  return out;
}

inline std::string str(const std::vector<std::uint32_t>& values) {
  std::string out;
  for (const std::uint32_t v : values) {
    if (!out.empty()) out += ' ';
    out += std::to_string(v);
  }
  return out;
}

}  // namespace tessera::picker_test
