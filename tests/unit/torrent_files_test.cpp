#include "storage/torrent_files.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <random>

#include "bencode/value.hpp"
#include "torrent_builder.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

class TorrentFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tessera-files-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static Metainfo parse(const bencode::Value& info) {
    auto m = parse_metainfo(test::torrent_bytes(info));
    EXPECT_TRUE(m) << (m ? "" : m.error().message);
    return *m;
  }
  static std::string file_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  fs::path dir_;
};

TEST_F(TorrentFilesTest, WritesAcrossFilesCreatesSparseAndSkipsPad) {
  // a: 10 bytes, pad: 6 bytes, b: 20 bytes, empty, c: 4 bytes; pieces of 16.
  const Metainfo m = parse(test::multi_file_info(
      "t", {{{"a"}, 10, ""}, {{".pad", "6"}, 6, "p"}, {{"sub", "b"}, 20, ""}, {{"e"}, 0, ""}, {{"c"}, 4, ""}}, 16));
  TorrentFiles files(dir_, m);
  std::string all(40, '\0');
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<char>('A' + i % 26);
  for (std::size_t i = 10; i < 16; ++i) all[i] = '\0';  // pad range is zeros
  // Piece 1 first: b is created sparse at full size before its start is written.
  ASSERT_TRUE(files.write(1, 0, std::string_view(all).substr(16, 16)));
  EXPECT_EQ(fs::file_size(dir_ / "t/sub/b"), 20u);
  ASSERT_TRUE(files.write(0, 0, std::string_view(all).substr(0, 16)));
  ASSERT_TRUE(files.write(2, 0, std::string_view(all).substr(32, 8)));
  EXPECT_EQ(file_bytes(dir_ / "t/a"), all.substr(0, 10));
  EXPECT_EQ(file_bytes(dir_ / "t/sub/b"), all.substr(16, 20));
  EXPECT_EQ(file_bytes(dir_ / "t/c"), all.substr(36, 4));
  EXPECT_FALSE(fs::exists(dir_ / "t/.pad"));
  EXPECT_FALSE(fs::exists(dir_ / "t/e"));
  ASSERT_TRUE(files.create_empty_files());
  EXPECT_TRUE(fs::exists(dir_ / "t/e"));

  std::string back(16, 'x');
  ASSERT_TRUE(files.read(0, 0, std::span<char>(back.data(), back.size())));
  EXPECT_EQ(back, all.substr(0, 16));
  EXPECT_EQ(*files.hash_piece(1), sha1(std::string_view(all).substr(16, 16)));
  EXPECT_EQ(*files.hash_piece(2), sha1(std::string_view(all).substr(32, 8)));

  files.remove_files();
  EXPECT_FALSE(fs::exists(dir_ / "t"));
}

TEST_F(TorrentFilesTest, RunningHashMatchesWhateverTheWriteOrder) {
  const Metainfo m = parse(test::multi_file_info("h", {{{"a"}, 40000, ""}, {{"b"}, 9000, ""}}, 32768));
  TorrentFiles files(dir_, m);
  std::string all(49000, '\0');
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<char>(i * 7 + i / 251);
  const std::string_view v(all);
  // Piece 0 in order (hashed as written), piece 1 out of order (completed from disk).
  ASSERT_TRUE(files.write(0, 0, v.substr(0, 16384)));
  ASSERT_TRUE(files.write(0, 16384, v.substr(16384, 16384)));
  ASSERT_TRUE(files.write(1, 16384 - 16384 + 8192, v.substr(32768 + 8192, 49000 - 32768 - 8192)));
  ASSERT_TRUE(files.write(1, 0, v.substr(32768, 8192)));
  EXPECT_EQ(*files.finish_piece_hash(0), sha1(v.substr(0, 32768)));
  EXPECT_EQ(*files.finish_piece_hash(1), sha1(v.substr(32768)));
  // After a failed check the piece starts afresh: the next finish must not reuse stale state.
  ASSERT_TRUE(files.write(0, 0, v.substr(0, 16384)));
  ASSERT_TRUE(files.write(0, 16384, v.substr(16384, 16384)));
  EXPECT_EQ(*files.finish_piece_hash(0), sha1(v.substr(0, 32768)));
  EXPECT_EQ(*files.finish_piece_hash(0), sha1(v.substr(0, 32768)));  // no running state: all read back
}

TEST_F(TorrentFilesTest, MissingAndShortFilesReportMissing) {
  const Metainfo m = parse(test::single_file_info("f.bin", 100, 32));
  TorrentFiles files(dir_, m);
  auto h = files.hash_piece(0);
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().kind, StorageError::Kind::missing);
  fs::create_directories(dir_);
  std::ofstream(dir_ / "f.bin") << std::string(40, 'z');
  files.close_all();
  EXPECT_TRUE(files.hash_piece(0));
  auto short_read = files.hash_piece(2);
  ASSERT_FALSE(short_read);
  EXPECT_EQ(short_read.error().kind, StorageError::Kind::missing);
}

TEST_F(TorrentFilesTest, UnwritableLocationIsAnIoErrorWithTheReason) {
  // A plain file where the torrent's folder should be: no permission bit helps, even for root.
  fs::create_directories(dir_);
  std::ofstream(dir_ / "t") << "in the way";
  const Metainfo m = parse(test::multi_file_info("t", {{{"a"}, 100, ""}}, 32));
  TorrentFiles files(dir_, m);
  auto w = files.write(0, 0, "abc");
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().kind, StorageError::Kind::io);
  EXPECT_NE(w.error().message.find("cannot create folder"), std::string::npos) << w.error().message;
  EXPECT_NE(w.error().message.find((dir_ / "t").string()), std::string::npos) << w.error().message;
  TorrentFiles blocked(dir_ / "t", m);
  auto c = blocked.check_writable();
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("cannot create folder"), std::string::npos) << c.error().message;
}

}  // namespace
}  // namespace tessera
