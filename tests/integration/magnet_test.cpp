// Magnet links between two sessions: the metadata from a peer (BEP 9), then the data; the
// link's file selection (BEP 53); and a restart that finds the fetched torrent in the state folder.
#include "metainfo/metainfo.hpp"
#include "swarm_fixture.hpp"

namespace tessera {
namespace {

using namespace testing_support;

class MagnetTest : public SwarmTest {
 protected:
  // A seeding session on `address` for a torrent whose info dictionary spans several 16 KiB
  // metadata pieces (one 20-byte hash per 16 KiB piece of payload).
  struct Seeded {
    std::unique_ptr<Session> session;
    std::string torrent;
    Metainfo meta;
    std::string peer;  // "address:port"
  };
  Seeded seed(const std::string& address, const std::vector<PayloadFile>& files) {
    Seeded s;
    s.torrent = make_torrent(root_ / "seed", "payload", files, 16384, 11);
    s.meta = *parse_metainfo(std::string_view(s.torrent));
    s.session = start(address);
    auto id = s.session->add_torrent({.torrent_data = s.torrent, .save_path = (root_ / "seed").string()});
    EXPECT_TRUE(id);
    EXPECT_TRUE(wait_for([&] {
      auto st = status_of(*s.session, *id);
      return st && st->state == TorrentState::seeding;
    }, 60s));
    s.peer = address + ":" + std::to_string(s.session->listen_port());
    return s;
  }
  static bool has_event(Session& s, SessionEvent::Kind kind, std::vector<SessionEvent>& seen) {
    for (auto& e : s.take_events()) seen.push_back(std::move(e));
    return std::any_of(seen.begin(), seen.end(), [&](const SessionEvent& e) { return e.kind == kind; });
  }
};

TEST_F(MagnetTest, MetadataThenDataFromASeedNamedInTheLink) {
  const std::vector<PayloadFile> files = {{"a.bin", 40'000'000}, {"sub/b.bin", 123'457}};
  Seeded s = seed("127.0.0.71", files);
  ASSERT_GT(s.meta.info_dict.size(), 16384u * 2) << "the metadata should take several pieces";

  SessionSettings settings;
  settings.state_dir = (root_ / "state").string();
  auto leech = start("127.0.0.72", settings);
  const std::string link = "magnet:?xt=urn:btih:" + s.meta.info_hash.hex() + "&dn=from+the+link&x.pe=" + s.peer;
  auto id = leech->add_torrent({.magnet_uri = link, .save_path = (root_ / "leech").string()});
  ASSERT_TRUE(id) << id.error();
  // At first it knows only the link.
  auto first = status_of(*leech, *id);
  if (first && first->state == TorrentState::fetching_metadata) {
    EXPECT_EQ(first->name, "from the link");
  }

  std::vector<SessionEvent> events;
  ASSERT_TRUE(wait_for([&] { return has_event(*leech, SessionEvent::Kind::metadata_received, events); }, 60s));
  ASSERT_TRUE(wait_for([&] {
    auto st = status_of(*leech, *id);
    return st && st->state == TorrentState::seeding;
  }, 120s)) << "the download did not complete";
  auto st = status_of(*leech, *id);
  EXPECT_EQ(st->name, "payload");  // the metadata's name now
  EXPECT_EQ(st->info_hash, s.meta.info_hash.hex());
  for (const auto& f : files) {
    EXPECT_EQ(read_all(root_ / "leech" / "payload" / f.path), read_all(root_ / "seed" / "payload" / f.path)) << f.path;
  }
  // The state folder keeps the fetched torrent (with the metadata's exact bytes): a restart
  // does not fetch it again.
  const std::string saved = read_all(root_ / "state" / "torrents" / (s.meta.info_hash.hex() + ".torrent"));
  auto meta = parse_metainfo(std::string_view(saved));
  ASSERT_TRUE(meta) << meta.error().message;
  EXPECT_EQ(meta->info_hash, s.meta.info_hash);
  EXPECT_EQ(meta->info_dict, s.meta.info_dict);
}

TEST_F(MagnetTest, TheLinksFileSelectionIsApplied) {
  const std::vector<PayloadFile> files = {{"a.bin", 300'000}, {"b.bin", 400'000}, {"c.bin", 500'000}};
  Seeded s = seed("127.0.0.73", files);
  auto leech = start("127.0.0.74");
  const std::string link = "magnet:?xt=urn:btih:" + s.meta.info_hash.hex() + "&so=0,2&x.pe=" + s.peer;
  // Paused once the metadata is in, as the app does to let the user choose files first.
  auto id = leech->add_torrent({.magnet_uri = link, .pause_after_metadata = true, .save_path = (root_ / "leech").string()});
  ASSERT_TRUE(id) << id.error();
  ASSERT_TRUE(wait_for([&] {
    auto st = status_of(*leech, *id);
    return st && st->state == TorrentState::paused && st->total_size > 0;
  }, 60s));
  EXPECT_EQ(status_of(*leech, *id)->pieces_have, 0u);
  leech->resume(*id);
  ASSERT_TRUE(wait_for([&] {
    auto st = status_of(*leech, *id);
    return st && st->state == TorrentState::seeding && st->wanted_size > 0;
  }, 120s));
  auto st = status_of(*leech, *id);
  // What is wanted is the pieces of a.bin and c.bin (those shared with b.bin included), not b.bin's own.
  EXPECT_GE(st->wanted_size, 300'000 + 500'000);
  EXPECT_LE(st->wanted_size, 300'000 + 500'000 + 2 * 16384);
  ASSERT_EQ(st->total_size, 1'200'000);
  EXPECT_EQ(read_all(root_ / "leech" / "payload" / "a.bin"), read_all(root_ / "seed" / "payload" / "a.bin"));
  EXPECT_EQ(read_all(root_ / "leech" / "payload" / "c.bin"), read_all(root_ / "seed" / "payload" / "c.bin"));
}

TEST_F(MagnetTest, ALinkWithNoWayToPeersSaysSoAndCanBeRemoved) {
  auto leech = start("127.0.0.75");
  const std::string hash(40, 'a');
  auto id = leech->add_torrent({.magnet_uri = "magnet:?xt=urn:btih:" + hash, .save_path = (root_ / "leech").string()});
  ASSERT_TRUE(id) << id.error();
  ASSERT_TRUE(wait_for([&] {
    auto st = status_of(*leech, *id);
    return st && st->state == TorrentState::fetching_metadata && st->stall == StallReason::no_peers_known;
  }, 30s));
  EXPECT_EQ(status_of(*leech, *id)->name, hash);
  // The same link again is a duplicate; a broken one is a one-line error.
  auto again = leech->add_torrent({.magnet_uri = "magnet:?xt=urn:btih:" + hash, .save_path = (root_ / "leech").string()});
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().find("already added"), std::string::npos) << again.error();
  auto bad = leech->add_torrent({.magnet_uri = "magnet:?xt=urn:btih:123", .save_path = (root_ / "leech").string()});
  ASSERT_FALSE(bad);
  leech->remove(*id, false);
  ASSERT_TRUE(wait_for([&] { return !status_of(*leech, *id); }, 30s));
}

TEST_F(MagnetTest, AMagnetStillFetchingAtQuitGoesOnFetchingAfterARestart) {
  const std::vector<PayloadFile> files = {{"a.bin", 500'000}};
  const std::string torrent = make_torrent(root_ / "seed", "payload", files, 16384, 12);
  const Metainfo meta = *parse_metainfo(std::string_view(torrent));
  SessionSettings settings;
  settings.state_dir = (root_ / "state").string();
  const std::string link = "magnet:?xt=urn:btih:" + meta.info_hash.hex() + "&dn=kept";
  {
    auto first = start("127.0.0.76", settings);
    auto id = first->add_torrent({.magnet_uri = link, .save_path = (root_ / "leech").string(), .paused = true});
    ASSERT_TRUE(id) << id.error();
    ASSERT_TRUE(wait_for([&] { return fs::exists(root_ / "state" / "torrents" / (meta.info_hash.hex() + ".magnet")); },
                         30s));
    first->shutdown();
  }
  // The seed comes up only now; the restarted session still has the link, paused as it was.
  auto seed = start("127.0.0.77");
  ASSERT_TRUE(seed->add_torrent({.torrent_data = torrent, .save_path = (root_ / "seed").string()}));
  auto again = start("127.0.0.76", settings);
  auto snap = again->snapshot();
  ASSERT_EQ(snap->torrents.size(), 1u);
  const TorrentStatus restored = snap->torrents.front();
  EXPECT_EQ(restored.name, "kept");
  EXPECT_EQ(restored.state, TorrentState::paused);
  again->add_peer(restored.id, "127.0.0.77:" + std::to_string(seed->listen_port()));
  again->resume(restored.id);
  ASSERT_TRUE(wait_for([&] {
    auto st = status_of(*again, restored.id);
    return st && st->state == TorrentState::seeding;
  }, 120s));
  EXPECT_EQ(read_all(root_ / "leech" / "payload" / "a.bin"), read_all(root_ / "seed" / "payload" / "a.bin"));
  // The record gave way to the .torrent once the metadata was in.
  ASSERT_TRUE(wait_for([&] { return !fs::exists(root_ / "state" / "torrents" / (meta.info_hash.hex() + ".magnet")); },
                       30s));
  EXPECT_TRUE(fs::exists(root_ / "state" / "torrents" / (meta.info_hash.hex() + ".torrent")));
  // Removed: nothing of it stays.
  again->remove(restored.id, false);
  ASSERT_TRUE(wait_for([&] { return !fs::exists(root_ / "state" / "torrents" / (meta.info_hash.hex() + ".torrent")); },
                       30s));
}

}  // namespace
}  // namespace tessera
