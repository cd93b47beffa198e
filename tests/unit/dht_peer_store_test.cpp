#include <gtest/gtest.h>

#include <random>
#include <set>

#include "dht/peer_store.hpp"

namespace tessera::dht {
namespace {

using namespace std::chrono_literals;
namespace ip = boost::asio::ip;
using TimePoint = PeerStore::TimePoint;

NodeId hash_n(std::uint8_t n) {
  NodeId id;
  id.bytes[0] = n;
  id.bytes[19] = static_cast<std::uint8_t>(n * 7);
  return id;
}
TcpEndpoint peer_n(std::uint32_t n, std::uint16_t port = 6881) {
  return TcpEndpoint(ip::address_v4(0x0a000000u + n), port);
}

class DhtPeerStore : public ::testing::Test {
 protected:
  TimePoint t0 = TimePoint{} + 1000h;
  std::mt19937_64 rng{7};
};

TEST_F(DhtPeerStore, StoresAndReturnsAnnouncedPeers) {
  PeerStore store;
  store.announce(hash_n(1), peer_n(1), t0);
  store.announce(hash_n(1), peer_n(2, 7000), t0);
  store.announce(hash_n(1), peer_n(1), t0 + 1s);  // a renewal, not a second entry
  EXPECT_EQ(store.peer_count(hash_n(1)), 2u);
  const auto peers = store.peers(hash_n(1), t0 + 2s, rng);
  EXPECT_EQ(std::set<TcpEndpoint>(peers.begin(), peers.end()), (std::set{peer_n(1), peer_n(2, 7000)}));
  EXPECT_TRUE(store.peers(hash_n(2), t0, rng).empty());
}

TEST_F(DhtPeerStore, AnnouncementsExpireAfterThirtyMinutesUnlessRenewed) {
  PeerStore store;
  store.announce(hash_n(1), peer_n(1), t0);
  store.announce(hash_n(1), peer_n(2), t0);
  store.announce(hash_n(1), peer_n(2), t0 + 20min);
  EXPECT_EQ(store.peers(hash_n(1), t0 + 30min, rng), std::vector{peer_n(2)});  // filtered before the sweep
  store.expire(t0 + 30min);
  EXPECT_EQ(store.peer_count(hash_n(1)), 1u);
  store.expire(t0 + 50min);
  EXPECT_EQ(store.info_hash_count(), 0u);
}

TEST_F(DhtPeerStore, AFullSwarmDropsItsOldestAnnouncement) {
  PeerStore store;
  for (std::uint32_t i = 0; i < 100; ++i) store.announce(hash_n(1), peer_n(i), t0 + std::chrono::seconds(i));
  store.announce(hash_n(1), peer_n(1000), t0 + 200s);
  EXPECT_EQ(store.peer_count(hash_n(1)), 100u);
  std::set<TcpEndpoint> all;
  for (int round = 0; round < 50; ++round) {
    for (const auto& p : store.peers(hash_n(1), t0 + 201s, rng)) all.insert(p);
  }
  EXPECT_FALSE(all.contains(peer_n(0)));
  EXPECT_TRUE(all.contains(peer_n(1000)));
}

TEST_F(DhtPeerStore, ARepliesCarriesAtMostFiftyRandomPeers) {
  PeerStore store;
  for (std::uint32_t i = 0; i < 100; ++i) store.announce(hash_n(1), peer_n(i), t0);
  const auto a = store.peers(hash_n(1), t0, rng);
  const auto b = store.peers(hash_n(1), t0, rng);
  EXPECT_EQ(a.size(), 50u);
  EXPECT_EQ(std::set<TcpEndpoint>(a.begin(), a.end()).size(), 50u);
  EXPECT_NE(a, b);  // another draw gives another subset
}

TEST_F(DhtPeerStore, AtMostTwoThousandInfoHashesTheStalestGoesFirst) {
  PeerStore store;
  for (std::uint32_t i = 0; i < 2000; ++i) {
    NodeId h;
    h.bytes[0] = static_cast<std::uint8_t>(i >> 8);
    h.bytes[1] = static_cast<std::uint8_t>(i);
    store.announce(h, peer_n(1), t0 + std::chrono::milliseconds(i));
  }
  NodeId first;  // i = 0
  NodeId second;
  second.bytes[1] = 1;
  store.announce(first, peer_n(2), t0 + 10s);  // renewed: now the freshest
  NodeId newcomer;
  newcomer.bytes[5] = 0xff;
  store.announce(newcomer, peer_n(1), t0 + 11s);
  EXPECT_EQ(store.info_hash_count(), 2000u);
  EXPECT_EQ(store.peer_count(first), 2u);
  EXPECT_EQ(store.peer_count(second), 0u);
  EXPECT_EQ(store.peer_count(newcomer), 1u);
}

}  // namespace
}  // namespace tessera::dht
