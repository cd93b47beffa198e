// A DHT of 200 DhtNodes exchanging datagrams through an in-memory network on one fake clock:
// bootstrap through a router, lookups converging on the closest nodes, announce then get_peers
// from elsewhere, with and without lost datagrams.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>

#include "dht_test_support.hpp"

namespace tessera::dht::testing {
namespace {

class FakeNetwork {
 public:
  explicit FakeNetwork(std::uint64_t seed, double loss = 0) : rng_(seed), loss_(loss) {}

  TimePoint now = TimePoint{} + 1000h;

  DhtNode& add(const UdpEndpoint& endpoint, const NodeId& id) {
    auto node = std::make_unique<DhtNode>(id, now, rng_(), counting_secrets());
    DhtNode& ref = *node;
    nodes_.emplace(endpoint, std::move(node));
    return ref;
  }
  DhtNode& at(const UdpEndpoint& endpoint) { return *nodes_.at(endpoint); }

  // Delivers datagrams until nobody has anything more to send (answers within the same instant).
  void settle() {
    for (int round = 0; round < 1000; ++round) {
      std::vector<std::pair<UdpEndpoint, DhtNode::Datagram>> in_flight;
      for (auto& [endpoint, node] : nodes_) {
        for (auto& d : node->take_datagrams()) in_flight.emplace_back(endpoint, std::move(d));
      }
      if (in_flight.empty()) return;
      for (auto& [from, d] : in_flight) {
        ++sent;
        if (loss_ > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < loss_) continue;
        const auto to = nodes_.find(d.to);
        if (to != nodes_.end()) to->second->on_datagram(from, d.bytes, now);
      }
    }
    FAIL() << "the network never went quiet";
  }

  // Seconds of time pass, each with a tick of every node.
  void run(std::chrono::seconds duration) {
    for (auto s = 0s; s < duration; s += 1s) {
      now += 1s;
      for (auto& [endpoint, node] : nodes_) node->tick(now);
      settle();
    }
  }

  // Simulated seconds pass until `done()` (at most `limit` of them); false if it never held.
  template <class Pred>
  bool run_until(Pred done, std::chrono::seconds limit = 120s) {
    settle();
    for (auto s = 0s; s < limit && !done(); s += 1s) run(1s);
    return done();
  }

  std::uint64_t sent = 0;

 private:
  std::mt19937_64 rng_;
  double loss_;
  std::map<UdpEndpoint, std::unique_ptr<DhtNode>> nodes_;
};

class DhtNetwork : public ::testing::TestWithParam<double> {
 protected:
  static constexpr std::size_t kNodes = 200;
  const UdpEndpoint router{ip::make_address("10.255.0.1"), 6881};

  void build(FakeNetwork& net) {
    std::mt19937_64 rng(99);
    net.add(router, random_id_with_prefix(NodeId{}, 0, rng));
    for (std::uint32_t i = 0; i < kNodes; ++i) {
      const UdpEndpoint endpoint = ep(i + 1);
      endpoints.push_back(endpoint);
      ids[endpoint] = random_id_with_prefix(NodeId{}, 0, rng);
      net.add(endpoint, ids[endpoint]);
    }
    // Ten nodes join every second.
    for (std::size_t i = 0; i < kNodes; ++i) {
      net.at(endpoints[i]).bootstrap(std::vector{router}, {}, net.now);
      if (i % 10 == 9) net.run(1s);
    }
    net.run(90s);
  }

  // The k nodes truly closest to `target`, by brute force.
  std::set<UdpEndpoint> truly_closest(const NodeId& target, std::size_t k) const {
    std::vector<UdpEndpoint> sorted = endpoints;
    std::sort(sorted.begin(), sorted.end(), [&](const UdpEndpoint& a, const UdpEndpoint& b) {
      return closer_to(target, ids.at(a), ids.at(b));
    });
    return {sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(k)};
  }

  std::vector<UdpEndpoint> endpoints;
  std::map<UdpEndpoint, NodeId> ids;
};

TEST_P(DhtNetwork, NodesJoinAnnounceAndFindEachOther) {
  FakeNetwork net(7, GetParam());
  build(net);
  std::size_t ready = 0, table_total = 0;
  for (const auto& e : endpoints) {
    const auto status = net.at(e).status(net.now);
    ready += status.state == DhtState::ready;
    table_total += status.nodes;
  }
  EXPECT_EQ(ready, kNodes);
  EXPECT_GE(table_total / kNodes, 20u) << "an average table of " << table_total / kNodes << " nodes";
  // The router answered and introduced, but nobody keeps it in a table.
  for (const auto& e : endpoints) EXPECT_FALSE(net.at(e).table().find(net.at(router).id()).has_value());

  std::mt19937_64 rng(5);
  std::size_t found = 0, stored_at_closest = 0;
  constexpr int kSwarms = 10;
  for (int i = 0; i < kSwarms; ++i) {
    const NodeId info_hash = random_id_with_prefix(NodeId{}, 0, rng);
    const UdpEndpoint seed = endpoints[static_cast<std::size_t>(i) * 13 % kNodes];
    const UdpEndpoint leech = endpoints[(static_cast<std::size_t>(i) * 13 + 100) % kNodes];
    const std::uint16_t port = static_cast<std::uint16_t>(50000 + i);

    const auto announce = net.at(seed).announce(info_hash, port, false, net.now);
    std::optional<DhtNode::LookupDone> announced;
    ASSERT_TRUE(net.run_until([&] {
      for (const auto& e : net.at(seed).take_events()) {
        if (const auto* done = std::get_if<DhtNode::LookupDone>(&e); done && done->lookup == announce) {
          announced = *done;
        }
      }
      return announced.has_value();
    }));
    EXPECT_GE(announced->announced_to, 4u);
    net.settle();  // the announce_peer queries arrive
    for (const auto& e : truly_closest(info_hash, 8)) {
      stored_at_closest += net.at(e).peer_store().peer_count(info_hash);
    }

    const auto lookup = net.at(leech).get_peers(info_hash, net.now);
    std::set<TcpEndpoint> peers;
    bool done = false;
    ASSERT_TRUE(net.run_until([&] {
      for (const auto& e : net.at(leech).take_events()) {
        if (const auto* f = std::get_if<DhtNode::PeersFound>(&e)) {
          EXPECT_EQ(f->lookup, lookup);
          peers.insert(f->peers.begin(), f->peers.end());
        } else {
          done = std::get<DhtNode::LookupDone>(e).lookup == lookup;
        }
      }
      return done;
    }));
    found += peers == std::set{TcpEndpoint(seed.address(), port)};
  }
  EXPECT_EQ(found, static_cast<std::size_t>(kSwarms));
  // Lookups converge: most of the 8 truly closest nodes hold each announcement (with lost
  // datagrams, some announce_peer queries are lost too).
  EXPECT_GE(stored_at_closest, static_cast<std::size_t>(kSwarms) * (GetParam() == 0 ? 8 : 5))
      << stored_at_closest;
}

INSTANTIATE_TEST_SUITE_P(Loss, DhtNetwork, ::testing::Values(0.0, 0.1), [](const auto& param_info) {
  return param_info.param == 0 ? "Lossless" : "TenPercentLost";
});

}  // namespace
}  // namespace tessera::dht::testing
