// The public, read-only view of a .torrent (tessera/torrent_info.hpp), from the full parser.
#include "tessera/torrent_info.hpp"

#include "metainfo/metainfo.hpp"
#include "metainfo/read_torrent_file.hpp"

namespace tessera {

expected<TorrentInfo, std::string> parse_torrent_info(const std::string& data) {
  auto meta = parse_metainfo(std::string_view(data));
  if (!meta) return unexpected(meta.error().message);
  TorrentInfo info;
  info.name = meta->name;
  info.info_hash = meta->info_hash.hex();
  info.stream_size = meta->total_size;
  info.piece_length = meta->piece_length;
  info.piece_count = meta->piece_count;
  info.is_private = meta->is_private;
  info.multi_file = meta->multi_file;
  info.comment = meta->comment;
  info.created_by = meta->created_by;
  info.creation_date = meta->creation_date;
  info.trackers = meta->tracker_tiers;
  info.web_seeds = meta->web_seeds;
  info.warnings = meta->warnings;
  for (std::size_t i = 0; i < meta->files.size(); ++i) {
    const TorrentFile& f = meta->files[i];
    info.files.push_back(TorrentInfoFile{static_cast<std::uint32_t>(i), f.path, f.size, f.pad, f.offset});
    if (!f.pad) info.total_size += f.size;
  }
  return info;
}

expected<std::string, std::string> read_torrent_bytes(const std::string& path) {
  return read_torrent_file(path, MetainfoLimits{}.bencode.max_input);
}

expected<TorrentInfo, std::string> read_torrent_info(const std::string& path) {
  auto data = read_torrent_bytes(path);
  if (!data) return unexpected(data.error());
  auto info = parse_torrent_info(*data);
  if (!info) return unexpected(path + ": " + info.error());
  return info;
}

}  // namespace tessera
