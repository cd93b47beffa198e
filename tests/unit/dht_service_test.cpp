// DhtService on real sockets: two services on 127.0.0.x find each other, announce and look up,
// and keep their id and nodes in the node file. Waits run the io_context until a condition holds.
#include "dht/dht_service.hpp"

#include <gtest/gtest.h>

#include <boost/asio/thread_pool.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "dht/saved_nodes.hpp"
#include "tessera/atomic_file.hpp"
#include "tracker_test_servers.hpp"

namespace tessera::dht {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using tracker::testing::run_until;

class DhtServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() /
          ("tessera-dht-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
           std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::create_directories(dir);
  }
  void TearDown() override {
    for (auto& s : services) s->shutdown();
    // The aborted receives and timers let go of the services here, while the file pool (whose
    // strand each service holds) still exists.
    io.restart();
    io.poll();
    services.clear();
    files.join();
    std::filesystem::remove_all(dir);
  }

  std::shared_ptr<DhtService> make(const char* address, std::filesystem::path node_file = {},
                                   std::vector<UdpEndpoint> routers = {}) {
    DhtServiceOptions options;
    options.bind = UdpEndpoint(asio::ip::make_address(address), 0);
    options.node_file = std::move(node_file);
    options.routers = std::move(routers);
    options.tick_interval = 20ms;
    options.seed = services.size() + 1;
    auto service = DhtService::create(io, files.get_executor(), options);
    EXPECT_TRUE(service.has_value()) << (service ? "" : service.error());
    services.push_back(*service);
    return *service;
  }

  static std::string read(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  // The pool outlives the io_context: a handler still queued there may hold the last service.
  asio::thread_pool files{1};
  asio::io_context io;
  std::filesystem::path dir;
  std::vector<std::shared_ptr<DhtService>> services;
};

TEST_F(DhtServiceTest, TwoNodesPingAnnounceAndFindEachOther) {
  auto a = make("127.0.0.2");
  // b knows a from a node file written as a previous run would have.
  const auto b_file = dir / "b.dht";
  ASSERT_TRUE(write_file_atomically(
      b_file, encode_saved_nodes(SavedNodes{std::nullopt, {{a->id(), a->local_endpoint()}}})));
  auto b = make("127.0.0.3", b_file);

  // b asks a, a pings the stranger back, and a joins through b once b is in its table.
  run_until(io, [&] { return a->status().state == DhtState::ready && b->status().state == DhtState::ready; });
  ASSERT_EQ(a->status().state, DhtState::ready);
  ASSERT_EQ(b->status().state, DhtState::ready);
  EXPECT_EQ(a->status().nodes, 1u);
  EXPECT_EQ(b->status().nodes, 1u);
  EXPECT_EQ(a->nodes_to_save(), (std::vector<CompactNode>{{b->id(), b->local_endpoint()}}));

  NodeId info_hash;
  info_hash.bytes.fill(0x42);
  std::optional<DhtNode::LookupDone> announced;
  b->announce(info_hash, 7777, {}, [&](const DhtNode::LookupDone& done) { announced = done; });
  run_until(io, [&] { return announced.has_value() && a->status().stored_peers == 1; });
  ASSERT_TRUE(announced.has_value());
  EXPECT_EQ(announced->announced_to, 1u);
  ASSERT_EQ(a->status().stored_peers, 1u);

  std::set<TcpEndpoint> peers;
  std::optional<DhtNode::LookupDone> looked_up;
  a->get_peers(
      info_hash, [&](const std::vector<TcpEndpoint>& found) { peers.insert(found.begin(), found.end()); },
      [&](const DhtNode::LookupDone& done) { looked_up = done; });
  EXPECT_TRUE(peers.empty());  // handlers are posted, never called from inside the service
  run_until(io, [&] { return looked_up.has_value(); });
  ASSERT_TRUE(looked_up.has_value());
  EXPECT_EQ(peers, (std::set{TcpEndpoint(b->local_endpoint().address(), 7777)}));

  // Port 0: implied_port, the announcer's UDP port is taken.
  NodeId second;
  second.bytes.fill(0x43);
  std::optional<DhtNode::LookupDone> implied;
  b->announce(second, 0, {}, [&](const DhtNode::LookupDone& done) { implied = done; });
  run_until(io, [&] { return implied.has_value() && a->status().stored_peers == 2; });
  std::set<TcpEndpoint> second_peers;
  bool second_done = false;
  a->get_peers(
      second, [&](const std::vector<TcpEndpoint>& found) { second_peers.insert(found.begin(), found.end()); },
      [&](const DhtNode::LookupDone&) { second_done = true; });
  run_until(io, [&] { return second_done; });
  EXPECT_EQ(second_peers, (std::set{TcpEndpoint(b->local_endpoint().address(), b->local_endpoint().port())}));
}

TEST_F(DhtServiceTest, TheNodeFileKeepsTheIdAndTheGoodNodes) {
  auto a = make("127.0.0.4");
  const auto b_file = dir / "b.dht";
  ASSERT_TRUE(write_file_atomically(
      b_file, encode_saved_nodes(SavedNodes{std::nullopt, {{a->id(), a->local_endpoint()}}})));
  auto b = make("127.0.0.5", b_file);
  run_until(io, [&] { return b->status().state == DhtState::ready; });
  ASSERT_EQ(b->status().state, DhtState::ready);
  const NodeId b_id = b->id();
  b->shutdown();
  b->shutdown();  // idempotent
  files.join();   // the save has been written
  const auto saved = decode_saved_nodes(read(b_file));
  ASSERT_TRUE(saved.has_value()) << saved.error();
  EXPECT_EQ(saved->id, b_id);
  EXPECT_EQ(saved->nodes, (std::vector<CompactNode>{{a->id(), a->local_endpoint()}}));
  EXPECT_FALSE(std::filesystem::exists(b_file.string() + ".tmp"));

  // The next start keeps the id (a file that cannot be read would give a new one).
  auto again = make("127.0.0.5", b_file);
  EXPECT_EQ(again->id(), b_id);
  std::ofstream(dir / "bad.dht") << "not bencode";
  auto fresh = make("127.0.0.6", dir / "bad.dht");
  EXPECT_NE(fresh->id(), b_id);
}

TEST_F(DhtServiceTest, RefusesIpv6AndTakenPorts) {
  auto a = make("127.0.0.7");
  DhtServiceOptions options;
  options.bind = a->local_endpoint();
  const auto taken = DhtService::create(io, files.get_executor(), options);
  ASSERT_FALSE(taken.has_value());
  EXPECT_NE(taken.error().find("cannot bind the DHT socket to 127.0.0.7:"), std::string::npos)
      << taken.error();
  options.bind = UdpEndpoint(asio::ip::make_address("::1"), 0);
  EXPECT_FALSE(DhtService::create(io, files.get_executor(), options).has_value());
}

}  // namespace
}  // namespace tessera::dht
