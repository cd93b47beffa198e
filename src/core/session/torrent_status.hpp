// The piece-derived parts of a torrent's snapshot: byte totals, files and availability, and the
// share ratio. Pure functions of the metainfo and the picker.
#pragma once

#include <cstdint>
#include <vector>

#include "metainfo/metainfo.hpp"
#include "metainfo/piece_map.hpp"
#include "picker/piece_picker.hpp"
#include "tessera/status.hpp"

namespace tessera {

struct PieceTotals {
  std::int64_t left = 0;                  // not verified yet (what trackers call `left`)
  std::int64_t wanted_left = 0;           // of that, in pieces we want
  std::int64_t have_wanted = 0;           // verified, in pieces we want
  std::uint32_t wanted_missing = 0;       // wanted pieces not verified
  std::uint32_t wanted_unavailable = 0;   // of those, on no connected peer
};

PieceTotals piece_totals(const Metainfo& meta, const PiecePicker& picker);  // one pass over the pieces

// Files (with progress and priority) and per-piece availability, for the detail view.
void add_piece_details(TorrentStatus& s, const Metainfo& meta, const PieceMap& map, const PiecePicker& picker,
                       const std::vector<FilePriority>& priorities);

// uploaded / downloaded; a torrent seeded from data already on disk counts its size instead.
double share_ratio(std::int64_t uploaded, std::int64_t downloaded, std::int64_t have);

}  // namespace tessera
