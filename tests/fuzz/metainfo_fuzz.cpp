// libFuzzer target: .torrent parsing. Accepted torrents must satisfy the invariants the rest of
// the engine relies on: consistent sizes, safe relative paths, and a piece map that covers them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "metainfo/metainfo.hpp"
#include "metainfo/piece_map.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tessera;
  MetainfoLimits limits;
  limits.bencode.max_tokens = 100'000;
  auto m = parse_metainfo(std::string_view(reinterpret_cast<const char*>(data), size), limits);
  if (!m) {
    if (m.error().message.empty() || m.error().message.find('\n') != std::string::npos) std::abort();
    return 0;
  }
  std::int64_t total = 0;
  for (const TorrentFile& f : m->files) {
    if (f.size < 0 || f.offset != total || f.path.empty() || f.path.front() == '/') std::abort();
    if (f.path.find('\0') != std::string::npos) std::abort();
    std::string_view rest = f.path;
    while (!rest.empty()) {  // no "", ".", ".." components
      const auto slash = rest.find('/');
      const std::string_view part = rest.substr(0, slash);
      if (part.empty() || part == "." || part == ".." || part.size() > 255) std::abort();
      rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    }
    total += f.size;
  }
  if (total != m->total_size || total <= 0) std::abort();
  if (m->piece_hashes.size() != std::size_t{m->piece_count} * 20) std::abort();
  const PieceMap map(*m);
  if (map.piece_count() != m->piece_count) std::abort();
  // Spot-check the mapping of the first and last piece.
  for (const std::uint32_t p : {0u, m->piece_count - 1}) {
    std::int64_t covered = 0;
    for (const FileSlice& s : map.map(p, 0, map.piece_size(p))) covered += s.length;
    if (covered != map.piece_size(p)) std::abort();
  }
  return 0;
}
