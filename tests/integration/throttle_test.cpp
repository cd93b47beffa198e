// Speed caps and connection limits between engines on loopback, through the Session API only.
// Nothing here depends on how fast or busy the machine is: rates are judged from the engine's own
// byte counts and the times of the snapshots that carry them. A cap can only make a transfer
// slower on a loaded machine, so what a cap lets through is bounded from above, tightly; where
// something must be fast (no cap, a lifted cap, a starved cap elsewhere) the test only asks for
// more than the alternative could ever give, which holds with a wide margin; everything else is
// waited for. The tight figures are measured from outside in tests/bench.
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <optional>

#include "swarm_fixture.hpp"

namespace tessera {
namespace {

using namespace testing_support;
using Clock = std::chrono::steady_clock;

constexpr std::int64_t kKiB = 1024;
constexpr std::int64_t kMiB = 1024 * kKiB;

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// The most payload a cap lets through in `elapsed`, when the window began no later than the cap
// was set (a download cap's bucket then saves nothing up before it): rate × time, plus the
// bucket's burst (50 ms worth) and, per connection, a block partly read before the window and an
// upload grant (up to 64 KiB) taken before it.
double most_bytes(std::int64_t cap, Clock::duration elapsed, int connections = 1) {
  return static_cast<double>(cap) * seconds(elapsed) + static_cast<double>(cap) / 20 +
         static_cast<double>(connections * 128 * kKiB);
}

class ThrottleTest : public SwarmTest {
 protected:
  // A seeding engine on `address` with a torrent of `bytes` in 64 KiB pieces.
  struct Seed {
    std::unique_ptr<Session> session;
    std::string torrent;
    std::string address;
  };
  Seed seed(const std::string& address, std::int64_t bytes, SessionSettings s = {}, std::uint64_t rng_seed = 1,
            const std::string& name = "p") {
    Seed out{start(address, s),
             make_torrent(root_ / "seed", name, {{"data.bin", static_cast<std::size_t>(bytes)}}, 65536, rng_seed),
             {}};
    auto id = out.session->add_torrent({.torrent_data = out.torrent, .save_path = (root_ / "seed").string()});
    EXPECT_TRUE(id);
    EXPECT_TRUE(wait_for([&] { auto st = status_of(*out.session, *id); return st && st->state == TorrentState::seeding; },
                         60s));
    out.address = address + ":" + std::to_string(out.session->listen_port());
    return out;
  }

  // A torrent's payload bytes so far, and when the engine counted them (the snapshot's time).
  struct Sample {
    std::int64_t bytes = 0;
    Clock::time_point at;
    TorrentState state = TorrentState::checking;
    std::int64_t download_limit = 0;
  };
  static std::optional<Sample> sample(Session& s, TorrentId id) {
    const auto snap = s.snapshot();
    for (const auto& t : snap->torrents) {
      if (t.id == id) return Sample{t.downloaded, snap->taken_at, t.state, t.download_limit};
    }
    return std::nullopt;
  }

  // Waits until the torrent is complete and returns the snapshot that first showed it so.
  static std::optional<Sample> wait_complete(Session& s, TorrentId id) {
    std::optional<Sample> now;
    if (!wait_for([&] { now = sample(s, id); return now && now->state == TorrentState::seeding; }, 120s)) {
      return std::nullopt;
    }
    return now;
  }

  // Adds the torrent and returns the first snapshot that showed it complete: its time is never
  // earlier than the download really ended.
  static std::optional<Sample> download(Session& s, const std::string& torrent, const fs::path& dir,
                                        const std::string& peer) {
    auto id = s.add_torrent({.torrent_data = torrent, .save_path = dir.string(), .peers = {peer}});
    if (!id) return std::nullopt;
    return wait_complete(s, *id);
  }
};

TEST_F(ThrottleTest, DownloadCapBoundsTheTransferAndNoCapDoesNot) {
  constexpr std::int64_t kCap = 512 * kKiB;
  constexpr std::int64_t kSize = 3 * kMiB / 2;  // 3 s at the cap
  auto s = seed("127.0.0.31", kSize);
  // Control: nothing capped, the same transfer beats what the cap would allow (normally by far).
  auto free_leech = start("127.0.0.32");
  const auto t_free = Clock::now();
  const auto uncapped = download(*free_leech, s.torrent, root_ / "free", s.address);
  ASSERT_TRUE(uncapped);
  const auto free_took = uncapped->at - t_free;
  EXPECT_GT(static_cast<double>(kSize), most_bytes(kCap, free_took)) << seconds(free_took) << " s uncapped";

  // Timed from before the capped session exists, so its bucket saves up nothing outside the window.
  const auto t0 = Clock::now();
  SessionSettings capped;
  capped.download_limit = kCap;
  auto leech = start("127.0.0.33", capped);
  const auto done = download(*leech, s.torrent, root_ / "capped", s.address);
  ASSERT_TRUE(done);
  EXPECT_LE(static_cast<double>(kSize), most_bytes(kCap, done->at - t0)) << "1.5 MiB in " << seconds(done->at - t0)
                                                                        << " s";
  EXPECT_EQ(read_all(root_ / "capped/p/data.bin"), read_all(root_ / "seed/p/data.bin"));
  EXPECT_EQ(leech->snapshot()->download_limit, kCap);
}

TEST_F(ThrottleTest, UploadCapAtTheSeedBoundsTheTransfer) {
  constexpr std::int64_t kCap = 512 * kKiB;
  constexpr std::int64_t kSize = 3 * kMiB / 2;
  SessionSettings capped;
  capped.upload_limit = kCap;
  auto s = seed("127.0.0.34", kSize, capped);
  auto leech = start("127.0.0.35");
  // The seed's bucket has been idle since it started: what it saved up is no more than its burst
  // plus one 64 KiB grant (the request that finds it clamps it), which most_bytes() allows.
  const auto t0 = Clock::now();
  const auto done = download(*leech, s.torrent, root_ / "l", s.address);
  ASSERT_TRUE(done);
  EXPECT_LE(static_cast<double>(kSize), most_bytes(kCap, done->at - t0)) << "1.5 MiB in " << seconds(done->at - t0)
                                                                        << " s";
  EXPECT_EQ(read_all(root_ / "l/p/data.bin"), read_all(root_ / "seed/p/data.bin"));
}

TEST_F(ThrottleTest, TorrentCapHoldsUntilLiftedThenTheRestIsQuick) {
  constexpr std::int64_t kCap = 256 * kKiB;
  constexpr std::int64_t kSize = 8 * kMiB;  // 32 s at the cap
  auto s = seed("127.0.0.36", kSize);
  auto leech = start("127.0.0.37");
  const auto t0 = Clock::now();
  auto id = leech->add_torrent({.torrent_data = s.torrent,
                                .save_path = (root_ / "l").string(),
                                .peers = {s.address},
                                .download_limit = kCap});
  ASSERT_TRUE(id);
  // About 2 s worth: never more than the cap allows in the time it took, never the 8 MiB on offer.
  std::optional<Sample> capped;
  ASSERT_TRUE(wait_for([&] { capped = sample(*leech, *id); return capped && capped->bytes >= 2 * kCap; }, 120s));
  EXPECT_EQ(capped->download_limit, kCap);
  EXPECT_LE(static_cast<double>(capped->bytes), most_bytes(kCap, capped->at - t0))
      << capped->bytes << " bytes in " << seconds(capped->at - t0) << " s";
  EXPECT_LT(capped->bytes, kSize);

  leech->set_torrent_rate_limits(*id, 0, 0);
  const auto done = wait_complete(*leech, *id);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->download_limit, 0);
  // Had the cap stayed, the whole torrent would have needed about 32 s; lifted, far less.
  EXPECT_GT(static_cast<double>(kSize), most_bytes(kCap, done->at - t0)) << seconds(done->at - t0) << " s in all";
  EXPECT_EQ(read_all(root_ / "l/p/data.bin"), read_all(root_ / "seed/p/data.bin"));
}

TEST_F(ThrottleTest, GlobalCapIsSharedByTwoTorrents) {
  constexpr std::int64_t kCap = 512 * kKiB;
  auto a = seed("127.0.0.38", kMiB, {}, 1, "a");
  auto b = seed("127.0.0.39", kMiB, {}, 2, "b");
  SessionSettings capped;
  capped.download_limit = kCap;
  const auto t0 = Clock::now();  // before the session and its capped bucket exist
  auto leech = start("127.0.0.40", capped);
  auto ia = leech->add_torrent({.torrent_data = a.torrent, .save_path = (root_ / "l").string(), .peers = {a.address}});
  auto ib = leech->add_torrent({.torrent_data = b.torrent, .save_path = (root_ / "l").string(), .peers = {b.address}});
  ASSERT_TRUE(ia && ib);
  std::optional<Clock::time_point> both_done;
  ASSERT_TRUE(wait_for([&] {
    const auto snap = leech->snapshot();
    const bool done = std::count_if(snap->torrents.begin(), snap->torrents.end(), [](const TorrentStatus& t) {
                        return t.state == TorrentState::seeding;
                      }) == 2;
    if (done) both_done = snap->taken_at;
    return done;
  }, 120s));
  // 2 MiB through one 512 KiB/s cap: at least 4 s, however it is split.
  EXPECT_LE(static_cast<double>(2 * kMiB), most_bytes(kCap, *both_done - t0, 2))
      << "2 MiB in " << seconds(*both_done - t0) << " s";
}

TEST_F(ThrottleTest, ALowUploadCapDoesNotStarveOurDownload) {
  constexpr std::int64_t kSize = 8 * kMiB;
  auto s = seed("127.0.0.41", kSize);
  SessionSettings capped;
  capped.upload_limit = 1024;
  auto leech = start("127.0.0.42", capped);
  const auto t0 = Clock::now();
  const auto done = download(*leech, s.torrent, root_ / "l", s.address);
  ASSERT_TRUE(done);
  const double took = seconds(done->at - t0);
  // Were our requests (17 bytes for each 16 KiB block) queued behind the 1 KiB/s cap, only what
  // the bucket's 2 KiB burst asks for would come at once, and the rest at 1024 / 17 blocks a
  // second: about 6.5 s for 8 MiB.
  constexpr double kBlock = 16 * kKiB;
  constexpr double kRequest = 17;
  const double starved_s = (static_cast<double>(kSize) - 2048 / kRequest * kBlock) / (1024 / kRequest * kBlock);
  EXPECT_LT(took, starved_s / 2) << "8 MiB in " << took << " s";
  EXPECT_EQ(read_all(root_ / "l/p/data.bin"), read_all(root_ / "seed/p/data.bin"));
}

TEST_F(ThrottleTest, ApplySettingsChangesTheCapsOfARunningSession) {
  constexpr std::int64_t kCap = 200 * kKiB;
  auto s = seed("127.0.0.50", 8 * kMiB);
  auto leech = start("127.0.0.51");
  auto id = leech->add_torrent({.torrent_data = s.torrent, .save_path = (root_ / "l").string(), .peers = {s.address}});
  ASSERT_TRUE(id);
  SessionSettings prefs;
  prefs.download_limit = kCap;
  prefs.upload_limit = 100 * kKiB;
  const auto applied = Clock::now();  // the cap is set after this: its bucket saves nothing before
  leech->apply_settings(prefs);
  ASSERT_TRUE(wait_for([&] { return leech->snapshot()->download_limit == kCap; }, 60s));
  EXPECT_EQ(leech->snapshot()->upload_limit, 100 * kKiB);
  // Counted from a snapshot that already shows the cap, timed from before it was set: the next
  // 2 s worth come no faster than the cap allows.
  const auto before = sample(*leech, *id);
  ASSERT_TRUE(before);
  std::optional<Sample> after;
  ASSERT_TRUE(wait_for([&] { after = sample(*leech, *id); return after && after->bytes >= before->bytes + 2 * kCap; },
                       120s));
  EXPECT_LE(static_cast<double>(after->bytes - before->bytes), most_bytes(kCap, after->at - applied))
      << after->bytes - before->bytes << " bytes in " << seconds(after->at - applied) << " s";
  EXPECT_LT(status_of(*leech, *id)->progress, 0.5);
}

// Connects as one more peer and sends a handshake for `info_hash_hex`: true when the engine
// answers with its own handshake, false when it closes the connection instead.
bool answers_a_new_peer(const std::string& address, std::uint16_t port, const std::string& info_hash_hex) {
  namespace asio = boost::asio;
  std::string handshake = std::string("\x13") + "BitTorrent protocol" + std::string(8, '\0');
  for (std::size_t i = 0; i + 1 < info_hash_hex.size(); i += 2) {
    handshake += static_cast<char>(std::stoi(info_hash_hex.substr(i, 2), nullptr, 16));
  }
  handshake += "-TT0001-knocking-now";  // 20-byte peer id
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  std::array<char, 68> reply{};
  std::optional<bool> answered;
  const auto on_reply = [&](const boost::system::error_code& ec, std::size_t) {
    answered = !ec && reply[0] == '\x13';
  };
  const auto on_sent = [&](const boost::system::error_code& ec, std::size_t) {
    if (ec) {
      answered = false;
      return;
    }
    asio::async_read(socket, asio::buffer(reply), on_reply);
  };
  socket.async_connect({asio::ip::make_address(address), port}, [&](const boost::system::error_code& ec) {
    if (ec) {
      answered = false;
      return;
    }
    asio::async_write(socket, asio::buffer(handshake), on_sent);
  });
  io.run_for(60s);  // a safety net: the engine answers or closes at once
  EXPECT_TRUE(answered) << "the engine neither answered nor closed";
  return answered.value_or(true);
}

TEST_F(ThrottleTest, HardConnectionLimitRefusesIncomingPeers) {
  SessionSettings limited;
  limited.max_peers_per_torrent = 2;
  limited.max_peers_per_torrent_hard = 2;
  auto s = seed("127.0.0.43", 8 * kMiB, limited);
  SessionSettings slow;
  slow.download_limit = 64 * kKiB;  // keep the leechers busy (and connected) for a while
  std::vector<std::unique_ptr<Session>> leeches;
  for (int i = 0; i < 4; ++i) {
    std::string address = "127.0.0.";
    address += std::to_string(44 + i);
    leeches.push_back(start(address, slow));
    ASSERT_TRUE(leeches.back()->add_torrent(
        {.torrent_data = s.torrent, .save_path = (root_ / ("l" + std::to_string(i))).string(), .peers = {s.address}}));
  }
  const auto leeches_connected = [&] {
    int connected = 0;
    for (auto& l : leeches) {
      const auto snap = l->snapshot();
      connected += snap->torrents.empty() ? 0 : snap->torrents[0].peers_connected;
    }
    return connected;
  };
  ASSERT_TRUE(wait_for([&] { return s.session->snapshot()->connections == 2 && leeches_connected() == 2; }, 60s))
      << s.session->snapshot()->connections << " connections at the seed, " << leeches_connected()
      << " at the leechers";
  // Full: one more peer is turned away, however long it was waited for.
  const auto info_hash = s.session->snapshot()->torrents.at(0).info_hash;
  EXPECT_FALSE(answers_a_new_peer("127.0.0.43", s.session->listen_port(), info_hash));
  EXPECT_EQ(s.session->snapshot()->connections, 2);
  EXPECT_EQ(leeches_connected(), 2);
}

}  // namespace
}  // namespace tessera
