// Magnet links: what one holds, for showing it or adding it, and the link for a .torrent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/expected.hpp"
#include "tessera/torrent_info.hpp"

namespace tessera {

struct MagnetFileRange {
  std::uint32_t first = 0;
  std::uint32_t last = 0;  // inclusive
};

struct MagnetInfo {
  std::string info_hash;                        // 40 lower-case hex digits (BitTorrent v1)
  std::string name;                             // dn, may be empty; the real name comes with the metadata
  std::vector<std::string> trackers;            // http, https and udp URLs
  std::vector<std::string> peers;               // "host:port", "1.2.3.4:port" or "[v6]:port"
  std::vector<std::string> web_seeds;           // http and https URLs
  std::vector<MagnetFileRange> selected_files;  // BEP 53, sorted and merged; empty: every file
  std::vector<std::string> warnings;            // what was ignored or repaired, one line each
};

// Whether the text is meant as a magnet link (starts "magnet:", any case, blanks aside), so a
// front end can tell one from a file name before parsing it.
bool is_magnet_link(std::string_view text);

// A one-line error when the link cannot be used: not a magnet link, no or a malformed v1
// info-hash, a v2-only link, bad percent-encoding, a malformed file selection, too long.
expected<MagnetInfo, std::string> parse_magnet(std::string_view uri);

// The torrent's magnet link: its info-hash, name (dn), every tracker (tr) and web seed (ws).
std::string magnet_uri(const TorrentInfo& torrent);

// A link from what a snapshot shows of a torrent (TorrentStatus: hex info-hash, name, tracker
// URLs), for a front end that holds no TorrentInfo. Empty when the hash is not 40 hex digits.
std::string magnet_uri(std::string_view info_hash_hex, std::string_view name,
                       const std::vector<std::string>& trackers);

// Whether file `index` is among the link's selected files (every file when none are selected).
bool magnet_selects_file(const MagnetInfo& magnet, std::uint32_t index);

}  // namespace tessera
