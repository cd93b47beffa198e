// DhtNode asking: bootstrap, lookups, announces, timeouts, hostile answers, against scripted nodes.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "dht_test_support.hpp"

namespace tessera::dht::testing {
namespace {

using DhtNodeLookups = DhtNodeFixture;

std::uint32_t number_of(const UdpEndpoint& e) {
  return e.address().to_v4().to_uint() - 0x0a000000u;
}

const UdpEndpoint kRouter(ip::make_address("192.0.2.9"), 6881);

TEST_F(DhtNodeLookups, BootstrapAsksTheRouterAndTheNodesItNames) {
  EXPECT_EQ(node.status(now).state, DhtState::off);
  make_ready({1, 2, 3});
  EXPECT_EQ(node.table().nodes().size(), 3u);  // the router is not among them
  EXPECT_EQ(node.status(now).nodes, 3u);
  EXPECT_EQ(node.nodes_to_save(now).size(), 3u);
  EXPECT_EQ(node.status(now).pending_queries, 0u);
}

TEST_F(DhtNodeLookups, BootstrapIsRetriedWhenNobodyAnswers) {
  node.bootstrap(std::vector{kRouter}, {}, now);
  auto sent = queries_in(node.take_datagrams());
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].to, kRouter);
  EXPECT_EQ(sent[0].query.method, Method::find_node);
  EXPECT_EQ(sent[0].query.target, own);
  EXPECT_EQ(node.status(now).state, DhtState::bootstrapping);
  node.tick(now + 5s);  // the query times out; the next try is due 10 s later
  EXPECT_TRUE(node.take_datagrams().empty());
  node.tick(now + 14s);
  EXPECT_TRUE(node.take_datagrams().empty());
  node.tick(now + 15s);
  EXPECT_EQ(queries_in(node.take_datagrams()).size(), 1u);
  node.tick(now + 20s);
  node.tick(now + 39s);  // then 20 s later
  EXPECT_TRUE(node.take_datagrams().empty());
  node.tick(now + 40s);
  EXPECT_EQ(queries_in(node.take_datagrams()).size(), 1u);
}

TEST_F(DhtNodeLookups, SavedNodesSeedTheBootstrap) {
  node.bootstrap({}, std::vector{remote(1), remote(2)}, now);
  const auto sent = pump([](const Sent& s) {
    return std::optional<Response>(Response{id_n(number_of(s.to)), {}, {}, {}, {}});
  });
  EXPECT_EQ(sent.size(), 2u);
  EXPECT_EQ(node.status(now).state, DhtState::ready);
  EXPECT_EQ(node.table().nodes().size(), 2u);
}

TEST_F(DhtNodeLookups, TorrentLookupsWaitUntilReady) {
  const auto id = node.get_peers(id_n(77), now);
  EXPECT_TRUE(node.take_datagrams().empty());
  EXPECT_EQ(node.status(now).queued_lookups, 1u);
  make_ready({1});
  // make_ready's pump answered the lookup too: node 1 had nothing.
  const auto events = node.take_events();
  ASSERT_EQ(events.size(), 1u);
  const auto& done = std::get<DhtNode::LookupDone>(events[0]);
  EXPECT_EQ(done.lookup, id);
  EXPECT_EQ(done.nodes_answered, 1u);
  EXPECT_EQ(done.peers_found, 0u);
}

TEST_F(DhtNodeLookups, GetPeersReportsEachPeerOnceAsItArrives) {
  make_ready({1, 2, 3, 4, 5, 6});
  const NodeId info_hash = id_n(77);
  const auto id = node.get_peers(info_hash, now);
  const TcpEndpoint a(ip::make_address("192.0.2.1"), 1000), b(ip::make_address("192.0.2.2"), 2000);
  std::size_t in_flight_at_start = queries_in(node.take_datagrams()).size();
  EXPECT_EQ(in_flight_at_start, 4u);  // LookupConfig::parallel
  // (The four sent are lost; tick re-drives after their timeout.)
  now += 5s;
  node.tick(now);
  const auto sent = pump([&](const Sent& s) -> std::optional<Response> {
    EXPECT_EQ(s.query.method, Method::get_peers);
    EXPECT_EQ(s.query.info_hash, info_hash);
    Response r{id_n(number_of(s.to)), {}, {}, {}, std::string("tk")};
    r.values = number_of(s.to) % 2 ? std::vector{a, b} : std::vector{b};
    return r;
  });
  EXPECT_EQ(sent.size(), 2u);  // the four closest (5, 4, 6, 1) failed; 3 and 2 are left
  std::vector<TcpEndpoint> reported;
  std::optional<DhtNode::LookupDone> done;
  for (const auto& e : node.take_events()) {
    if (const auto* f = std::get_if<DhtNode::PeersFound>(&e)) {
      EXPECT_EQ(f->lookup, id);
      reported.insert(reported.end(), f->peers.begin(), f->peers.end());
    } else {
      done = std::get<DhtNode::LookupDone>(e);
    }
  }
  EXPECT_EQ(std::set<TcpEndpoint>(reported.begin(), reported.end()), (std::set{a, b}));
  EXPECT_EQ(reported.size(), 2u);
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->peers_found, 2u);
  EXPECT_EQ(done->nodes_answered, 2u);
  // The four silent nodes count one failure each in the table.
  EXPECT_EQ(node.table().find(id_n(1))->failed_queries, 1);
  EXPECT_EQ(node.table().find(id_n(3))->failed_queries, 0);
}

TEST_F(DhtNodeLookups, PeersStoredHereAreFoundToo) {
  make_ready({1});
  const NodeId info_hash = id_n(77);
  const std::string token =
      std::get<Response>(
          decoded(
              feed(ep(2), query_bytes("gp", Query{Method::get_peers, id_n(2), {}, info_hash, 0, false, {}}))
                  .back()
                  .bytes)
              .body)
          .token.value();
  feed(ep(2), query_bytes("an", Query{Method::announce_peer, id_n(2), {}, info_hash, 4000, false, token}));
  const auto id = node.get_peers(info_hash, now);
  const auto events = node.take_events();
  ASSERT_FALSE(events.empty());
  const auto& found = std::get<DhtNode::PeersFound>(events[0]);
  EXPECT_EQ(found.lookup, id);
  EXPECT_EQ(found.peers, std::vector{TcpEndpoint(ep(2).address(), 4000)});
}

TEST_F(DhtNodeLookups, AnnounceGoesToTheClosestNodesThatGaveATokenNearestFirst) {
  std::vector<std::uint32_t> known;
  for (std::uint32_t n = 1; n <= 12; ++n) known.push_back(n);
  make_ready(known);
  const NodeId info_hash = id_n(0);  // node n is at distance n
  const auto id = node.announce(info_hash, 51413, false, now);
  std::vector<Sent> announces;
  pump([&](const Sent& s) -> std::optional<Response> {
    if (s.query.method == Method::announce_peer) {
      announces.push_back(s);
      return Response{id_n(number_of(s.to)), {}, {}, {}, {}};
    }
    Response r{id_n(number_of(s.to)), {}, {}, {}, {}};
    if (number_of(s.to) != 2) r.token = "tok" + std::to_string(number_of(s.to));  // 2 gives none
    for (std::uint32_t n = 1; n <= 12; ++n) r.nodes.push_back(remote(n));
    return r;
  });
  std::vector<std::uint32_t> to;
  for (const auto& s : announces) {
    to.push_back(number_of(s.to));
    EXPECT_EQ(s.query.info_hash, info_hash);
    EXPECT_EQ(s.query.port, 51413);
    EXPECT_FALSE(s.query.implied_port);
    EXPECT_EQ(s.query.token, "tok" + std::to_string(number_of(s.to)));
  }
  EXPECT_EQ(to, (std::vector<std::uint32_t>{1, 3, 4, 5, 6, 7, 8}));  // the 8 closest but 2
  const auto events = node.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<DhtNode::LookupDone>(events[0]).lookup, id);
  EXPECT_EQ(std::get<DhtNode::LookupDone>(events[0]).announced_to, 7u);
}

TEST_F(DhtNodeLookups, AnswersFromAnotherEndpointOrWithAnotherTransactionAreIgnored) {
  node.bootstrap({}, std::vector{remote(1)}, now);
  const auto sent = queries_in(node.take_datagrams());
  ASSERT_EQ(sent.size(), 1u);
  const std::string answer = response_bytes(sent[0].tid, Response{id_n(1), {}, {}, {}, {}});
  feed(ep(1, 9999), answer);
  feed(ep(2), answer);
  feed(ep(1), response_bytes(sent[0].tid == "zz" ? "yy" : "zz", Response{id_n(1), {}, {}, {}, {}}));
  EXPECT_TRUE(node.table().nodes().empty());
  EXPECT_EQ(node.status(now).bad_datagrams, 3u);
  feed(ep(1), answer);
  EXPECT_EQ(node.table().nodes().size(), 1u);
  feed(ep(1), answer);  // a duplicate is one answer too many
  EXPECT_EQ(node.status(now).bad_datagrams, 4u);
}

TEST_F(DhtNodeLookups, NodeListsAboveTheCodecsCapAreRefusedWhole) {
  make_ready({1});
  node.get_peers(id_n(0), now);
  const auto sent = queries_in(node.take_datagrams());
  ASSERT_EQ(sent.size(), 1u);
  std::string nodes;
  for (std::uint32_t n = 0; n < 65; ++n) nodes += encode_compact_node(remote(100 + n));
  feed(ep(1), "d1:rd2:id20:" + std::string(id_n(1).view()) + "5:nodes" + std::to_string(nodes.size()) + ":" +
                  nodes + "e1:t2:" + sent[0].tid + "1:y1:re");
  EXPECT_TRUE(node.take_datagrams().empty());
  EXPECT_EQ(node.table().nodes().size(), 1u);
  EXPECT_EQ(node.status(now).bad_datagrams, 1u);
}

TEST_F(DhtNodeLookups, AnEndlessDescentStopsAtTheQueryCap) {
  make_ready({1});
  // Every node names 64 new ones, each closer to the target than any before.
  std::uint32_t next = 100'000;
  const auto id = node.get_peers(id_n(0), now);
  std::size_t lookups_sent = 0;
  std::size_t most_in_flight = 0;
  pump([&](const Sent& s) -> std::optional<Response> {
    if (s.query.method == Method::get_peers) ++lookups_sent;
    most_in_flight = std::max(most_in_flight, node.status(now).pending_queries);
    Response r{id_n(number_of(s.to)), {}, {}, {}, {}};
    for (int i = 0; i < 64; ++i) r.nodes.push_back(remote(--next));
    return r;
  });
  EXPECT_EQ(lookups_sent, LookupConfig{}.max_queries);
  EXPECT_EQ(most_in_flight, LookupConfig{}.parallel);
  const auto events = node.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<DhtNode::LookupDone>(events[0]).lookup, id);
}

TEST_F(DhtNodeLookups, QuietBucketsAreRefreshed) {
  make_ready({1, 2});
  node.tick(now + 14min);
  EXPECT_TRUE(node.take_datagrams().empty());
  node.tick(now + 15min);
  const auto sent = queries_in(node.take_datagrams());
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent[0].query.method, Method::find_node);
}

TEST_F(DhtNodeLookups, AFullQueueDropsNewLookups) {
  for (int i = 0; i < 1024; ++i) node.get_peers(id_n(77), now);
  const auto id = node.get_peers(id_n(77), now);
  const auto events = node.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<DhtNode::LookupDone>(events[0]).lookup, id);
  EXPECT_TRUE(std::get<DhtNode::LookupDone>(events[0]).dropped);
}

}  // namespace
}  // namespace tessera::dht::testing
