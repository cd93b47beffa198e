// Several engines in one process on 127.0.0.x, trading a real torrent over loopback TCP.
#include "swarm_fixture.hpp"

namespace tessera {
namespace {

using namespace testing_support;

TEST_F(SwarmTest, OneSeedTwoLeechersMultiFileOddSizesEmptyFileNestedFolders) {
  const std::vector<PayloadFile> files = {
      {"a.bin", 1'000'003}, {"empty.txt", 0}, {"deep/er/b.bin", 65'537}, {"deep/c.bin", 1}, {"z.bin", 777'777}};
  const std::string torrent = make_torrent(root_ / "seed", "payload", files, 32768, 7);

  auto seed = start("127.0.0.21");
  auto leech1 = start("127.0.0.22");
  auto leech2 = start("127.0.0.23");
  ASSERT_TRUE(seed && leech1 && leech2);
  const std::string seed_addr = "127.0.0.21:" + std::to_string(seed->listen_port());
  const std::string leech1_addr = "127.0.0.22:" + std::to_string(leech1->listen_port());

  auto sid = seed->add_torrent({.torrent_data = torrent, .save_path = (root_ / "seed").string()});
  ASSERT_TRUE(sid) << sid.error();
  ASSERT_TRUE(wait_for([&] {
    auto st = status_of(*seed, *sid);
    return st && st->state == TorrentState::seeding;
  }, 20s)) << "the seed did not verify its data";

  auto l1 = leech1->add_torrent(
      {.torrent_data = torrent, .save_path = (root_ / "l1").string(), .peers = {seed_addr}});
  auto l2 = leech2->add_torrent(
      {.torrent_data = torrent, .save_path = (root_ / "l2").string(), .peers = {seed_addr, leech1_addr}});
  ASSERT_TRUE(l1 && l2);

  ASSERT_TRUE(wait_for([&] {
    auto a = status_of(*leech1, *l1);
    auto b = status_of(*leech2, *l2);
    return a && b && a->state == TorrentState::seeding && b->state == TorrentState::seeding;
  }, 60s)) << "leechers did not complete";

  for (const char* leech : {"l1", "l2"}) {
    for (const PayloadFile& f : files) {
      const fs::path got = root_ / leech / "payload" / f.path;
      ASSERT_TRUE(fs::exists(got)) << got;
      EXPECT_EQ(read_all(got), read_all(root_ / "seed" / "payload" / f.path)) << got;
    }
  }
  auto st = status_of(*leech1, *l1);
  EXPECT_EQ(st->pieces_have, st->piece_count);
  EXPECT_EQ(st->hash_failures, 0);
  EXPECT_GE(st->downloaded, st->total_size);

  auto events = leech2->take_events();
  EXPECT_TRUE(std::any_of(events.begin(), events.end(),
                          [](const SessionEvent& e) { return e.kind == SessionEvent::Kind::finished; }));
}

TEST_F(SwarmTest, DataAlreadyOnDiskIsCheckedAndPartialDataCompleted) {
  const std::vector<PayloadFile> files = {{"one.bin", 300'000}, {"two.bin", 200'001}};
  const std::string torrent = make_torrent(root_ / "seed", "p", files, 16384, 11);
  // The leecher starts with one.bin complete and two.bin corrupted in the middle.
  fs::create_directories(root_ / "leech" / "p");
  fs::copy_file(root_ / "seed/p/one.bin", root_ / "leech/p/one.bin");
  std::string two = read_all(root_ / "seed/p/two.bin");
  two[100'000] = static_cast<char>(two[100'000] ^ 0x55);
  std::ofstream(root_ / "leech/p/two.bin", std::ios::binary).write(two.data(), static_cast<std::streamsize>(two.size()));

  auto seed = start("127.0.0.24");
  auto leech = start("127.0.0.25");
  auto sid = seed->add_torrent({.torrent_data = torrent, .save_path = (root_ / "seed").string()});
  auto lid = leech->add_torrent({.torrent_data = torrent,
                                 .save_path = (root_ / "leech").string(),
                                 .peers = {"127.0.0.24:" + std::to_string(seed->listen_port())}});
  ASSERT_TRUE(sid && lid);
  ASSERT_TRUE(wait_for([&] {
    auto st = status_of(*leech, *lid);
    return st && st->state == TorrentState::seeding;
  }, 30s));
  const auto st = status_of(*leech, *lid);
  // Only the one corrupted piece had to travel.
  EXPECT_EQ(st->downloaded, 16384);
  EXPECT_EQ(read_all(root_ / "leech/p/two.bin"), read_all(root_ / "seed/p/two.bin"));
}

TEST_F(SwarmTest, PauseStopsTheTransferResumeFinishesItRemoveDeletesTheData) {
  const std::string torrent = make_torrent(root_ / "seed", "big", {{"x.bin", 8'000'000}, {"y/z.bin", 123'457}}, 65536, 5);
  auto seed = start("127.0.0.28");
  auto leech = start("127.0.0.29");
  auto sid = seed->add_torrent({.torrent_data = torrent, .save_path = (root_ / "seed").string()});
  ASSERT_TRUE(sid);
  ASSERT_TRUE(wait_for([&] { auto st = status_of(*seed, *sid); return st && st->state == TorrentState::seeding; }, 20s));
  // Added paused: nothing moves.
  auto lid = leech->add_torrent({.torrent_data = torrent,
                                 .save_path = (root_ / "leech").string(),
                                 .paused = true,
                                 .peers = {"127.0.0.28:" + std::to_string(seed->listen_port())}});
  ASSERT_TRUE(lid);
  ASSERT_TRUE(wait_for([&] { auto st = status_of(*leech, *lid); return st && st->state == TorrentState::paused; }, 10s));
  std::this_thread::sleep_for(500ms);
  auto paused = status_of(*leech, *lid);
  EXPECT_EQ(paused->downloaded, 0);
  EXPECT_EQ(paused->peers_connected, 0);

  leech->resume(*lid);
  ASSERT_TRUE(wait_for([&] { auto st = status_of(*leech, *lid); return st && st->state == TorrentState::seeding; }, 30s));
  EXPECT_EQ(read_all(root_ / "leech/big/x.bin"), read_all(root_ / "seed/big/x.bin"));

  // Pausing a seed drops its peers; remove with data deletes the files and the folders they made.
  leech->pause(*lid);
  ASSERT_TRUE(wait_for([&] {
    auto st = status_of(*leech, *lid);
    return st && st->state == TorrentState::paused && st->peers_connected == 0;
  }, 10s));
  leech->remove(*lid, true);
  ASSERT_TRUE(wait_for([&] { return !status_of(*leech, *lid) && !fs::exists(root_ / "leech/big"); }, 10s));
  EXPECT_TRUE(fs::exists(root_ / "leech"));  // the save folder itself stays
  auto events = leech->take_events();
  EXPECT_TRUE(std::any_of(events.begin(), events.end(),
                          [](const SessionEvent& e) { return e.kind == SessionEvent::Kind::removed; }));
  // The seed keeps its data when removed without it.
  seed->remove(*sid, false);
  ASSERT_TRUE(wait_for([&] { return !status_of(*seed, *sid); }, 10s));
  EXPECT_TRUE(fs::exists(root_ / "seed/big/x.bin"));
}

TEST_F(SwarmTest, UnwritableSaveFolderAndDuplicateTorrentAreRefused) {
  const std::string torrent = make_torrent(root_ / "seed", "p", {{"f", 1000}}, 16384, 3);
  auto s = start("127.0.0.26");
  auto bad = s->add_torrent({.torrent_data = torrent, .save_path = "/proc/not-here"});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("cannot"), std::string::npos) << bad.error();
  ASSERT_TRUE(s->add_torrent({.torrent_data = torrent, .save_path = (root_ / "seed").string()}));
  auto dup = s->add_torrent({.torrent_data = torrent, .save_path = (root_ / "seed").string()});
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.error().find("already added"), std::string::npos);
  EXPECT_FALSE(s->add_torrent({.torrent_data = "garbage", .save_path = (root_ / "x").string()}));
}

TEST_F(SwarmTest, PortInUseIsAClearError) {
  auto first = start("127.0.0.27");
  SessionSettings s;
  s.listen_address = "127.0.0.27";
  s.listen_port = first->listen_port();
  auto second = Session::create(s);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find("Address already in use"), std::string::npos) << second.error();
}

}  // namespace
}  // namespace tessera
