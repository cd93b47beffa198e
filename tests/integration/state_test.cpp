// File priorities, rechecks, and a session's state surviving a restart; the demo swarm.
#include <fcntl.h>
#include <sys/stat.h>
#include <utime.h>

#include "swarm_fixture.hpp"
#include "tessera/demo_swarm.hpp"

namespace tessera {
namespace {

using namespace testing_support;

class StateTest : public SwarmTest {
 protected:
  // A seed on 127.0.0.41 holding three files, each a whole number of 16 KiB pieces.
  void start_seed() {
    torrent_ = make_torrent(root_ / "seed", "p", files_, 16384, 5);
    seed_ = start("127.0.0.41");
    ASSERT_TRUE(seed_);
    auto id = seed_->add_torrent({.torrent_data = torrent_, .save_path = (root_ / "seed").string()});
    ASSERT_TRUE(id) << id.error();
    ASSERT_TRUE(wait_for([&] {
      auto st = status_of(*seed_, *id);
      return st && st->state == TorrentState::seeding;
    }, 20s));
    seed_addr_ = "127.0.0.41:" + std::to_string(seed_->listen_port());
  }
  static bool in_state(Session& s, TorrentId id, TorrentState want) {
    auto st = status_of(s, id);
    return st && st->state == want;
  }
  std::string file(const char* who, const PayloadFile& f) { return read_all(root_ / who / "p" / f.path); }

  std::vector<PayloadFile> files_ = {{"a.bin", 5 * 16384}, {"skip/b.bin", 7 * 16384}, {"c.bin", 3 * 16384}};
  std::string torrent_;
  std::unique_ptr<Session> seed_;
  std::string seed_addr_;
};

TEST_F(StateTest, SkippedFileIsNotDownloadedUntilWanted) {
  start_seed();
  auto leech = start("127.0.0.42");
  auto id = leech->add_torrent({.torrent_data = torrent_,
                                .save_path = (root_ / "l").string(),
                                .peers = {seed_addr_},
                                .file_priorities = {FilePriority::normal, FilePriority::skip, FilePriority::high}});
  ASSERT_TRUE(id) << id.error();
  ASSERT_TRUE(wait_for([&] { return in_state(*leech, *id, TorrentState::seeding); }, 30s));
  EXPECT_EQ(file("l", files_[0]), file("seed", files_[0]));
  EXPECT_EQ(file("l", files_[2]), file("seed", files_[2]));
  EXPECT_FALSE(fs::exists(root_ / "l" / "p" / "skip" / "b.bin")) << "a skipped file was created";
  auto st = status_of(*leech, *id);
  EXPECT_EQ(st->pieces_have, 8u);
  EXPECT_DOUBLE_EQ(st->progress, 1.0);
  EXPECT_EQ(st->wanted_size, 8 * 16384);
  auto events = leech->take_events();
  EXPECT_TRUE(std::any_of(events.begin(), events.end(),
                          [](const SessionEvent& e) { return e.kind == SessionEvent::Kind::finished; }));

  // Details show the files with their priorities and progress.
  leech->set_detail_torrents({*id});
  ASSERT_TRUE(wait_for([&] { auto s = status_of(*leech, *id); return s && s->has_details; }, 5s));
  st = status_of(*leech, *id);
  ASSERT_EQ(st->files.size(), 3u);
  EXPECT_EQ(st->files[1].priority, FilePriority::skip);
  EXPECT_EQ(st->files[1].have_bytes, 0);
  EXPECT_EQ(st->files[0].have_bytes, 5 * 16384);
  ASSERT_EQ(st->availability.size(), 15u);

  // Wanted after all: the torrent downloads again, from the seed it is still connected to or
  // finds again.
  leech->set_file_priority(*id, 1, FilePriority::normal);
  leech->add_peer(*id, seed_addr_);
  ASSERT_TRUE(wait_for([&] {
    auto s = status_of(*leech, *id);
    return s && s->state == TorrentState::seeding && s->pieces_have == 15;
  }, 30s));
  EXPECT_EQ(file("l", files_[1]), file("seed", files_[1]));
}

TEST_F(StateTest, ForceRecheckFindsDamageAndTheDownloadRepairsIt) {
  start_seed();
  auto leech = start("127.0.0.43");
  auto id = leech->add_torrent({.torrent_data = torrent_, .save_path = (root_ / "l").string(), .peers = {seed_addr_}});
  ASSERT_TRUE(id);
  ASSERT_TRUE(wait_for([&] { return in_state(*leech, *id, TorrentState::seeding); }, 30s));
  {
    std::fstream f(root_ / "l" / "p" / "c.bin", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(16384 + 5);
    f.put('\x5a');
  }
  leech->force_recheck(*id);
  leech->add_peer(*id, seed_addr_);
  std::vector<std::string> checks;
  // Snapshots lag events: only one taken after the recheck's event tells how it went on.
  std::optional<std::chrono::steady_clock::time_point> rechecked_at;
  ASSERT_TRUE(wait_for([&] {
    for (const auto& e : leech->take_events()) {
      if (e.kind == SessionEvent::Kind::checked) checks.push_back(e.message);
    }
    if (checks.size() == 2 && !rechecked_at) rechecked_at = std::chrono::steady_clock::now();
    auto snap = leech->snapshot();
    auto s = status_of(*leech, *id);
    return rechecked_at && snap->taken_at > *rechecked_at && s && s->state == TorrentState::seeding &&
           s->pieces_have == 15;
  }, 30s));
  EXPECT_EQ(checks[1], "14/15 pieces verified");  // the damaged piece, found by the recheck
  EXPECT_EQ(status_of(*leech, *id)->hash_failures, 0);
  EXPECT_EQ(file("l", files_[2]), file("seed", files_[2]));
}

TEST_F(StateTest, DataTruncatedWhileSeedingStopsTheSeedAndARecheckRecovers) {
  start_seed();
  auto b = start("127.0.0.47");
  auto bid = b->add_torrent({.torrent_data = torrent_, .save_path = (root_ / "b").string(), .peers = {seed_addr_}});
  ASSERT_TRUE(bid);
  ASSERT_TRUE(wait_for([&] { return in_state(*b, *bid, TorrentState::seeding); }, 30s));
  const std::string b_addr = "127.0.0.47:" + std::to_string(b->listen_port());
  // The data goes while B seeds: a leecher asking B for it must not get garbage.
  fs::resize_file(root_ / "b" / "p" / "skip" / "b.bin", 1000);
  auto leech = start("127.0.0.48");
  auto lid = leech->add_torrent({.torrent_data = torrent_, .save_path = (root_ / "l").string(), .peers = {b_addr}});
  ASSERT_TRUE(lid);
  ASSERT_TRUE(wait_for([&] { return in_state(*b, *bid, TorrentState::error); }, 30s)) << "B kept seeding";
  EXPECT_NE(status_of(*b, *bid)->error.find("b.bin"), std::string::npos) << status_of(*b, *bid)->error;
  EXPECT_EQ(status_of(*leech, *lid)->hash_failures, 0);
  // A recheck finds what is left and B downloads the rest from the first seed.
  b->force_recheck(*bid);
  b->add_peer(*bid, seed_addr_);
  ASSERT_TRUE(wait_for([&] { return in_state(*b, *bid, TorrentState::seeding); }, 30s));
  EXPECT_EQ(file("b", files_[1]), file("seed", files_[1]));
  leech->add_peer(*lid, seed_addr_);
  ASSERT_TRUE(wait_for([&] { return in_state(*leech, *lid, TorrentState::seeding); }, 30s));
  EXPECT_EQ(file("l", files_[1]), file("seed", files_[1]));
}

TEST_F(StateTest, RestartRestoresTorrentsTrustingUnchangedFilesAndRecheckingChangedOnes) {
  start_seed();
  const fs::path state = root_ / "state";
  SessionSettings s;
  s.state_dir = state.string();
  TorrentId id = 0;
  {
    auto leech = start("127.0.0.44", s);
    auto added = leech->add_torrent(
        {.torrent_data = torrent_, .save_path = (root_ / "l").string(), .peers = {seed_addr_}});
    ASSERT_TRUE(added);
    id = *added;
    ASSERT_TRUE(wait_for([&] { return in_state(*leech, id, TorrentState::seeding); }, 30s));
    leech->set_torrent_rate_limits(id, 5000, 7000);
    leech->set_file_priority(id, 2, FilePriority::high);
    leech->pause(id);
    ASSERT_TRUE(wait_for([&] { return in_state(*leech, id, TorrentState::paused); }, 5s));
    leech->shutdown();
  }
  // Damage a verified piece but keep the file's mtime: the resume data is trusted, so the
  // damage goes unseen — proof that nothing was hashed.
  const fs::path c = root_ / "l" / "p" / "c.bin";
  struct stat before {};
  ASSERT_EQ(::stat(c.c_str(), &before), 0);
  {
    std::fstream f(c, std::ios::in | std::ios::out | std::ios::binary);
    f.put('\x01');
  }
  const timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, c.c_str(), times, 0), 0);
  {
    auto again = start("127.0.0.44", s);
    ASSERT_TRUE(wait_for([&] { return in_state(*again, 1, TorrentState::paused); }, 10s));
    auto st = status_of(*again, 1);
    EXPECT_EQ(st->pieces_have, 15u);
    EXPECT_EQ(st->download_limit, 5000);
    EXPECT_EQ(st->upload_limit, 7000);
    EXPECT_EQ(st->save_path, (root_ / "l").string());
    EXPECT_GE(st->all_time_downloaded, 15 * 16384);
    again->set_detail_torrents({1});
    ASSERT_TRUE(wait_for([&] { auto x = status_of(*again, 1); return x && x->has_details; }, 5s));
    EXPECT_EQ(status_of(*again, 1)->files[2].priority, FilePriority::high);
    again->shutdown();
  }
  // Now the file's mtime moves: its pieces are hashed again and the damage is found.
  ASSERT_EQ(::utimensat(AT_FDCWD, c.c_str(), nullptr, 0), 0);
  {
    auto third = start("127.0.0.44", s);
    ASSERT_TRUE(wait_for([&] { return in_state(*third, 1, TorrentState::paused); }, 10s));
    EXPECT_EQ(status_of(*third, 1)->pieces_have, 14u);
    // Removing it forgets its state.
    third->remove(1, false);
    ASSERT_TRUE(wait_for([&] { return third->snapshot()->torrents.empty(); }, 5s));
    third->shutdown();
  }
  EXPECT_TRUE(fs::is_empty(state / "torrents"));
}

TEST_F(StateTest, DamagedStateFilesAreReportedAndLeftAlone) {
  const fs::path dir = root_ / "state" / "torrents";
  fs::create_directories(dir);
  std::ofstream(dir / "0000000000000000000000000000000000000000.torrent") << "not a torrent";
  SessionSettings s;
  s.state_dir = (root_ / "state").string();
  auto session = start("127.0.0.45", s);
  ASSERT_TRUE(session);
  EXPECT_TRUE(session->snapshot()->torrents.empty());
  EXPECT_TRUE(fs::exists(dir / "0000000000000000000000000000000000000000.torrent"));
}

TEST_F(SwarmTest, DemoSwarmServesItsTorrentToANewcomer) {
  DemoSwarmOptions o;
  o.work_dir = root_ / "demo";
  o.payload_size = 3 << 20;
  o.seeds = 1;
  o.leechers = 2;
  o.seed_upload_limit = 0;
  o.leecher_upload_limit = 0;
  o.first_address = "127.0.0.46";
  auto demo = DemoSwarm::start(o);
  ASSERT_TRUE(demo) << demo.error();
  EXPECT_EQ((*demo)->peers().size(), 3u);
  auto me = start("127.0.0.50");
  auto id = me->add_torrent(
      {.torrent_data = (*demo)->torrent_data(), .save_path = (root_ / "me").string(), .peers = (*demo)->peers()});
  ASSERT_TRUE(id) << id.error();
  ASSERT_TRUE(wait_for([&] {
    auto st = status_of(*me, *id);
    return st && st->state == TorrentState::seeding;
  }, 60s));
  EXPECT_EQ(read_all(root_ / "me" / "Tessera demo" / "landscape.raw"),
            read_all(root_ / "demo" / "source" / "Tessera demo" / "landscape.raw"));
}

}  // namespace
}  // namespace tessera
