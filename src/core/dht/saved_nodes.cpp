#include "dht/saved_nodes.hpp"

#include "bencode/document.hpp"
#include "bencode/value.hpp"

namespace tessera::dht {

std::string encode_saved_nodes(const SavedNodes& saved) {
  bencode::Value root(bencode::Value::Dict{});
  if (saved.id) root.set("id", saved.id->view());
  bencode::Value::List nodes;
  for (const CompactNode& n : saved.nodes) {
    if (nodes.size() >= kMaxSavedNodes) break;
    nodes.emplace_back(encode_compact_node(n));
  }
  root.set("nodes", bencode::Value(std::move(nodes)));
  return bencode::encode(root);
}

expected<SavedNodes, std::string> decode_saved_nodes(std::string_view bytes) {
  if (bytes.size() > kMaxSavedFile) {
    return unexpected("DHT node file of " + std::to_string(bytes.size()) + " bytes is too large");
  }
  bencode::Limits limits;
  limits.max_input = kMaxSavedFile;
  limits.max_depth = 4;
  limits.max_tokens = 4 * kMaxSavedNodes + 16;
  auto doc = bencode::decode(bytes, limits);
  if (!doc) return unexpected("DHT node file is not bencode: " + doc.error().message());
  const bencode::Node root = doc->root();
  if (!root.is_dict()) return unexpected(std::string("DHT node file is not a dictionary"));
  SavedNodes saved;
  if (const auto id = root.find_string("id")) {
    saved.id = NodeId::from_bytes(*id);
    if (!saved.id) return unexpected("DHT node file holds an id of " + std::to_string(id->size()) + " bytes");
  }
  if (const auto nodes = root.find_list("nodes")) {
    for (const bencode::Node n : *nodes) {
      if (saved.nodes.size() >= kMaxSavedNodes) break;
      if (!n.is_string()) continue;
      if (auto node = decode_compact_node(n.as_string())) saved.nodes.push_back(*node);
    }
  }
  return saved;
}

}  // namespace tessera::dht
