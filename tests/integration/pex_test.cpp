// Peer exchange (BEP 11) between three sessions: C knows only B, B knows A, the seed. B uploads
// a trickle, so C completes only if B's ut_pex messages lead it to A. The same three sessions
// share a private torrent too (BEP 27): there C never hears of A.
#include "metainfo/metainfo.hpp"
#include "swarm_fixture.hpp"

namespace tessera {
namespace {

using namespace testing_support;

// B's caps both ways: 4 MB from B alone would take hours, and B stays a leecher connected to A
// (two seeds would part, and B would have no one to tell C about).
constexpr std::int64_t kTrickle = 4096;

class PexTest : public SwarmTest {
 protected:
  static int known_from(const TorrentStatus& s, PeerSource source) {
    return s.peers_known_by_source[static_cast<std::size_t>(source)];
  }
  // Payload bytes C received over its connections to `address` with the given source, whether
  // still connected or departed (two seeds part once both are complete).
  static std::int64_t received_from(const TorrentStatus& s, const std::string& address, PeerSource source) {
    std::int64_t total = 0;
    for (const PeerInfo& p : s.peers) {
      if (p.address == address && p.source == source) total += p.downloaded;
    }
    for (const DepartedPeer& p : s.departed_peers) {
      if (p.address == address && p.source == source) total += p.downloaded;
    }
    return total;
  }
  static bool connected_to(const TorrentStatus& s, const std::string& address) {
    return std::any_of(s.peers.begin(), s.peers.end(),
                       [&](const PeerInfo& p) { return p.address == address; });
  }
};

TEST_F(PexTest, ALeecherFindsTheSeedThroughAPeerThatBarelyUploads) {
  const std::vector<PayloadFile> files = {{"a.bin", 3'000'017}, {"sub/b.bin", 1'048'577}};
  const std::int64_t size = 3'000'017 + 1'048'577;
  const std::string open_torrent = make_torrent(root_ / "seed", "open", files, 65536, 21);
  const std::string private_torrent = make_torrent(root_ / "seed", "closed", files, 65536, 22, true);
  ASSERT_TRUE(parse_metainfo(std::string_view(private_torrent))->is_private);

  // A takes no part in PEX: otherwise B would tell A of C too, and A might dial C first (an
  // incoming peer for C), where this test wants to see C dial what it learned.
  SessionSettings no_pex;
  no_pex.enable_pex = false;
  auto a = start("127.0.0.91", no_pex);
  const auto a_open = a->add_torrent({.torrent_data = open_torrent, .save_path = (root_ / "seed").string()});
  const auto a_closed =
      a->add_torrent({.torrent_data = private_torrent, .save_path = (root_ / "seed").string()});
  ASSERT_TRUE(a_open && a_closed);
  ASSERT_TRUE(wait_for(
      [&] {
        auto o = status_of(*a, *a_open), c = status_of(*a, *a_closed);
        return o && c && o->state == TorrentState::seeding && c->state == TorrentState::seeding;
      },
      60s));
  const std::string a_address = "127.0.0.91:" + std::to_string(a->listen_port());

  auto b = start("127.0.0.92");
  const auto b_open = b->add_torrent({.torrent_data = open_torrent,
                                      .save_path = (root_ / "b").string(),
                                      .peers = {a_address},
                                      .download_limit = kTrickle,
                                      .upload_limit = kTrickle});
  const auto b_closed = b->add_torrent({.torrent_data = private_torrent,
                                        .save_path = (root_ / "b").string(),
                                        .peers = {a_address},
                                        .download_limit = kTrickle,
                                        .upload_limit = kTrickle});
  ASSERT_TRUE(b_open && b_closed);
  ASSERT_TRUE(wait_for(
      [&] {
        auto o = status_of(*b, *b_open), c = status_of(*b, *b_closed);
        return o && c && connected_to(*o, a_address) && connected_to(*c, a_address);
      },
      60s));
  const std::string b_address = "127.0.0.92:" + std::to_string(b->listen_port());

  auto c = start("127.0.0.93");
  const auto c_open = c->add_torrent(
      {.torrent_data = open_torrent, .save_path = (root_ / "c").string(), .peers = {b_address}});
  const auto c_closed = c->add_torrent(
      {.torrent_data = private_torrent, .save_path = (root_ / "c").string(), .peers = {b_address}});
  ASSERT_TRUE(c_open && c_closed);
  ASSERT_TRUE(wait_for(
      [&] {
        auto st = status_of(*c, *c_open);
        return st && st->state == TorrentState::seeding;
      },
      120s))
      << "C never completed: it did not learn of A through B";

  const auto done = status_of(*c, *c_open);
  EXPECT_GE(known_from(*done, PeerSource::pex), 1);
  EXPECT_GE(received_from(*done, a_address, PeerSource::pex), size * 9 / 10)
      << "C should have fetched nearly all from A, which it knew only through PEX";
  for (const auto& f : files) {
    EXPECT_EQ(read_all(root_ / "c" / "open" / f.path), read_all(root_ / "seed" / "open" / f.path)) << f.path;
  }

  // The private torrent: by now B has been connected to A and C there as long as in the open
  // one, so a ut_pex message would have come; none did, and C never dialled A.
  ASSERT_TRUE(wait_for(
      [&] {
        auto st = status_of(*b, *b_closed);
        return st && connected_to(*st, a_address) && st->peers.size() >= 2;
      },
      30s));
  const auto closed = status_of(*c, *c_closed);
  ASSERT_TRUE(closed);
  EXPECT_EQ(known_from(*closed, PeerSource::pex), 0);
  EXPECT_FALSE(connected_to(*closed, a_address));
  EXPECT_NE(closed->state, TorrentState::seeding);
}

// A magnet link naming only B: the metadata comes from B, A through PEX (while the metadata is
// fetched or once the torrent runs: which one is a race this test leaves open), and the data
// from A. The magnet's PEX both ways must not upset either side.
TEST_F(PexTest, AMagnetLinkNamingOnlyTheTricklingPeerCompletesFromTheSeed) {
  const std::vector<PayloadFile> files = {{"a.bin", 2'500'000}};
  const std::string torrent = make_torrent(root_ / "seed", "open", files, 65536, 23);
  const Metainfo meta = *parse_metainfo(std::string_view(torrent));
  SessionSettings no_pex;
  no_pex.enable_pex = false;
  auto a = start("127.0.0.94", no_pex);
  const auto a_id = a->add_torrent({.torrent_data = torrent, .save_path = (root_ / "seed").string()});
  ASSERT_TRUE(a_id);
  ASSERT_TRUE(wait_for(
      [&] {
        auto st = status_of(*a, *a_id);
        return st && st->state == TorrentState::seeding;
      },
      60s));
  const std::string a_address = "127.0.0.94:" + std::to_string(a->listen_port());
  auto b = start("127.0.0.95");
  const auto b_id = b->add_torrent({.torrent_data = torrent,
                                    .save_path = (root_ / "b").string(),
                                    .peers = {a_address},
                                    .download_limit = kTrickle,
                                    .upload_limit = kTrickle});
  ASSERT_TRUE(b_id);
  ASSERT_TRUE(wait_for(
      [&] {
        auto st = status_of(*b, *b_id);
        return st && connected_to(*st, a_address);
      },
      60s));

  auto c = start("127.0.0.96");
  const std::string link =
      "magnet:?xt=urn:btih:" + meta.info_hash.hex() + "&x.pe=127.0.0.95:" + std::to_string(b->listen_port());
  const auto c_id = c->add_torrent({.magnet_uri = link, .save_path = (root_ / "c").string()});
  ASSERT_TRUE(c_id) << c_id.error();
  ASSERT_TRUE(wait_for(
      [&] {
        auto st = status_of(*c, *c_id);
        return st && st->state == TorrentState::seeding;
      },
      120s))
      << "C never completed: it did not learn of A through B";
  const auto done = status_of(*c, *c_id);
  EXPECT_GE(known_from(*done, PeerSource::pex), 1);
  EXPECT_EQ(read_all(root_ / "c" / "open" / "a.bin"), read_all(root_ / "seed" / "open" / "a.bin"));
}

}  // namespace
}  // namespace tessera
