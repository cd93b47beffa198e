// Why a torrent is not moving, as the snapshot says it (one test per reason), why peers left,
// and the share-ratio rule.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <sys/socket.h>

#include "swarm_fixture.hpp"

namespace tessera {
namespace {

using namespace testing_support;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A peer that answers the handshake and says what it has, then never unchokes us.
class FakePeer {
 public:
  enum class Has { all, none };
  FakePeer(const std::string& address, const std::string& info_hash_hex, Has has)
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address(address), 0)), has_(has) {
    for (std::size_t i = 0; i < 20; ++i) info_hash_[i] = static_cast<char>(std::stoi(info_hash_hex.substr(2 * i, 2), nullptr, 16));
    thread_ = std::thread([this] { run(); });
  }
  ~FakePeer() {
    stop_ = true;
    boost::system::error_code ec;
    // shutdown() wakes a blocked accept or read (close() alone would not).
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    thread_.join();
  }
  std::string endpoint() const {
    return acceptor_.local_endpoint().address().to_string() + ":" + std::to_string(acceptor_.local_endpoint().port());
  }
  // Closes the connection (the peer leaves).
  void hang_up() {
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
  }

 private:
  void run() {
    boost::system::error_code ec;
    acceptor_.accept(socket_, ec);
    if (ec) return;
    std::array<char, 68> theirs{};
    asio::read(socket_, asio::buffer(theirs), ec);
    std::string hs = "\x13" "BitTorrent protocol";
    hs += std::string("\0\0\0\0\0\0\0\x04", 8);  // fast extension
    hs += std::string(info_hash_.data(), 20);
    hs += "-FK0001-stallingpeer";
    hs += std::string("\0\0\0\x01", 4);
    hs += has_ == Has::all ? '\x0e' : '\x0f';  // have-all / have-none
    asio::write(socket_, asio::buffer(hs), ec);
    std::array<char, 4096> sink{};
    while (!stop_ && !ec) socket_.read_some(asio::buffer(sink), ec);
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  tcp::socket socket_{io_};
  std::array<char, 20> info_hash_{};
  Has has_;
  std::atomic<bool> stop_ = false;
  std::thread thread_;
};

class StallTest : public SwarmTest {
 protected:
  std::string torrent(const char* announce = nullptr, std::size_t size = 200000) {
    std::string t = make_torrent(root_ / "seed", "p", {{"a.bin", size}}, 16384, 9);
    if (announce != nullptr) t = "d8:announce" + std::to_string(std::strlen(announce)) + ":" + announce + t.substr(1);
    return t;
  }
  static bool in_state(Session& s, TorrentId id, TorrentState want) {
    auto st = status_of(s, id);
    return st && st->state == want;
  }
  static bool stalled(Session& s, TorrentId id, StallReason r) {
    auto st = status_of(s, id);
    return st && st->stall == r;
  }
  static std::string info_hash(Session& s, TorrentId id) {
    std::optional<TorrentStatus> st;
    EXPECT_TRUE(wait_for([&] { return (st = status_of(s, id)).has_value(); }, 10s));
    return st ? st->info_hash : std::string();
  }
};

TEST_F(StallTest, NoPeersKnownNamesTheFailingTracker) {
  const std::string t = torrent("http://127.0.0.71:1/announce");
  SessionSettings s;
  s.enable_dht = false;
  s.enable_lsd = false;
  s.listen_address = "127.0.0.72";
  s.listen_port = 0;
  s.snapshot_interval = 100ms;
  s.tracker_timeout = 5s;
  auto session = Session::create(s);
  ASSERT_TRUE(session);
  auto id = (*session)->add_torrent({.torrent_data = t, .save_path = (root_ / "l").string()});
  ASSERT_TRUE(id);
  ASSERT_TRUE(wait_for([&] { return stalled(**session, *id, StallReason::no_peers_known) &&
                                    status_of(**session, *id)->stall_detail.find("failing") != std::string::npos; },
                       30s));
  const auto st = status_of(**session, *id);
  EXPECT_NE(st->stall_detail.find("1 of 1 trackers failing: tracker http://127.0.0.71:1/announce: "), std::string::npos)
      << st->stall_detail;
  EXPECT_EQ(st->peers_known, 0);
}

TEST_F(StallTest, PeersKnownButUnreachable) {
  auto s = start("127.0.0.73");
  auto id = s->add_torrent({.torrent_data = torrent(), .save_path = (root_ / "l").string(),
                            .peers = {"127.0.0.74:1"}});  // nothing listens there
  ASSERT_TRUE(id);
  ASSERT_TRUE(wait_for([&] { return stalled(*s, *id, StallReason::peers_unreachable); }, 20s));
  const auto st = status_of(*s, *id);
  EXPECT_GE(st->connect_failures, 1);
  EXPECT_NE(st->stall_detail.find("connection attempt"), std::string::npos) << st->stall_detail;
  EXPECT_EQ(st->peers_known_by_source[static_cast<std::size_t>(PeerSource::manual)], 1);
}

TEST_F(StallTest, ConnectedButEveryPeerChokesUsAndWhyItLeft) {
  auto s = start("127.0.0.75");
  const std::string t = torrent();
  auto id = s->add_torrent({.torrent_data = t, .save_path = (root_ / "l").string()});
  ASSERT_TRUE(id);
  FakePeer peer("127.0.0.76", info_hash(*s, *id), FakePeer::Has::all);
  s->add_peer(*id, peer.endpoint());
  ASSERT_TRUE(wait_for([&] { return stalled(*s, *id, StallReason::all_choking); }, 20s));
  EXPECT_EQ(status_of(*s, *id)->stall_detail, "1 connected peer has pieces we want");
  EXPECT_EQ(status_of(*s, *id)->peers[0].source, PeerSource::manual);
  peer.hang_up();
  ASSERT_TRUE(wait_for([&] { return !status_of(*s, *id)->departed_peers.empty(); }, 20s));
  const DepartedPeer gone = status_of(*s, *id)->departed_peers[0];
  EXPECT_EQ(gone.address, peer.endpoint());
  EXPECT_EQ(gone.reason, DepartureReason::closed_by_peer);
  EXPECT_EQ(gone.source, PeerSource::manual);
  EXPECT_FALSE(gone.detail.empty());
}

TEST_F(StallTest, ConnectedButNobodyHasWhatWeWant) {
  auto s = start("127.0.0.77");
  auto id = s->add_torrent({.torrent_data = torrent(), .save_path = (root_ / "l").string()});
  ASSERT_TRUE(id);
  FakePeer peer("127.0.0.78", info_hash(*s, *id), FakePeer::Has::none);
  s->add_peer(*id, peer.endpoint());
  ASSERT_TRUE(wait_for([&] { return stalled(*s, *id, StallReason::nobody_has_wanted); }, 20s));
  EXPECT_EQ(status_of(*s, *id)->stall_detail, "1 peer connected; 13 of 13 wanted pieces are on no connected peer");
}

TEST_F(StallTest, TheDownloadCapIsTheLimit) {
  const std::string t = torrent(nullptr, 3 << 20);
  auto seed = start("127.0.0.79");
  auto sid = seed->add_torrent({.torrent_data = t, .save_path = (root_ / "seed").string()});
  ASSERT_TRUE(sid);
  ASSERT_TRUE(wait_for([&] { return in_state(*seed, *sid, TorrentState::seeding); }, 20s));
  auto leech = start("127.0.0.80");
  auto id = leech->add_torrent({.torrent_data = t, .save_path = (root_ / "l").string(),
                                .peers = {"127.0.0.79:" + std::to_string(seed->listen_port())},
                                .download_limit = 200 << 10});
  ASSERT_TRUE(id);
  ASSERT_TRUE(wait_for([&] { return stalled(*leech, *id, StallReason::download_cap); }, 30s));
  EXPECT_EQ(status_of(*leech, *id)->stall_detail, "this torrent's cap of 200 KiB/s");
}

TEST_F(StallTest, SeedingStopsAtTheShareRatioAndAResumeByTheUserSeedsOn) {
  const std::string t = torrent(nullptr, 1 << 20);
  SessionSettings ss;
  ss.stop_at_ratio = 1.0;
  ss.state_dir = (root_ / "seed-state").string();
  auto seed = start("127.0.0.81", ss);
  auto sid = seed->add_torrent({.torrent_data = t, .save_path = (root_ / "seed").string()});
  ASSERT_TRUE(sid);
  ASSERT_TRUE(wait_for([&] { return in_state(*seed, *sid, TorrentState::seeding); }, 20s));
  EXPECT_DOUBLE_EQ(status_of(*seed, *sid)->ratio_limit, 1.0);
  // Seeded from disk: its ratio counts against its size. One full copy out makes 1.0.
  auto leech = start("127.0.0.82");
  auto lid = leech->add_torrent({.torrent_data = t, .save_path = (root_ / "l").string(),
                                 .peers = {"127.0.0.81:" + std::to_string(seed->listen_port())}});
  ASSERT_TRUE(lid);
  ASSERT_TRUE(wait_for([&] { return in_state(*leech, *lid, TorrentState::seeding); }, 30s));
  ASSERT_TRUE(wait_for([&] { return in_state(*seed, *sid, TorrentState::paused); }, 20s));
  EXPECT_TRUE(status_of(*seed, *sid)->stopped_at_ratio);
  const auto events = seed->take_events();
  EXPECT_TRUE(std::any_of(events.begin(), events.end(),
                          [](const SessionEvent& e) { return e.kind == SessionEvent::Kind::stopped_at_ratio; }));
  // The user resumes it: it seeds on, and still does after a restart.
  seed->resume(*sid);
  ASSERT_TRUE(wait_for([&] { return in_state(*seed, *sid, TorrentState::seeding); }, 10s));
  EXPECT_FALSE(status_of(*seed, *sid)->stopped_at_ratio);
  EXPECT_DOUBLE_EQ(status_of(*seed, *sid)->ratio_limit, 0.0);
  seed->shutdown();
  seed = start("127.0.0.81", ss);
  ASSERT_EQ(seed->snapshot()->torrents.size(), 1u);
  const TorrentId again = seed->snapshot()->torrents[0].id;
  ASSERT_TRUE(wait_for([&] { return in_state(*seed, again, TorrentState::seeding); }, 20s));
  EXPECT_DOUBLE_EQ(status_of(*seed, again)->ratio_limit, 0.0);
  // Its own limit, set later, applies afresh.
  seed->set_torrent_ratio_limit(again, 0.5);
  ASSERT_TRUE(wait_for([&] { return in_state(*seed, again, TorrentState::paused); }, 10s));
  EXPECT_DOUBLE_EQ(status_of(*seed, again)->ratio_limit, 0.5);
}

}  // namespace
}  // namespace tessera
