// Trackers that fail in every way a real one can: each failure shows in the tracker's status,
// and the session schedules a retry instead of hammering the tracker. That no retry comes before
// its backoff is the announcer's to show, on a fake clock (tests/unit/tracker_announcer_test.cpp);
// here the requests are only bounded from above, which a slow machine cannot break.
#include <boost/asio/executor_work_guard.hpp>

#include "swarm_fixture.hpp"
#include "tracker_test_servers.hpp"

namespace tessera {
namespace {

using namespace testing_support;
namespace tt = tracker::testing;

TEST_F(SwarmTest, TrackerFaultsShowInStatusAndAreRetriedWithBackoff) {
  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  tt::HttpServer server(io, [](const std::string& head) -> std::string {
    if (head.starts_with("GET /garbage")) return tt::http_response(200, "this is not bencode");
    if (head.starts_with("GET /error")) return tt::http_response(503, "busy");
    if (head.starts_with("GET /refuse")) return tt::http_response(200, "d14:failure reason22:torrent not registerede");
    return {};  // /silent: never answers
  });
  std::thread server_thread([&] { io.run(); });
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());

  // One tracker per tier, so all are announced at once.
  std::string torrent = make_torrent(root_ / "data", "p", {{"a.bin", 40000}}, 16384, 3);
  auto doc = bencode::decode(torrent);
  bencode::Value root = bencode::to_value(doc->root());
  bencode::Value::List tiers;
  for (const std::string& url : {base + "/garbage", base + "/error", base + "/refuse", base + "/silent",
                                std::string("http://127.0.0.1:1/announce")}) {
    tiers.push_back(bencode::Value::list({bencode::Value(url)}));
  }
  root.set("announce-list", bencode::Value(std::move(tiers)));
  root.set("announce", base + "/garbage");
  torrent = bencode::encode(root);

  const auto began = std::chrono::steady_clock::now();
  SessionSettings s;
  s.enable_dht = false;
  s.enable_lsd = false;
  s.listen_address = "127.0.0.61";
  s.listen_port = 0;
  s.snapshot_interval = 100ms;
  s.tracker_timeout = 1500ms;
  auto session = Session::create(s);
  ASSERT_TRUE(session) << session.error();
  auto id = (*session)->add_torrent({.torrent_data = torrent, .save_path = (root_ / "data").string()});
  ASSERT_TRUE(id) << id.error();

  auto trackers = [&] {
    std::map<std::string, TrackerInfo> out;
    for (const auto& t : (*session)->snapshot()->torrents) {
      for (const auto& tr : t.trackers) out[tr.url] = tr;
    }
    return out;
  };
  ASSERT_TRUE(wait_for([&] {
    auto t = trackers();
    return t.size() == 5 && std::all_of(t.begin(), t.end(), [](const auto& kv) { return kv.second.state == "error"; });
  }, 120s)) << "not every tracker reached its error state";
  auto t = trackers();
  auto message = [&](const std::string& suffix) { return t[base + suffix].message; };
  EXPECT_NE(message("/garbage").find("invalid tracker response"), std::string::npos) << message("/garbage");
  EXPECT_NE(message("/error").find("HTTP 503"), std::string::npos) << message("/error");
  EXPECT_NE(message("/refuse").find("torrent not registered"), std::string::npos) << message("/refuse");
  EXPECT_NE(message("/silent").find("timed out"), std::string::npos) << message("/silent");
  EXPECT_NE(t["http://127.0.0.1:1/announce"].message.find("refused"), std::string::npos)
      << t["http://127.0.0.1:1/announce"].message;
  for (const auto& [url, info] : t) EXPECT_TRUE(info.next_announce_in_s) << url << ": no retry scheduled";
  (*session)->shutdown(std::chrono::milliseconds(0));
  io.stop();
  server_thread.join();
  // Backoff starts at 15 s, so in `elapsed` a tracker can have been asked at most once plus once
  // per 15 s (normally: exactly once). A retry loop would show many more.
  const auto elapsed = std::chrono::steady_clock::now() - began;
  const auto most = 1 + static_cast<int>(elapsed / 15s);
  std::map<std::string, int> per_path;
  for (const std::string& head : server.requests) per_path[head.substr(4, head.find('?') - 4)]++;
  for (const auto& [path, n] : per_path) EXPECT_LE(n, most) << path << " was asked " << n << " times";
  EXPECT_EQ(per_path.size(), 4u);
}

}  // namespace
}  // namespace tessera
