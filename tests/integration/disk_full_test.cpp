// A full disk: the torrent writing to it stops in the error state with the system's message, the
// session's other torrents carry on, and once there is room a resume completes the download.
// Needs a small file system of its own: a tmpfs mounted for the test (root only; skipped
// otherwise, with the reason).
#include <sys/mount.h>

#include <cerrno>
#include <cstring>

#include "swarm_fixture.hpp"

namespace tessera {
namespace {

using namespace testing_support;

class DiskFullTest : public SwarmTest {
 protected:
  void TearDown() override {
    if (mounted_) ::umount2(small_.c_str(), MNT_DETACH);
    SwarmTest::TearDown();
  }
  bool mount_small(const char* size) {
    small_ = root_ / "small";
    fs::create_directories(small_);
    const std::string opts = std::string("size=") + size;
    if (::mount("tmpfs", small_.c_str(), "tmpfs", 0, opts.c_str()) != 0) {
      why_ = std::string("cannot mount a tmpfs here: ") + std::strerror(errno);
      return false;
    }
    mounted_ = true;
    return true;
  }
  fs::path small_;
  bool mounted_ = false;
  std::string why_;
};

TEST_F(DiskFullTest, FullDiskStopsOneTorrentWithTheMessageAndResumeCompletesIt) {
  if (!mount_small("1m")) GTEST_SKIP() << why_;
  const std::string big = make_torrent(root_ / "seed", "big", {{"data.bin", 3 << 20}}, 65536, 1);
  const std::string other = make_torrent(root_ / "seed", "other", {{"o.bin", 1 << 20}}, 65536, 2);
  auto seed = start("127.0.0.71");
  auto a = seed->add_torrent({.torrent_data = big, .save_path = (root_ / "seed").string()});
  auto b = seed->add_torrent({.torrent_data = other, .save_path = (root_ / "seed").string()});
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(wait_for([&] {
    auto x = status_of(*seed, *a);
    auto y = status_of(*seed, *b);
    return x && y && x->state == TorrentState::seeding && y->state == TorrentState::seeding;
  }, 20s));
  const std::string addr = "127.0.0.71:" + std::to_string(seed->listen_port());

  auto leech = start("127.0.0.72");
  auto full = leech->add_torrent({.torrent_data = big, .save_path = small_.string(), .peers = {addr}});
  auto fine = leech->add_torrent({.torrent_data = other, .save_path = (root_ / "l").string(), .peers = {addr}});
  ASSERT_TRUE(full && fine);
  ASSERT_TRUE(wait_for([&] {
    auto x = status_of(*leech, *full);
    return x && x->state == TorrentState::error;
  }, 30s)) << "a full disk did not stop the torrent";
  const auto st = status_of(*leech, *full);
  EXPECT_NE(st->error.find("No space left on device"), std::string::npos) << st->error;
  EXPECT_EQ(st->error.find('\n'), std::string::npos);
  // Why it is not moving, in the snapshot: the disk, with the system's message.
  EXPECT_EQ(st->stall, StallReason::disk_error);
  EXPECT_EQ(st->stall_detail, st->error);
  ASSERT_TRUE(wait_for([&] {
    auto y = status_of(*leech, *fine);
    return y && y->state == TorrentState::seeding;
  }, 30s)) << "the other torrent did not carry on";
  const auto events = leech->take_events();
  EXPECT_TRUE(std::any_of(events.begin(), events.end(), [](const SessionEvent& e) {
    return e.kind == SessionEvent::Kind::error && e.message.find("No space") != std::string::npos;
  }));

  // Room again: a resume checks what is there and downloads the rest.
  ASSERT_EQ(::mount("tmpfs", small_.c_str(), "tmpfs", MS_REMOUNT, "size=8m"), 0) << std::strerror(errno);
  leech->pause(*full);
  leech->resume(*full);
  leech->add_peer(*full, addr);
  ASSERT_TRUE(wait_for([&] {
    auto x = status_of(*leech, *full);
    return x && x->state == TorrentState::seeding;
  }, 30s)) << "resume after freeing space did not complete: " << status_of(*leech, *full)->error;
  EXPECT_EQ(read_all(small_ / "big" / "data.bin"), read_all(root_ / "seed" / "big" / "data.bin"));
  leech->shutdown();
}

}  // namespace
}  // namespace tessera
