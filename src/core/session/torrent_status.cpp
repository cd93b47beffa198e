#include "session/torrent_status.hpp"

#include <algorithm>
#include <limits>

namespace tessera {

PieceTotals piece_totals(const Metainfo& meta, const PiecePicker& picker) {
  PieceTotals t;
  for (std::uint32_t i = 0; i < meta.piece_count; ++i) {
    const std::int64_t size = meta.piece_size(i);
    const bool wanted = picker.piece_priority(i) > 0;
    if (picker.have(i)) {
      if (wanted) t.have_wanted += size;
      continue;
    }
    t.left += size;
    if (!wanted) continue;
    t.wanted_left += size;
    ++t.wanted_missing;
    if (picker.availability(i) == 0) ++t.wanted_unavailable;
  }
  return t;
}

void add_piece_details(TorrentStatus& s, const Metainfo& meta, const PieceMap& map, const PiecePicker& picker,
                       const std::vector<FilePriority>& priorities) {
  s.has_details = true;
  s.availability.resize(meta.piece_count);
  for (std::uint32_t i = 0; i < meta.piece_count; ++i) {
    s.availability[i] = static_cast<std::uint16_t>(std::min<std::uint32_t>(picker.availability(i), 0xffff));
  }
  for (std::uint32_t f = 0; f < meta.files.size(); ++f) {
    const TorrentFile& file = meta.files[f];
    if (file.pad) continue;
    FileStatus fs;
    fs.index = f;
    fs.path = file.path;
    fs.size = file.size;
    fs.priority = f < priorities.size() ? priorities[f] : FilePriority::normal;
    const PieceRange r = map.pieces_of_file(f);
    for (std::uint32_t piece = r.first; piece <= r.last && r.first <= r.last; ++piece) {
      if (!picker.have(piece)) continue;
      const std::int64_t begin = std::int64_t{piece} * meta.piece_length;
      const std::int64_t end = begin + meta.piece_size(piece);
      fs.have_bytes += std::min(end, file.offset + file.size) - std::max(begin, file.offset);
    }
    s.files.push_back(std::move(fs));
  }
}

double share_ratio(std::int64_t uploaded, std::int64_t downloaded, std::int64_t have) {
  const std::int64_t base = downloaded > 0 ? downloaded : have;
  if (base <= 0) return uploaded > 0 ? std::numeric_limits<double>::infinity() : 0.0;
  return static_cast<double>(uploaded) / static_cast<double>(base);
}

}  // namespace tessera
