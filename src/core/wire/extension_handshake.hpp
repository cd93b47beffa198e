// The BEP 10 extension handshake: the bencoded dictionary carried by extended message id 0.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "tessera/expected.hpp"
#include "wire/protocol_error.hpp"

namespace tessera::wire {

struct ExtensionHandshake {
  // "m": extension name -> the id the sender wants to receive it under. An id of 0 means the
  // sender disables that extension (BEP 10 allows later handshakes to do so), so it is kept.
  std::map<std::string, std::uint8_t> messages;
  std::optional<std::uint16_t> listen_port;    // "p"
  std::string client;                          // "v", UTF-8 name and version
  std::optional<std::uint32_t> request_queue;  // "reqq", requests the sender keeps in flight
  std::optional<std::int64_t> metadata_size;   // "metadata_size" (BEP 9)
  std::optional<std::string> your_ip;          // "yourip": 4 or 16 raw bytes, how the sender sees us

  friend bool operator==(const ExtensionHandshake&, const ExtensionHandshake&) = default;
};

// Canonical bencode; "m" is always written, the other keys only when set.
std::string encode_extension_handshake(const ExtensionHandshake& h);

// Fails only when the payload is not a bencoded dictionary within tight limits (64 KiB,
// nesting 8, 4096 values). Unknown keys are ignored, and so is a known key whose value has the
// wrong type or is out of range: peers in the wild send odd values, and dropping the whole
// connection over an optional hint would cost more than it protects.
expected<ExtensionHandshake, ProtocolError> decode_extension_handshake(std::string_view payload);

}  // namespace tessera::wire
