#include "peers/pex_state.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace tessera {
namespace {

using boost::asio::ip::make_address;
using Endpoint = boost::asio::ip::tcp::endpoint;
using namespace std::chrono_literals;

const auto t0 = std::chrono::steady_clock::time_point{} + 1000h;

Endpoint ep(const char* address, std::uint16_t port) {
  return Endpoint(make_address(address), port);
}

// 10.1.x.y:6881 for i = 0, 1, ...: connectable peers we dialled.
std::vector<PexSwarmPeer> swarm(int count, int first = 0) {
  std::vector<PexSwarmPeer> out;
  for (int i = first; i < first + count; ++i) {
    out.push_back(
        {Endpoint(boost::asio::ip::address_v4(0x0a010000u + static_cast<unsigned>(i)), 6881), false, true});
  }
  return out;
}

const Endpoint kRemote = ep("192.0.2.1", 51413);

TEST(PexSend, FirstMessageCarriesConnectablePeersWithTheirFlags) {
  PexState pex(kRemote);
  std::vector<PexSwarmPeer> peers = {{ep("10.0.0.1", 6881), true, true},
                                     {ep("10.0.0.2", 40000), false, false},  // incoming, port unknown
                                     {ep("10.0.0.3", 6881), false, true}};
  const auto m = pex.message_due(peers, t0);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->added.size(), 2u);
  EXPECT_EQ(m->added[0],
            (wire::PexPeer{ep("10.0.0.1", 6881), wire::pex_flag::seed | wire::pex_flag::connectable}));
  EXPECT_EQ(m->added[1], (wire::PexPeer{ep("10.0.0.3", 6881), wire::pex_flag::connectable}));
  EXPECT_TRUE(m->dropped.empty());
  EXPECT_EQ(pex.advertised(), 2u);
}

TEST(PexSend, NothingToSayMeansNoMessage) {
  PexState pex(kRemote);
  EXPECT_FALSE(pex.message_due({}, t0));
  EXPECT_FALSE(pex.next_send_at());
  // Still free to send as soon as there is something.
  EXPECT_TRUE(pex.message_due(swarm(1), t0 + 1s));
}

TEST(PexSend, NeverTellsThePeerAboutItself) {
  PexState pex(kRemote);
  std::vector<PexSwarmPeer> peers = {{kRemote, false, true}, {ep("10.0.0.1", 6881), false, true}};
  auto m = pex.message_due(peers, t0);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->added.size(), 1u);
  EXPECT_EQ(m->added[0].endpoint, ep("10.0.0.1", 6881));

  // An incoming peer is listed by the torrent under its listen port.
  PexState incoming(ep("192.0.2.7", 50123));
  incoming.set_remote_listen_port(6881);
  EXPECT_FALSE(incoming.message_due(std::vector<PexSwarmPeer>{{ep("192.0.2.7", 6881), false, true}}, t0));
}

TEST(PexSend, AtMostOneMessagePerMinuteCarryingTheDifference) {
  PexState pex(kRemote);
  auto peers = swarm(3);
  ASSERT_TRUE(pex.message_due(peers, t0));
  EXPECT_EQ(*pex.next_send_at(), t0 + 60s);

  peers.erase(peers.begin());                      // 10.1.0.0 left
  peers.push_back(swarm(1, 7)[0]);                 // 10.1.0.7 came
  EXPECT_FALSE(pex.message_due(peers, t0 + 59s));  // too soon
  const auto m = pex.message_due(peers, t0 + 60s);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->added.size(), 1u);
  EXPECT_EQ(m->added[0].endpoint, swarm(1, 7)[0].endpoint);
  EXPECT_EQ(m->dropped, std::vector<Endpoint>{swarm(1)[0].endpoint});
  EXPECT_EQ(pex.advertised(), 3u);

  // Unchanged: nothing, and the next change may go out at once.
  EXPECT_FALSE(pex.message_due(peers, t0 + 200s));
  peers.pop_back();
  const auto later = pex.message_due(peers, t0 + 201s);
  ASSERT_TRUE(later);
  EXPECT_TRUE(later->added.empty());
  EXPECT_EQ(later->dropped.size(), 1u);
}

TEST(PexSend, CapsAddedAndDroppedAtFiftyAndSendsTheRestLater) {
  PexState pex(kRemote);
  const auto many = swarm(120);
  auto m = pex.message_due(many, t0);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->added.size(), 50u);
  EXPECT_EQ(m->added.front().endpoint, many[0].endpoint);  // the torrent's order
  m = pex.message_due(many, t0 + 60s);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->added.size(), 50u);
  EXPECT_EQ(m->added.front().endpoint, many[50].endpoint);
  m = pex.message_due(many, t0 + 120s);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->added.size(), 20u);
  EXPECT_EQ(pex.advertised(), 120u);

  // All of them leave, 30 others come: 50 drops, then the other 50 drops.
  const auto others = swarm(30, 500);
  m = pex.message_due(others, t0 + 180s);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->dropped.size(), 50u);
  EXPECT_EQ(m->added.size(), 30u);
  m = pex.message_due(others, t0 + 240s);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->dropped.size(), 50u);
  m = pex.message_due(others, t0 + 300s);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->dropped.size(), 20u);
  EXPECT_EQ(pex.advertised(), 30u);
  EXPECT_FALSE(pex.message_due(others, t0 + 360s));
}

TEST(PexSend, OnlyPeersItWasToldAboutAreDropped) {
  PexState pex(kRemote);
  const auto many = swarm(60);
  ASSERT_TRUE(pex.message_due(many, t0));  // told about the first 50
  const auto m = pex.message_due({}, t0 + 60s);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->dropped.size(), 50u);
  EXPECT_EQ(pex.advertised(), 0u);
}

TEST(PexSend, APeerListedTwiceIsNamedOnce) {
  PexState pex(kRemote);
  auto peers = swarm(1);
  peers.push_back(peers[0]);
  const auto m = pex.message_due(peers, t0);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->added.size(), 1u);
}

TEST(PexReceive, TakesTheAddedPeersOfAMessage) {
  PexState pex(kRemote);
  wire::PexMessage m;
  m.added = {{ep("10.0.0.1", 6881), wire::pex_flag::seed}, {ep("10.0.0.2", 6881), 0}};
  m.dropped = {ep("10.0.0.3", 6881)};
  const PexIntake in = pex.on_message(m, t0);
  EXPECT_FALSE(in.rationed);
  EXPECT_EQ(in.candidates, m.added);
  EXPECT_EQ(in.ignored, 0u);
}

TEST(PexReceive, RationsMessagesToOnePer45Seconds) {
  PexState pex(kRemote);
  wire::PexMessage m;
  m.added = {{ep("10.0.0.1", 6881), 0}};
  EXPECT_EQ(pex.on_message(m, t0).candidates.size(), 1u);
  for (auto t = t0 + 1s; t < t0 + 45s; t += 1s) {
    const PexIntake in = pex.on_message(m, t);
    EXPECT_TRUE(in.rationed);
    EXPECT_TRUE(in.candidates.empty());
    EXPECT_EQ(in.ignored, 1u);
  }
  // A peer sending faster gains nothing: the ration is counted from the last message taken.
  EXPECT_EQ(pex.on_message(m, t0 + 45s).candidates.size(), 1u);
  EXPECT_TRUE(pex.on_message(m, t0 + 89s).rationed);
  EXPECT_FALSE(pex.on_message(m, t0 + 90s).rationed);
}

TEST(PexReceive, TakesAtMostFiftyValidDistinctPeersPerMessage) {
  PexState pex(ep("10.0.0.9", 40000));
  pex.set_remote_listen_port(6881);
  wire::PexMessage m;
  m.added.push_back({ep("0.0.0.0", 6881), 0});    // invalid
  m.added.push_back({ep("10.0.0.5", 0), 0});      // port 0
  m.added.push_back({ep("224.0.0.1", 6881), 0});  // multicast
  m.added.push_back({ep("10.0.0.9", 6881), 0});   // the sender itself
  m.added.push_back({ep("10.0.0.1", 6881), 0});
  m.added.push_back({ep("10.0.0.1", 6881), 0});  // repeated
  for (const auto& p : swarm(100)) m.added.push_back({p.endpoint, 0});
  const PexIntake in = pex.on_message(m, t0);
  ASSERT_EQ(in.candidates.size(), 50u);
  EXPECT_EQ(in.candidates[0].endpoint, ep("10.0.0.1", 6881));
  EXPECT_EQ(in.candidates[1].endpoint, swarm(1)[0].endpoint);
  EXPECT_EQ(in.ignored, m.added.size() - 50);
}

TEST(PexReceive, ConfigurableBounds) {
  PexConfig config;
  config.receive_interval = 10s;
  config.max_taken_per_message = 3;
  PexState pex(kRemote, config);
  wire::PexMessage m;
  for (const auto& p : swarm(10)) m.added.push_back({p.endpoint, 0});
  EXPECT_EQ(pex.on_message(m, t0).candidates.size(), 3u);
  EXPECT_TRUE(pex.on_message(m, t0 + 9s).rationed);
  EXPECT_EQ(pex.on_message(m, t0 + 10s).candidates.size(), 3u);
}

}  // namespace
}  // namespace tessera
