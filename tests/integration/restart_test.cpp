// The state folder across restarts: a quit during the first check, damaged and foreign state
// files, and a torrent removed and added again at once.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "storage/resume_data.hpp"
#include "swarm_fixture.hpp"

namespace tessera {
namespace {

using namespace testing_support;

class RestartTest : public SwarmTest {
 protected:
  SessionSettings with_state() {
    SessionSettings s;
    s.state_dir = (root_ / "state").string();
    s.disk_threads = 1;
    return s;
  }
  static std::vector<SessionEvent> events_of(Session& s, SessionEvent::Kind kind) {
    std::vector<SessionEvent> out;
    for (auto& e : s.take_events()) {
      if (e.kind == kind) out.push_back(std::move(e));
    }
    return out;
  }
  static bool in_state(Session& s, TorrentId id, TorrentState want) {
    auto st = status_of(s, id);
    return st && st->state == want;
  }
  static bool has_event(const std::vector<SessionEvent>& events, SessionEvent::Kind kind) {
    return std::any_of(events.begin(), events.end(), [&](const SessionEvent& e) { return e.kind == kind; });
  }
};

// The first resume record must be one that the next start accepts: a clean quit while the
// first check runs used to lose the torrent.
TEST_F(RestartTest, AQuitDuringTheFirstCheckKeepsTheTorrentAndItIsCheckedAgain) {
  // A payload big enough that one disk thread is still hashing it when we quit.
  const std::string torrent = make_torrent(root_ / "data", "big", {{"a.bin", 96u << 20}}, 1 << 20, 3);
  {
    auto s = start("127.0.0.61", with_state());
    auto id = s->add_torrent({.torrent_data = torrent, .save_path = (root_ / "data").string()});
    ASSERT_TRUE(id) << id.error();
    s->shutdown();
    ASSERT_FALSE(has_event(s->take_events(), SessionEvent::Kind::checked))
        << "the check ended before the quit: this test proves nothing on so fast a machine";
  }
  // The exact record production wrote decodes, and claims nothing verified.
  const fs::path dir = root_ / "state" / "torrents";
  std::string resume_file;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".resume") resume_file = e.path().string();
  }
  ASSERT_FALSE(resume_file.empty());
  auto record = decode_resume(read_all(resume_file), 96, 1);
  ASSERT_TRUE(record) << record.error();
  EXPECT_EQ(record->save_path, (root_ / "data").string());
  EXPECT_EQ(record->verified, std::string(12, '\0'));
  EXPECT_EQ(encode_resume(*record), read_all(resume_file)) << "a round trip changes nothing";

  auto again = start("127.0.0.61", with_state());
  ASSERT_EQ(again->snapshot()->torrents.size(), 1u) << "the torrent came back";
  const TorrentId id = again->snapshot()->torrents[0].id;
  ASSERT_TRUE(wait_for([&] { return in_state(*again, id, TorrentState::seeding); }, 60s));
  EXPECT_EQ(status_of(*again, id)->pieces_have, 96u);
}

TEST_F(RestartTest, DamagedAndForeignStateFilesAreReportedOnceAndLeftAlone) {
  // One good torrent, one .torrent that is not a torrent, and one whose resume file belongs to
  // another torrent.
  const std::string good = make_torrent(root_ / "data", "good", {{"g.bin", 40000}}, 16384, 4);
  const std::string other = make_torrent(root_ / "data", "other", {{"o.bin", 40000}}, 16384, 5);
  std::string good_hash, other_hash;
  {
    auto s = start("127.0.0.62", with_state());
    ASSERT_TRUE(s->add_torrent({.torrent_data = good, .save_path = (root_ / "data").string()}));
    ASSERT_TRUE(s->add_torrent({.torrent_data = other, .save_path = (root_ / "data").string()}));
    ASSERT_TRUE(wait_for([&] {
      auto snap = s->snapshot();
      return snap->torrents.size() == 2 && snap->torrents[0].state == TorrentState::seeding &&
             snap->torrents[1].state == TorrentState::seeding;
    }, 20s));
    for (const auto& t : s->snapshot()->torrents) (t.name == "good" ? good_hash : other_hash) = t.info_hash;
    s->shutdown();
  }
  const fs::path dir = root_ / "state" / "torrents";
  std::ofstream(dir / "0000000000000000000000000000000000000000.torrent") << "not a torrent";
  // The other torrent's resume file now holds the good one's record (same number of pieces and
  // files: only the info-hash tells them apart).
  const fs::path victim = dir / (other_hash + ".resume");
  fs::copy_file(dir / (good_hash + ".resume"), victim, fs::copy_options::overwrite_existing);

  auto s = start("127.0.0.62", with_state());
  // Restored before create() returns: the snapshot holds the one intact torrent.
  ASSERT_EQ(s->snapshot()->torrents.size(), 1u);
  const auto damaged = events_of(*s, SessionEvent::Kind::state_damaged);
  ASSERT_EQ(damaged.size(), 2u);
  std::vector<std::string> names = {damaged[0].name, damaged[1].name};
  std::sort(names.begin(), names.end());
  EXPECT_NE(std::find_if(names.begin(), names.end(),
                         [](const std::string& n) { return n.ends_with("0000000000000000000000000000000000000000.torrent"); }),
            names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), victim.string()), names.end());
  for (const auto& e : damaged) EXPECT_FALSE(e.message.empty());
  const auto foreign = std::find_if(damaged.begin(), damaged.end(), [&](const SessionEvent& e) { return e.name == victim.string(); });
  EXPECT_NE(foreign->message.find("another torrent"), std::string::npos) << foreign->message;
  // Left where they were, and not reported again.
  EXPECT_TRUE(fs::exists(dir / "0000000000000000000000000000000000000000.torrent"));
  EXPECT_TRUE(fs::exists(victim));
  EXPECT_TRUE(events_of(*s, SessionEvent::Kind::state_damaged).empty());
}

// A tracker that takes connections and never answers: `stopped` announces hang until the timeout.
class SilentTracker {
 public:
  SilentTracker() : acceptor_(io_, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.63"), 0)) {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~SilentTracker() {
    io_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.63:" + std::to_string(acceptor_.local_endpoint().port()) + "/announce"; }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, boost::asio::ip::tcp::socket s) {
      if (ec) return;
      held_.push_back(std::move(s));
      accept();
    });
  }
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::vector<boost::asio::ip::tcp::socket> held_;
  std::thread thread_;
};

// Removing a torrent and adding it again at once: the old one's late clean-up must not delete
// the new one's state files.
TEST_F(RestartTest, RemovedAndAddedAgainAtOnceSurvivesARestart) {
  SilentTracker tracker;
  std::string torrent = make_torrent(root_ / "data", "t", {{"t.bin", 40000}}, 16384, 6);
  // Give it the silent tracker: "d8:announce...e" before the info dictionary.
  torrent = "d8:announce" + std::to_string(tracker.url().size()) + ":" + tracker.url() + torrent.substr(1);
  SessionSettings settings = with_state();
  settings.listen_address = "127.0.0.64";
  settings.enable_dht = false;
  settings.enable_lsd = false;
  settings.listen_port = 0;
  settings.tracker_timeout = 3s;
  settings.snapshot_interval = 100ms;
  {
    auto s = Session::create(settings);
    ASSERT_TRUE(s);
    auto& session = **s;
    auto first = session.add_torrent({.torrent_data = torrent, .save_path = (root_ / "data").string()});
    ASSERT_TRUE(first);
    ASSERT_TRUE(wait_for([&] { return in_state(session, *first, TorrentState::seeding); }, 20s));
    session.remove(*first, false);
    std::optional<TorrentId> second;
    ASSERT_TRUE(wait_for([&] {
      if (auto id = session.add_torrent({.torrent_data = torrent, .save_path = (root_ / "data").string()})) second = *id;
      return second.has_value();
    }, 10s));
    // The old torrent's `stopped` announce times out only now: its clean-up runs after the re-add.
    ASSERT_TRUE(wait_for([&] { return has_event(session.take_events(), SessionEvent::Kind::removed); }, 20s));
    ASSERT_TRUE(wait_for([&] { return in_state(session, *second, TorrentState::seeding); }, 20s));
    session.shutdown(std::chrono::milliseconds(100));
  }
  auto again = Session::create(settings);
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)->snapshot()->torrents.size(), 1u) << "the re-added torrent's state was deleted";
}

}  // namespace
}  // namespace tessera
