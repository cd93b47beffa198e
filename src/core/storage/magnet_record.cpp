#include "storage/magnet_record.hpp"

#include "bencode/document.hpp"
#include "bencode/value.hpp"

namespace tessera {
namespace {

constexpr std::int64_t kVersion = 1;

}  // namespace

std::string encode_magnet_record(const MagnetRecord& r) {
  bencode::Value root(bencode::Value::Dict{});
  root.set("version", kVersion);
  root.set("uri", r.uri);
  root.set("save_path", r.save_path);
  root.set("paused", std::int64_t{r.paused ? 1 : 0});
  root.set("pause_after_metadata", std::int64_t{r.pause_after_metadata ? 1 : 0});
  root.set("added_at", r.added_at);
  return bencode::encode(root);
}

expected<MagnetRecord, std::string> decode_magnet_record(std::string_view bytes) {
  bencode::Limits limits;
  limits.max_input = 256 * 1024;  // a link is at most 64 KiB
  limits.max_depth = 4;
  limits.max_tokens = 64;
  auto doc = bencode::decode(bytes, limits);
  if (!doc) return unexpected("not a magnet record: " + doc.error().message());
  const bencode::Node root = doc->root();
  if (!root.is_dict()) return unexpected(std::string("not a magnet record: not a dictionary"));
  const auto version = root.find_int("version");
  if (!version || *version != kVersion) return unexpected(std::string("magnet record of an unknown version"));
  const auto uri = root.find_string("uri");
  const auto save = root.find_string("save_path");
  if (!uri || !save || save->empty()) return unexpected(std::string("magnet record without its link or folder"));
  MagnetRecord r;
  r.uri = std::string(*uri);
  r.save_path = std::string(*save);
  r.paused = root.find_int("paused").value_or(0) != 0;
  r.pause_after_metadata = root.find_int("pause_after_metadata").value_or(0) != 0;
  r.added_at = root.find_int("added_at").value_or(0);
  return r;
}

}  // namespace tessera
