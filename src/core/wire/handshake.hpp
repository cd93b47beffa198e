// The 68-byte BitTorrent handshake (BEP 3) with the reserved bits for the Fast extension
// (BEP 6) and the extension protocol (BEP 10).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "hash/sha1.hpp"
#include "tessera/expected.hpp"
#include "wire/protocol_error.hpp"

namespace tessera::wire {

inline constexpr std::size_t kHandshakeSize = 68;
// The length byte (19, in octal so the 'B' is not read as a hex digit) and the protocol name.
inline constexpr std::string_view kProtocolString{"\023BitTorrent protocol", 20};

struct Handshake {
  std::array<std::uint8_t, 8> reserved{};
  Sha1Digest info_hash;
  std::array<std::uint8_t, 20> peer_id{};

  bool supports_fast() const { return (reserved[7] & 0x04) != 0; }        // BEP 6
  bool supports_extensions() const { return (reserved[5] & 0x10) != 0; }  // BEP 10
  void set_fast() { reserved[7] = static_cast<std::uint8_t>(reserved[7] | 0x04); }
  void set_extensions() { reserved[5] = static_cast<std::uint8_t>(reserved[5] | 0x10); }

  friend bool operator==(const Handshake&, const Handshake&) = default;
};

// Exactly kHandshakeSize bytes.
std::string encode_handshake(const Handshake& h);

// Decodes the first kHandshakeSize bytes of the input (anything after them is not looked at: it
// belongs to the message stream). Fails when fewer bytes are given or the protocol string is not
// BitTorrent's. Reserved bits we do not know are kept as sent.
expected<Handshake, ProtocolError> decode_handshake(std::string_view first_68_bytes);

}  // namespace tessera::wire
