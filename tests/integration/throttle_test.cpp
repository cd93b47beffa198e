// Speed caps and connection limits between engines on loopback. Bounds are generous (these run
// under sanitizers too); the tight figures are measured from outside in tests/bench.
#include "swarm_fixture.hpp"

namespace tessera {
namespace {

using namespace testing_support;
using Clock = std::chrono::steady_clock;

class ThrottleTest : public SwarmTest {
 protected:
  // A seeding engine on `address` with a torrent of `bytes` in 64 KiB pieces.
  struct Seed {
    std::unique_ptr<Session> session;
    std::string torrent;
    std::string address;
  };
  Seed seed(const std::string& address, std::size_t bytes, SessionSettings s = {}, std::uint64_t rng_seed = 1,
            const std::string& name = "p") {
    Seed out{start(address, s), make_torrent(root_ / "seed", name, {{"data.bin", bytes}}, 65536, rng_seed), {}};
    auto id = out.session->add_torrent({.torrent_data = out.torrent, .save_path = (root_ / "seed").string()});
    EXPECT_TRUE(id);
    EXPECT_TRUE(wait_for([&] { auto st = status_of(*out.session, *id); return st && st->state == TorrentState::seeding; },
                         20s));
    out.address = address + ":" + std::to_string(out.session->listen_port());
    return out;
  }

  // Adds the torrent and returns how long the download took, from the add to verified completion.
  static std::optional<double> download_seconds(Session& s, const std::string& torrent, const fs::path& dir,
                                                const std::string& peer, std::int64_t torrent_dl_cap = 0) {
    const auto t0 = Clock::now();
    auto id = s.add_torrent(
        {.torrent_data = torrent, .save_path = dir.string(), .peers = {peer}, .download_limit = torrent_dl_cap});
    if (!id) return std::nullopt;
    if (!wait_for([&] { auto st = status_of(s, *id); return st && st->state == TorrentState::seeding; }, 60s)) {
      return std::nullopt;
    }
    return std::chrono::duration<double>(Clock::now() - t0).count();
  }
};

constexpr std::size_t kMiB = 1 << 20;

TEST_F(ThrottleTest, DownloadCapBoundsTheTransferAndNoCapDoesNot) {
  auto s = seed("127.0.0.31", 3 * kMiB / 2);
  // Control: nothing capped, the same transfer is quick.
  auto free_leech = start("127.0.0.32");
  const auto uncapped = download_seconds(*free_leech, s.torrent, root_ / "free", s.address);
  ASSERT_TRUE(uncapped);
  EXPECT_LT(*uncapped, 1.5);

  SessionSettings capped;
  capped.download_limit = 512 * 1024;
  auto leech = start("127.0.0.33", capped);
  const auto t = download_seconds(*leech, s.torrent, root_ / "capped", s.address);
  ASSERT_TRUE(t);
  // 1.5 MiB at 512 KiB/s is 3 s; an idle bucket saves at most 50 ms.
  EXPECT_GT(*t, 2.8);
  EXPECT_LT(*t, 4.5);
  EXPECT_EQ(read_all(root_ / "capped/p/data.bin"), read_all(root_ / "seed/p/data.bin"));
  EXPECT_EQ(leech->snapshot()->download_limit, 512 * 1024);
}

TEST_F(ThrottleTest, UploadCapAtTheSeedBoundsTheTransfer) {
  SessionSettings capped;
  capped.upload_limit = 512 * 1024;
  auto s = seed("127.0.0.34", 3 * kMiB / 2, capped);
  auto leech = start("127.0.0.35");
  const auto t = download_seconds(*leech, s.torrent, root_ / "l", s.address);
  ASSERT_TRUE(t);
  EXPECT_GT(*t, 2.8);
  EXPECT_LT(*t, 4.5);
  EXPECT_EQ(read_all(root_ / "l/p/data.bin"), read_all(root_ / "seed/p/data.bin"));
}

TEST_F(ThrottleTest, TorrentCapHoldsUntilLiftedThenTheRestIsQuick) {
  auto s = seed("127.0.0.36", 8 * kMiB);
  auto leech = start("127.0.0.37");
  auto id = leech->add_torrent({.torrent_data = s.torrent,
                                .save_path = (root_ / "l").string(),
                                .peers = {s.address},
                                .download_limit = 256 * 1024});
  ASSERT_TRUE(id);
  ASSERT_TRUE(wait_for([&] { auto st = status_of(*leech, *id); return st && st->downloaded > 0; }, 10s));
  std::this_thread::sleep_for(2s);
  const auto st = status_of(*leech, *id);
  EXPECT_EQ(st->download_limit, 256 * 1024);
  EXPECT_LT(st->downloaded, 3 * 256 * 1024);  // about 2 s worth, never the 8 MiB on offer
  EXPECT_GT(st->downloaded, 256 * 1024);
  const auto lifted = Clock::now();
  leech->set_torrent_rate_limits(*id, 0, 0);
  ASSERT_TRUE(wait_for([&] { auto x = status_of(*leech, *id); return x && x->state == TorrentState::seeding; }, 30s));
  // The remaining ~7.5 MiB would take 30 s under the cap.
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - lifted).count(), 8.0);
  EXPECT_EQ(read_all(root_ / "l/p/data.bin"), read_all(root_ / "seed/p/data.bin"));
}

TEST_F(ThrottleTest, GlobalCapIsSharedByTwoTorrents) {
  auto a = seed("127.0.0.38", kMiB, {}, 1, "a");
  auto b = seed("127.0.0.39", kMiB, {}, 2, "b");
  SessionSettings capped;
  capped.download_limit = 512 * 1024;
  auto leech = start("127.0.0.40", capped);
  const auto t0 = Clock::now();
  auto ia = leech->add_torrent({.torrent_data = a.torrent, .save_path = (root_ / "l").string(), .peers = {a.address}});
  auto ib = leech->add_torrent({.torrent_data = b.torrent, .save_path = (root_ / "l").string(), .peers = {b.address}});
  ASSERT_TRUE(ia && ib);
  ASSERT_TRUE(wait_for([&] {
    auto x = status_of(*leech, *ia);
    auto y = status_of(*leech, *ib);
    return x && y && x->state == TorrentState::seeding && y->state == TorrentState::seeding;
  }, 30s));
  // 2 MiB through one 512 KiB/s cap: 4 s, however it is split.
  const double t = std::chrono::duration<double>(Clock::now() - t0).count();
  EXPECT_GT(t, 3.7);
  EXPECT_LT(t, 6.0);
}

TEST_F(ThrottleTest, ALowUploadCapDoesNotStarveOurDownload) {
  auto s = seed("127.0.0.41", 8 * kMiB);
  SessionSettings capped;
  capped.upload_limit = 1024;  // 1 KiB/s: requests alone (17 bytes each) would take ~8 s if they queued
  auto leech = start("127.0.0.42", capped);
  const auto t = download_seconds(*leech, s.torrent, root_ / "l", s.address);
  ASSERT_TRUE(t);
  EXPECT_LT(*t, 4.0);
}

TEST_F(ThrottleTest, ApplySettingsChangesTheCapsOfARunningSession) {
  auto s = seed("127.0.0.50", 8 * kMiB);
  auto leech = start("127.0.0.51");
  auto id = leech->add_torrent({.torrent_data = s.torrent, .save_path = (root_ / "l").string(), .peers = {s.address}});
  ASSERT_TRUE(id);
  SessionSettings prefs;
  prefs.download_limit = 200 * 1024;
  prefs.upload_limit = 100 * 1024;
  leech->apply_settings(prefs);
  ASSERT_TRUE(wait_for([&] { return leech->snapshot()->download_limit == 200 * 1024; }, 5s));
  EXPECT_EQ(leech->snapshot()->upload_limit, 100 * 1024);
  const auto before = status_of(*leech, *id)->downloaded;
  std::this_thread::sleep_for(2s);
  const auto moved = status_of(*leech, *id)->downloaded - before;
  EXPECT_LT(moved, 3 * 200 * 1024);  // 2 s at 200 KiB/s, with slack for what was in flight
  EXPECT_LT(status_of(*leech, *id)->progress, 0.5);
}

TEST_F(ThrottleTest, HardConnectionLimitRefusesIncomingPeers) {
  SessionSettings limited;
  limited.max_peers_per_torrent = 2;
  limited.max_peers_per_torrent_hard = 2;
  auto s = seed("127.0.0.43", 8 * kMiB, limited);
  SessionSettings slow;
  slow.download_limit = 64 * 1024;  // keep the leechers busy (and connected) for a while
  std::vector<std::unique_ptr<Session>> leeches;
  for (int i = 0; i < 4; ++i) {
    leeches.push_back(start("127.0.0.4" + std::to_string(4 + i), slow));
    ASSERT_TRUE(leeches.back()->add_torrent(
        {.torrent_data = s.torrent, .save_path = (root_ / ("l" + std::to_string(i))).string(), .peers = {s.address}}));
  }
  std::this_thread::sleep_for(2s);
  int connected = 0;
  for (auto& l : leeches) {
    const auto snap = l->snapshot();
    connected += snap->torrents.empty() ? 0 : snap->torrents[0].peers_connected;
  }
  EXPECT_EQ(connected, 2);
  EXPECT_EQ(s.session->snapshot()->connections, 2);
}

}  // namespace
}  // namespace tessera
