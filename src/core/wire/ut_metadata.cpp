#include "wire/ut_metadata.hpp"

#include "bencode/document.hpp"
#include "bencode/value.hpp"

namespace tessera::wire {
namespace {

// The dictionary is three integers; anything larger is not a ut_metadata message.
bencode::Limits dict_limits() {
  bencode::Limits limits;
  limits.max_input = 512;
  limits.max_depth = 4;
  limits.max_tokens = 64;
  return limits;
}

// Piece indices beyond what a 4 GiB info dictionary needs are nonsense.
constexpr std::int64_t kMaxPieceIndex = (std::int64_t{1} << 32) / kMetadataPieceSize;

unexpected<ProtocolError> bad(std::string what) {
  return unexpected(ProtocolError{ProtocolError::Code::bad_extension_message, "ut_metadata: " + std::move(what)});
}

}  // namespace

std::string encode_metadata_message(const MetadataMessage& m) {
  bencode::Value root(bencode::Value::Dict{});
  root.set("msg_type", std::int64_t{static_cast<std::uint8_t>(m.type)});
  root.set("piece", std::int64_t{m.piece});
  if (m.type == MetadataMessage::Type::data) root.set("total_size", m.total_size);
  std::string out = bencode::encode(root);
  if (m.type == MetadataMessage::Type::data) out += m.data;
  return out;
}

expected<MetadataMessage, ProtocolError> decode_metadata_message(std::string_view payload) {
  // The dictionary's end is where the bencode decoder finds trailing data, if any.
  std::string_view dict = payload.substr(0, std::min<std::size_t>(payload.size(), dict_limits().max_input));
  auto doc = bencode::decode(dict, dict_limits());
  if (!doc && doc.error().code == bencode::Errc::trailing_data) {
    dict = dict.substr(0, doc.error().offset);
    doc = bencode::decode(dict, dict_limits());
  }
  if (!doc) return bad("not valid bencode: " + doc.error().message());
  const bencode::Node root = doc->root();
  if (!root.is_dict()) return bad("not a dictionary");
  const auto type = root.find_int("msg_type");
  const auto piece = root.find_int("piece");
  if (!type) return bad("no msg_type");
  if (!piece || *piece < 0 || *piece >= kMaxPieceIndex) return bad("no piece index or out of range");
  MetadataMessage m;
  m.piece = static_cast<std::uint32_t>(*piece);
  const std::string_view rest = payload.substr(dict.size());
  switch (*type) {
    case 0: m.type = MetadataMessage::Type::request; break;
    case 1: m.type = MetadataMessage::Type::data; break;
    case 2: m.type = MetadataMessage::Type::reject; break;
    default: return bad("unknown msg_type " + std::to_string(*type));
  }
  if (m.type != MetadataMessage::Type::data) {
    if (!rest.empty()) return bad("bytes after a request or reject");
    return m;
  }
  const auto total = root.find_int("total_size");
  if (!total || *total <= 0 || *total > (std::int64_t{1} << 32)) return bad("data without a valid total_size");
  if (rest.size() > static_cast<std::size_t>(kMetadataPieceSize)) return bad("data piece larger than 16 KiB");
  m.total_size = *total;
  m.data = std::string(rest);
  return m;
}

std::uint32_t metadata_piece_count(std::int64_t size) {
  if (size <= 0) return 0;
  return static_cast<std::uint32_t>((size + kMetadataPieceSize - 1) / kMetadataPieceSize);
}

std::int64_t metadata_piece_size(std::int64_t size, std::uint32_t piece) {
  const std::int64_t begin = std::int64_t{piece} * kMetadataPieceSize;
  if (begin >= size) return 0;
  return std::min(kMetadataPieceSize, size - begin);
}

}  // namespace tessera::wire
