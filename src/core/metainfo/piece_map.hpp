// Maps ranges of the torrent's byte stream (piece, offset, length) onto the files that hold them.
// Pieces span file boundaries freely; zero-length files never hold a byte.
#pragma once

#include <cstdint>
#include <vector>

#include "metainfo/metainfo.hpp"

namespace tessera {

inline constexpr std::int64_t kBlockSize = 16 * 1024;

struct FileSlice {
  std::uint32_t file_index;
  std::int64_t file_offset;
  std::int64_t length;
  friend bool operator==(const FileSlice&, const FileSlice&) = default;
};

struct PieceRange {
  std::uint32_t first;  // first piece touching the file
  std::uint32_t last;   // last piece touching the file (inclusive); first > last for empty files
};

class PieceMap {
 public:
  PieceMap(std::vector<std::int64_t> file_sizes, std::int64_t piece_length);
  explicit PieceMap(const Metainfo& m);

  std::uint32_t piece_count() const { return piece_count_; }
  std::int64_t piece_length() const { return piece_length_; }
  std::int64_t total_size() const { return total_; }
  std::int64_t piece_size(std::uint32_t piece) const;
  std::uint32_t block_count(std::uint32_t piece) const;
  std::int64_t block_size(std::uint32_t piece, std::uint32_t block) const;

  // The file ranges holding [offset, offset + length) of a piece, in stream order. Ranges that
  // run past the piece's end are clipped to it.
  std::vector<FileSlice> map(std::uint32_t piece, std::int64_t offset, std::int64_t length) const;
  PieceRange pieces_of_file(std::uint32_t file_index) const;

 private:
  std::vector<std::int64_t> sizes_;
  std::vector<std::int64_t> offsets_;  // offsets_[i] = first byte of file i
  std::int64_t piece_length_;
  std::int64_t total_ = 0;
  std::uint32_t piece_count_ = 0;
};

}  // namespace tessera
