#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "hash/sha1.hpp"
#include "metainfo/metainfo.hpp"
#include "tessera/torrent_info.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

class TorrentCreator : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tessera-create-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const fs::path& rel, std::size_t size, char seed) {
    fs::create_directories((dir_ / rel).parent_path());
    std::string data(size, '\0');
    for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<char>(seed + static_cast<char>(i * 7));
    std::ofstream(dir_ / rel, std::ios::binary) << data;
    stream_ += data;
  }
  fs::path dir_;
  std::string stream_;  // the files' bytes in the order written (tests write in path order)
};

TEST_F(TorrentCreator, FolderBecomesAMultiFileTorrentWithCorrectPieceHashes) {
  write("pack/a.bin", 40000, 1);
  write("pack/sub/b.bin", 1, 2);
  write("pack/sub/c.bin", 30000, 3);
  CreateTorrentParams p;
  p.source = (dir_ / "pack").string();
  p.piece_length = 16384;
  p.trackers = {"http://127.0.0.1:6969/announce", "udp://127.0.0.1:6969"};
  p.comment = "hello";
  auto data = create_torrent(p);
  ASSERT_TRUE(data) << data.error();
  auto meta = parse_metainfo(std::string_view(*data));
  ASSERT_TRUE(meta) << meta.error().message;
  EXPECT_EQ(meta->name, "pack");
  ASSERT_EQ(meta->files.size(), 3u);
  EXPECT_EQ(meta->files[0].path, "pack/a.bin");
  EXPECT_EQ(meta->files[1].path, "pack/sub/b.bin");
  EXPECT_EQ(meta->files[2].size, 30000);
  EXPECT_EQ(meta->total_size, 70001);
  ASSERT_EQ(meta->piece_count, 5u);
  for (std::uint32_t i = 0; i < meta->piece_count; ++i) {
    EXPECT_EQ(meta->piece_hash(i), sha1(std::string_view(stream_).substr(i * 16384u, 16384))) << i;
  }
  ASSERT_EQ(meta->tracker_tiers.size(), 2u);
  EXPECT_EQ(meta->tracker_tiers[1][0], "udp://127.0.0.1:6969");
  EXPECT_EQ(meta->comment, "hello");
}

TEST_F(TorrentCreator, SingleFileAndAutomaticPieceSize) {
  write("movie.mkv", 3 << 20, 9);
  CreateTorrentParams p;
  p.source = (dir_ / "movie.mkv").string();
  auto data = create_torrent(p);
  ASSERT_TRUE(data) << data.error();
  auto info = parse_torrent_info(*data);
  ASSERT_TRUE(info) << info.error();
  EXPECT_EQ(info->name, "movie.mkv");
  ASSERT_EQ(info->files.size(), 1u);
  EXPECT_EQ(info->files[0].path, "movie.mkv");
  EXPECT_EQ(info->total_size, 3 << 20);
  EXPECT_GE(info->piece_length, 16384);
  EXPECT_LE(info->piece_count, 1500u);
}

TEST_F(TorrentCreator, ProgressIsReportedAndCanCancel) {
  write("x.bin", 200000, 5);
  CreateTorrentParams p;
  p.source = (dir_ / "x.bin").string();
  p.piece_length = 16384;
  std::uint32_t calls = 0;
  p.progress = [&](std::uint32_t done, std::uint32_t total) {
    EXPECT_EQ(total, 13u);
    ++calls;
    return done < 5;
  };
  auto data = create_torrent(p);
  ASSERT_FALSE(data);
  EXPECT_EQ(data.error(), "cancelled");
  EXPECT_EQ(calls, 5u);
}

TEST_F(TorrentCreator, ClearErrorsForNothingToShareAndBadPieceSizes) {
  fs::create_directories(dir_ / "empty");
  CreateTorrentParams p;
  p.source = (dir_ / "empty").string();
  EXPECT_FALSE(create_torrent(p));
  p.source = (dir_ / "missing").string();
  auto r = create_torrent(p);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("missing"), std::string::npos);
  write("f.bin", 100, 1);
  p.source = (dir_ / "f.bin").string();
  p.piece_length = 20000;  // not a power of two
  EXPECT_FALSE(create_torrent(p));
}

TEST(TorrentInfo, ReportsPadFilesAndRejectsHostileTorrents) {
  EXPECT_FALSE(parse_torrent_info("d4:infod4:name1:xee"));
  auto r = read_torrent_info("/nonexistent/file.torrent");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("/nonexistent/file.torrent"), std::string::npos);
}

}  // namespace
}  // namespace tessera
