// PieceIo and the StateStore against a real disk pool and a temporary folder: no sockets.
#include "session/piece_io.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <fstream>

#include "hash/sha1.hpp"
#include "storage/state_store.hpp"
#include "torrent_builder.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class DiskPartsTest : public ::testing::Test, public PieceIo::Listener {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tessera-pieceio-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void on_piece_hashed(std::uint32_t piece, const expected<Sha1Digest, StorageError>& digest) override {
    hashed_.emplace_back(piece, digest ? *digest : Sha1Digest{});
  }
  void on_write_failed(const StorageError& e) override { failures_.push_back(e.message); }
  void on_backlog_low() override { ++backlog_low_; }

  // Runs the network side until `pred` holds (the pool posts its results here).
  template <class Pred>
  bool run_until(Pred pred) {
    for (int i = 0; i < 60000 && !pred(); ++i) io_.run_for(1ms);
    return pred();
  }

  fs::path dir_;
  boost::asio::io_context io_;
  // Keeps run_for() waiting for the pool's results instead of returning at once.
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  DiskIo disk_{2};
  std::vector<std::pair<std::uint32_t, Sha1Digest>> hashed_;
  std::vector<std::string> failures_;
  int backlog_low_ = 0;
};

TEST_F(DiskPartsTest, BlocksAreWrittenThenTheirPieceIsHashed) {
  auto meta = parse_metainfo(test::torrent_bytes(test::single_file_info("f", 3 * kBlockSize, 2 * kBlockSize)));
  ASSERT_TRUE(meta);
  auto io = std::make_shared<PieceIo>(disk_, io_.get_executor(), std::make_shared<TorrentFiles>(dir_, *meta));
  io->set_listener(this);
  const std::string a(kBlockSize, 'a'), b(kBlockSize, 'b'), c(kBlockSize, 'c');
  io->write(0, kBlockSize, b, false);
  io->write(0, 0, a, true);  // the piece's last block to arrive
  io->write(1, 0, c, true);
  EXPECT_EQ(io->backlog(), 3 * kBlockSize);
  io->flush();
  ASSERT_TRUE(run_until([&] { return hashed_.size() == 2; }));
  EXPECT_EQ(io->backlog(), 0);
  std::sort(hashed_.begin(), hashed_.end(), [](auto& x, auto& y) { return x.first < y.first; });
  EXPECT_EQ(hashed_[0].second, sha1(a + b));
  EXPECT_EQ(hashed_[1].second, sha1(c));
  EXPECT_TRUE(failures_.empty());
  std::ifstream in(dir_ / "f", std::ios::binary);
  const std::string on_disk{std::istreambuf_iterator<char>(in), {}};
  EXPECT_EQ(on_disk, a + b + c);
}

TEST_F(DiskPartsTest, BackpressureMarksAndReads) {
  constexpr std::int64_t kPieces = 1200;  // 18.75 MiB: past the high mark
  auto meta = parse_metainfo(test::torrent_bytes(test::single_file_info("big", kPieces * kBlockSize, kBlockSize)));
  ASSERT_TRUE(meta);
  auto io = std::make_shared<PieceIo>(disk_, io_.get_executor(), std::make_shared<TorrentFiles>(dir_, *meta));
  io->set_listener(this);
  const std::string block(kBlockSize, 'z');
  for (std::uint32_t p = 0; p < kPieces; ++p) io->write(p, 0, block, true);
  EXPECT_TRUE(io->backlogged());
  io->flush();
  ASSERT_TRUE(run_until([&] { return backlog_low_ > 0 && hashed_.size() == kPieces; }));
  EXPECT_FALSE(io->backlogged());
  // Reads for a peer come back in request order.
  std::optional<std::vector<std::string>> got;
  io->read({{3, 0, 100}, {7, 50, 10}}, [&](expected<std::vector<std::string>, StorageError> r) {
    ASSERT_TRUE(r);
    got = std::move(*r);
  });
  ASSERT_TRUE(run_until([&] { return got.has_value(); }));
  EXPECT_EQ(*got, (std::vector<std::string>{std::string(100, 'z'), std::string(10, 'z')}));
}

TEST_F(DiskPartsTest, AfterResetOldHashesAreIgnoredAndADetachedListenerHearsNothing) {
  auto meta = parse_metainfo(test::torrent_bytes(test::single_file_info("f", kBlockSize, kBlockSize)));
  ASSERT_TRUE(meta);
  auto io = std::make_shared<PieceIo>(disk_, io_.get_executor(), std::make_shared<TorrentFiles>(dir_, *meta));
  io->set_listener(this);
  io->write(0, 0, std::string(kBlockSize, 'q'), true);
  io->flush();
  io->reset(std::make_shared<TorrentFiles>(dir_, *meta));  // a recheck began
  bool barrier = false;
  io->after_writes([&] { barrier = true; });
  ASSERT_TRUE(run_until([&] { return barrier; }));
  EXPECT_TRUE(hashed_.empty());
  io->write(0, 0, std::string(kBlockSize, 'q'), true);
  io->detach();
  io->flush();
  barrier = false;
  io->after_writes([&] { barrier = true; });
  ASSERT_TRUE(run_until([&] { return barrier; }));
  EXPECT_TRUE(hashed_.empty());
}

TEST_F(DiskPartsTest, OnlyTheCurrentOwnerOfATorrentsStateFilesTouchesThem) {
  StateStore store(disk_, io_.get_executor(), dir_);
  Sha1Digest ih{};
  const fs::path resume = store.resume_path(ih);
  int done = 0;
  const auto count = [&](expected<void, std::string> r) {
    EXPECT_TRUE(r) << (r ? "" : r.error());
    ++done;
  };
  store.claim(ih, 1);
  store.write_resume(ih, 1, "first", count);
  // Removed (owner 1 lets go) and added again at once (owner 2).
  store.release(ih, 1);
  store.claim(ih, 2);
  store.write_resume(ih, 2, "second", count);
  // The old torrent's late save and late clean-up: both must do nothing now.
  store.write_resume(ih, 1, "stale", count);
  store.release(ih, 1);
  ASSERT_TRUE(run_until([&] { return done == 3; }));
  bool barrier = false;
  store.write_torrent(ih, 2, "copy", [&](auto) { barrier = true; });
  ASSERT_TRUE(run_until([&] { return barrier; }));
  std::ifstream in(resume, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "second");
  EXPECT_TRUE(fs::exists(store.torrent_path(ih)));
}

TEST_F(DiskPartsTest, WithoutAFolderNothingPersists) {
  StateStore store(disk_, io_.get_executor(), {});
  EXPECT_FALSE(store.enabled());
  bool called = false;
  store.write_resume(Sha1Digest{}, 1, "x", [&](expected<void, std::string> r) { called = r.has_value(); });
  EXPECT_TRUE(called);
}

}  // namespace
}  // namespace tessera
