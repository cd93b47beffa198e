// What the DHT keeps across restarts: our node id (so the nodes that know us keep finding us at
// the same place) and the good nodes of the routing table, to bootstrap from next time.
// A small bencoded file: d 2:id 20:<id> 5:nodes l 26:<compact node> ... e e. Pure.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dht/krpc.hpp"
#include "dht/node_id.hpp"
#include "tessera/expected.hpp"

namespace tessera::dht {

inline constexpr std::size_t kMaxSavedNodes = 256;
inline constexpr std::size_t kMaxSavedFile = 64 * 1024;

struct SavedNodes {
  std::optional<NodeId> id;
  std::vector<CompactNode> nodes;  // IPv4 and IPv6 alike
  friend bool operator==(const SavedNodes&, const SavedNodes&) = default;
};

// At most kMaxSavedNodes nodes are written.
std::string encode_saved_nodes(const SavedNodes& saved);
// The error is one line. Entries of the wrong size are skipped; the rest of the file still counts.
expected<SavedNodes, std::string> decode_saved_nodes(std::string_view bytes);

}  // namespace tessera::dht
