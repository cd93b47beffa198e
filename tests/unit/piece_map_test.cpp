#include "metainfo/piece_map.hpp"

#include <gtest/gtest.h>

namespace tessera {
namespace {

TEST(PieceMap, PieceAndBlockSizes) {
  const PieceMap map({100000}, 32768);
  EXPECT_EQ(map.piece_count(), 4u);
  EXPECT_EQ(map.piece_size(0), 32768);
  EXPECT_EQ(map.piece_size(3), 100000 - 98304);
  EXPECT_EQ(map.piece_size(4), 0);
  EXPECT_EQ(map.block_count(0), 2u);
  EXPECT_EQ(map.block_count(3), 1u);
  EXPECT_EQ(map.block_size(3, 0), 1696);
  EXPECT_EQ(map.block_size(0, 1), kBlockSize);
  EXPECT_EQ(map.block_size(0, 2), 0);
}

TEST(PieceMap, BlockAcrossFileBoundariesAndEmptyFiles) {
  // files: [0,10) [10,10) empty [10,25) [25,25) empty [25,40)
  const PieceMap map({10, 0, 15, 0, 15}, 16);
  EXPECT_EQ(map.piece_count(), 3u);
  EXPECT_EQ(map.map(0, 0, 16), (std::vector<FileSlice>{{0, 0, 10}, {2, 0, 6}}));
  EXPECT_EQ(map.map(1, 0, 16), (std::vector<FileSlice>{{2, 6, 9}, {4, 0, 7}}));
  EXPECT_EQ(map.map(2, 0, 16), (std::vector<FileSlice>{{4, 7, 8}}));  // clipped: last piece is 8
  EXPECT_EQ(map.map(0, 9, 2), (std::vector<FileSlice>{{0, 9, 1}, {2, 0, 1}}));
  EXPECT_TRUE(map.map(0, 16, 1).empty());
  EXPECT_TRUE(map.map(3, 0, 1).empty());
  EXPECT_TRUE(map.map(0, -1, 4).empty());
}

TEST(PieceMap, SlicesCoverEveryByteExactlyOnce) {
  const std::vector<std::int64_t> sizes{1, 0, 16383, 16385, 0, 0, 70000, 7};
  const PieceMap map(sizes, 16384 * 2);
  std::vector<std::int64_t> covered(sizes.size(), 0);
  for (std::uint32_t p = 0; p < map.piece_count(); ++p) {
    for (std::uint32_t b = 0; b < map.block_count(p); ++b) {
      std::int64_t expect_offset = -1;
      for (const FileSlice& s : map.map(p, std::int64_t{b} * kBlockSize, map.block_size(p, b))) {
        EXPECT_GT(s.length, 0);
        EXPECT_EQ(s.file_offset, covered[s.file_index]) << "gap or overlap in file " << s.file_index;
        covered[s.file_index] += s.length;
        expect_offset = s.file_offset;
      }
      EXPECT_GE(expect_offset, 0);
    }
  }
  EXPECT_EQ(covered, sizes);
}

TEST(PieceMap, PiecesOfFile) {
  const PieceMap map({10, 0, 15, 15}, 16);
  EXPECT_EQ(map.pieces_of_file(0).first, 0u);
  EXPECT_EQ(map.pieces_of_file(0).last, 0u);
  EXPECT_GT(map.pieces_of_file(1).first, map.pieces_of_file(1).last);  // empty file: no pieces
  EXPECT_EQ(map.pieces_of_file(2).first, 0u);
  EXPECT_EQ(map.pieces_of_file(2).last, 1u);
  EXPECT_EQ(map.pieces_of_file(3).first, 1u);
  EXPECT_EQ(map.pieces_of_file(3).last, 2u);
}

}  // namespace
}  // namespace tessera
