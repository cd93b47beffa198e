// Swarms without a tracker between sessions on 127.0.0.x: the DHT (BEP 5) brings a magnet
// link's downloader to its seed, and local discovery (BEP 14) two peers on one network.
#include "metainfo/metainfo.hpp"
#include "swarm_fixture.hpp"

namespace tessera {
namespace {

using namespace testing_support;

class DhtTest : public SwarmTest {
 protected:
  std::unique_ptr<Session> start_dht(const std::string& address, const std::vector<std::string>& bootstrap) {
    SessionSettings s;
    s.enable_dht = true;
    s.dht_bootstrap_nodes = bootstrap;
    s.dht_announce_interval = std::chrono::seconds(3);  // so the two meet quickly, whoever comes first
    s.enable_lsd = false;
    return start(address, s, true);
  }
};

TEST_F(DhtTest, AMagnetLinkWithOnlyItsHashFindsTheSeedThroughTheDht) {
  auto router = start_dht("127.0.0.81", {});
  ASSERT_TRUE(router);
  const std::string entry = "127.0.0.81:" + std::to_string(router->listen_port());

  const std::string torrent = make_torrent(root_ / "seed", "payload", {{"a.bin", 3'000'000}}, 32768, 21);
  const Metainfo meta = *parse_metainfo(std::string_view(torrent));
  auto seed = start_dht("127.0.0.82", {entry});
  auto sid = seed->add_torrent({.torrent_data = torrent, .save_path = (root_ / "seed").string()});
  ASSERT_TRUE(sid) << sid.error();

  auto leech = start_dht("127.0.0.83", {entry});
  auto id = leech->add_torrent({.magnet_uri = "magnet:?xt=urn:btih:" + meta.info_hash.hex(),
                                .save_path = (root_ / "leech").string()});
  ASSERT_TRUE(id) << id.error();
  ASSERT_TRUE(wait_for([&] {
    auto st = status_of(*leech, *id);
    return st && st->state == TorrentState::seeding;
  }, 120s)) << "the download did not complete";
  EXPECT_EQ(read_all(root_ / "leech" / "payload" / "a.bin"), read_all(root_ / "seed" / "payload" / "a.bin"));
  auto snap = leech->snapshot();
  EXPECT_EQ(snap->dht_state, DhtState::ready);
  EXPECT_GE(snap->dht_nodes, 1);
  // One of the two found the other on the DHT (whoever looked after the other announced).
  const auto via_dht = [](const TorrentStatus& t) {
    return t.peers_known_by_source[static_cast<std::size_t>(PeerSource::dht)];
  };
  EXPECT_GE(via_dht(*status_of(*leech, *id)) + via_dht(*status_of(*seed, *sid)), 1);
}

TEST_F(DhtTest, LocalDiscoveryBringsTwoSessionsOnOneNetworkTogether) {
  const std::string torrent = make_torrent(root_ / "seed", "payload", {{"a.bin", 1'000'000}}, 32768, 23);
  const auto with_lsd = [&](const std::string& address) {
    SessionSettings s;
    s.enable_dht = false;
    s.enable_lsd = true;
    return start(address, s, true);
  };
  auto seed = with_lsd("127.0.0.87");
  ASSERT_TRUE(seed->add_torrent({.torrent_data = torrent, .save_path = (root_ / "seed").string()}));
  auto leech = with_lsd("127.0.0.88");
  auto id = leech->add_torrent({.torrent_data = torrent, .save_path = (root_ / "leech").string()});
  ASSERT_TRUE(id);
  if (!leech->snapshot()->lsd_problem.empty()) GTEST_SKIP() << "no multicast here: " << leech->snapshot()->lsd_problem;
  ASSERT_TRUE(wait_for([&] {
    auto st = status_of(*leech, *id);
    return st && st->state == TorrentState::seeding;
  }, 120s)) << "the peers did not find each other";
  EXPECT_EQ(read_all(root_ / "leech" / "payload" / "a.bin"), read_all(root_ / "seed" / "payload" / "a.bin"));
  EXPECT_GE(status_of(*leech, *id)->peers_known_by_source[static_cast<std::size_t>(PeerSource::lsd)], 1);
}

}  // namespace
}  // namespace tessera
