#include "metainfo/piece_map.hpp"

#include <algorithm>

namespace tessera {
namespace {
std::vector<std::int64_t> sizes_of(const Metainfo& m) {
  std::vector<std::int64_t> sizes;
  sizes.reserve(m.files.size());
  for (const TorrentFile& f : m.files) sizes.push_back(f.size);
  return sizes;
}
}  // namespace

PieceMap::PieceMap(std::vector<std::int64_t> file_sizes, std::int64_t piece_length)
    : sizes_(std::move(file_sizes)), piece_length_(piece_length) {
  offsets_.reserve(sizes_.size());
  for (const std::int64_t s : sizes_) {
    offsets_.push_back(total_);
    total_ += s;
  }
  piece_count_ = piece_length_ > 0
                     ? static_cast<std::uint32_t>((total_ + piece_length_ - 1) / piece_length_)
                     : 0;
}

PieceMap::PieceMap(const Metainfo& m) : PieceMap(sizes_of(m), m.piece_length) {}

std::int64_t PieceMap::piece_size(std::uint32_t piece) const {
  if (piece >= piece_count_) return 0;
  return std::min(piece_length_, total_ - std::int64_t{piece} * piece_length_);
}

std::uint32_t PieceMap::block_count(std::uint32_t piece) const {
  return static_cast<std::uint32_t>((piece_size(piece) + kBlockSize - 1) / kBlockSize);
}

std::int64_t PieceMap::block_size(std::uint32_t piece, std::uint32_t block) const {
  return std::clamp<std::int64_t>(piece_size(piece) - std::int64_t{block} * kBlockSize, 0, kBlockSize);
}

std::vector<FileSlice> PieceMap::map(std::uint32_t piece, std::int64_t offset, std::int64_t length) const {
  std::vector<FileSlice> out;
  const std::int64_t psize = piece_size(piece);
  if (offset < 0 || length <= 0 || offset >= psize) return out;
  length = std::min(length, psize - offset);
  std::int64_t pos = std::int64_t{piece} * piece_length_ + offset;
  const std::int64_t stop = pos + length;
  // The last file starting at or before pos; skipping empty files is done by the loop.
  auto it = std::upper_bound(offsets_.begin(), offsets_.end(), pos);
  auto index = static_cast<std::size_t>(std::distance(offsets_.begin(), it)) - 1;
  while (pos < stop && index < sizes_.size()) {
    const std::int64_t file_end = offsets_[index] + sizes_[index];
    if (file_end > pos) {
      const std::int64_t n = std::min(stop, file_end) - pos;
      out.push_back(FileSlice{static_cast<std::uint32_t>(index), pos - offsets_[index], n});
      pos += n;
    }
    ++index;
  }
  return out;
}

PieceRange PieceMap::pieces_of_file(std::uint32_t file_index) const {
  const std::int64_t begin = offsets_.at(file_index);
  const std::int64_t size = sizes_.at(file_index);
  if (size == 0) return PieceRange{1, 0};
  return PieceRange{static_cast<std::uint32_t>(begin / piece_length_),
                    static_cast<std::uint32_t>((begin + size - 1) / piece_length_)};
}

}  // namespace tessera
