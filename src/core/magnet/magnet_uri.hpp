// Magnet links (BEP 9's URI, BEP 53's file selection) as pure functions: a link parsed into what
// it holds, and a link made from that. Untrusted input: the whole URI, every list in it and every
// value are bounded, and anything malformed is a one-line error or a warning, never a crash.
//
// What makes a link unusable is an error: not a magnet URI, no BitTorrent v1 info-hash, a
// malformed or conflicting one, a v2-only link, bad percent-encoding, a malformed selection.
// A tracker, peer or web seed that cannot be used is left out with a warning: a link stays
// good for what else it holds (WebTorrent links, say, list wss:// trackers Tessera cannot use).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hash/sha1.hpp"
#include "magnet/file_selection.hpp"
#include "magnet/peer_address.hpp"
#include "tessera/expected.hpp"

namespace tessera::magnet {

inline constexpr std::size_t kMaxUriBytes = 64 * 1024;
inline constexpr std::size_t kMaxTrackers = 100;
inline constexpr std::size_t kMaxPeers = 100;
inline constexpr std::size_t kMaxWebSeeds = 50;

struct Magnet {
  Sha1Digest info_hash;
  std::string name;                       // dn: valid UTF-8 without control characters; may be empty
  std::vector<std::string> trackers;      // tr: http, https or udp URLs, in link order, no duplicates
  std::vector<PeerAddress> peers;         // x.pe, no duplicates
  std::vector<std::string> web_seeds;     // ws: http or https URLs, no duplicates
  std::vector<FileRange> selected_files;  // so (BEP 53), normalized; empty: every file
  std::vector<std::string> warnings;      // what was left out or repaired, one line each

  friend bool operator==(const Magnet&, const Magnet&) = default;
};

enum class MagnetErrc : std::uint8_t {
  too_long = 1,
  not_magnet,
  no_info_hash,
  bad_info_hash,
  conflicting_info_hashes,
  v2_only,
  bad_percent_encoding,
  bad_file_selection,
};

struct MagnetError {
  MagnetErrc code;
  std::string message;  // one line, suitable after "error: "
};

// Keys may carry a numeric suffix (xt.1, tr.2, ...) as multi-item links write them; unknown keys
// are ignored. A link naming a v2 hash (btmh) beside its btih (a hybrid torrent) reads as v1.
expected<Magnet, MagnetError> parse_magnet_uri(std::string_view uri);

// The link for `magnet` (its warnings aside): xt with the info-hash in hex, then dn, tr, ws,
// x.pe and so as present, percent-encoded where needed. For any Magnet that parse_magnet_uri
// returned, parsing the link gives it back without warnings.
std::string make_magnet_uri(const Magnet& magnet);

}  // namespace tessera::magnet
