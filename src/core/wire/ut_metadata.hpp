// BEP 9 `ut_metadata` messages: the info dictionary sent in 16 KiB pieces over the extension
// protocol. A message is a bencoded dictionary (msg_type, piece, and total_size for data),
// followed, for data, by the piece's bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tessera/expected.hpp"
#include "wire/protocol_error.hpp"

namespace tessera::wire {

inline constexpr std::int64_t kMetadataPieceSize = 16 * 1024;
inline constexpr const char* kUtMetadata = "ut_metadata";

struct MetadataMessage {
  enum class Type : std::uint8_t { request = 0, data = 1, reject = 2 };
  Type type = Type::request;
  std::uint32_t piece = 0;
  std::int64_t total_size = 0;  // data only: the whole info dictionary's size
  std::string data;             // data only: this piece's bytes

  friend bool operator==(const MetadataMessage&, const MetadataMessage&) = default;
};

std::string encode_metadata_message(const MetadataMessage& m);

// Fails when the dictionary is not valid bencode within tight limits, a key is missing or out of
// range (piece beyond what 4 GiB could hold, a data message without total_size or with more than
// one piece of bytes, trailing bytes after a request or reject), or msg_type is unknown. Unknown
// keys are ignored.
expected<MetadataMessage, ProtocolError> decode_metadata_message(std::string_view payload);

// How many pieces an info dictionary of `size` bytes takes, and the size of piece `piece`.
std::uint32_t metadata_piece_count(std::int64_t size);
std::int64_t metadata_piece_size(std::int64_t size, std::uint32_t piece);

}  // namespace tessera::wire
