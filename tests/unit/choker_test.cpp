#include "choker/choker.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

namespace tessera {
namespace {

using namespace std::chrono_literals;
using Clock = Choker::Clock;

constexpr std::uint64_t kSeed = 42;
// The fake clock: a time point the tests advance by hand, far enough from the epoch that
// "connected an hour ago" is still a valid time point.
const Clock::time_point kStart = Clock::time_point{} + 100'000s;

// An interested peer, connected long ago (not a newcomer), that we do not want data from (so it
// cannot be snubbed) unless a test says otherwise.
ChokerPeer peer(PeerKey key, std::int64_t down_rate, std::int64_t up_rate = 0) {
  ChokerPeer p;
  p.key = key;
  p.interested = true;
  p.down_rate = down_rate;
  p.up_rate = up_rate;
  p.connected_at = kStart - 1h;
  p.last_block_at = kStart;
  return p;
}

const ChokeDecision& decision(const std::vector<ChokeDecision>& ds, PeerKey key) {
  const auto it = std::find_if(ds.begin(), ds.end(), [&](const ChokeDecision& d) { return d.key == key; });
  if (it != ds.end()) return *it;
  ADD_FAILURE() << "no decision for peer " << key;
  static const ChokeDecision missing{};
  return missing;
}

// Keys that got the rate_rank reason, in rank order.
std::vector<PeerKey> ranked(const std::vector<ChokeDecision>& ds) {
  std::vector<ChokeDecision> r;
  for (const ChokeDecision& d : ds) {
    if (d.reason == ChokeReason::rate_rank) r.push_back(d);
  }
  std::sort(r.begin(), r.end(),
            [](const ChokeDecision& a, const ChokeDecision& b) { return a.rank < b.rank; });
  std::vector<PeerKey> keys;
  for (const ChokeDecision& d : r) keys.push_back(d.key);
  return keys;
}

std::set<PeerKey> with_reason(const std::vector<ChokeDecision>& ds, ChokeReason reason) {
  std::set<PeerKey> keys;
  for (const ChokeDecision& d : ds) {
    if (d.reason == reason) keys.insert(d.key);
  }
  return keys;
}

// What the torrent does with the decisions: our choke state follows them.
void follow(std::vector<ChokerPeer>& peers, const std::vector<ChokeDecision>& ds) {
  ASSERT_EQ(peers.size(), ds.size());
  for (std::size_t i = 0; i < peers.size(); ++i) {
    ASSERT_EQ(peers[i].key, ds[i].key);
    peers[i].am_choking = !ds[i].unchoke;
  }
}

// Ten interested peers (keys 1..10) with distinct rates, in different orders for download and
// upload, plus two uninterested ones (11, 12) faster than all of them.
std::vector<ChokerPeer> swarm() {
  const std::int64_t down[] = {300, 900, 100, 700, 500, 1000, 200, 800, 400, 600};
  const std::int64_t up[] = {800, 100, 1000, 200, 300, 400, 900, 500, 700, 600};
  std::vector<ChokerPeer> peers;
  for (PeerKey k = 1; k <= 10; ++k) peers.push_back(peer(k, down[k - 1], up[k - 1]));
  for (PeerKey k = 11; k <= 12; ++k) {
    ChokerPeer p = peer(k, 5000, 5000);
    p.interested = false;
    peers.push_back(p);
  }
  return peers;
}

TEST(Choker, LeechingUnchokesTheFourFastestUploadersToUs) {
  Choker choker({}, kSeed);
  const std::vector<ChokerPeer> peers = swarm();
  const std::vector<ChokeDecision> ds = choker.rechoke(peers, false, kStart);

  ASSERT_EQ(ds.size(), peers.size());
  for (std::size_t i = 0; i < ds.size(); ++i) EXPECT_EQ(ds[i].key, peers[i].key);  // same order
  EXPECT_EQ(ranked(ds), (std::vector<PeerKey>{6, 2, 8, 4}));
  for (const PeerKey k : std::vector<PeerKey>{6, 2, 8, 4}) EXPECT_TRUE(decision(ds, k).unchoke);

  for (const PeerKey k : std::vector<PeerKey>{11, 12}) {
    const ChokeDecision& d = decision(ds, k);
    EXPECT_FALSE(d.unchoke);
    EXPECT_EQ(d.reason, ChokeReason::not_interested);
    EXPECT_EQ(d.rank, 0);
  }

  // Exactly one optimistic, among the rest; the others wait with their rank.
  const std::set<PeerKey> optimistic = with_reason(ds, ChokeReason::optimistic);
  ASSERT_EQ(optimistic.size(), 1u);
  const PeerKey opt = *optimistic.begin();
  EXPECT_EQ(choker.optimistic(), opt);
  EXPECT_TRUE(decision(ds, opt).unchoke);
  EXPECT_EQ(decision(ds, opt).rank, 0);
  const std::map<PeerKey, int> rest_ranks{{10, 5}, {5, 6}, {9, 7}, {1, 8}, {7, 9}, {3, 10}};
  ASSERT_TRUE(rest_ranks.contains(opt)) << opt;
  for (const auto& [key, rank] : rest_ranks) {
    if (key == opt) continue;
    const ChokeDecision& d = decision(ds, key);
    EXPECT_FALSE(d.unchoke) << key;
    EXPECT_EQ(d.reason, ChokeReason::waiting) << key;
    EXPECT_EQ(d.rank, rank) << key;
  }
  EXPECT_EQ(std::count_if(ds.begin(), ds.end(), [](const ChokeDecision& d) { return d.unchoke; }), 5);
}

TEST(Choker, SeedingRanksByUploadRate) {
  const std::vector<ChokerPeer> peers = swarm();
  Choker seeder({}, kSeed);
  EXPECT_EQ(ranked(seeder.rechoke(peers, true, kStart)), (std::vector<PeerKey>{3, 7, 1, 9}));
  Choker leecher({}, kSeed);
  EXPECT_EQ(ranked(leecher.rechoke(peers, false, kStart)), (std::vector<PeerKey>{6, 2, 8, 4}));
}

TEST(Choker, SlotCountComesFromTheConfig) {
  ChokerConfig config;
  config.regular_slots = 2;
  Choker choker(config, kSeed);
  EXPECT_EQ(choker.slots(0), 2);
  EXPECT_EQ(ranked(choker.rechoke(swarm(), false, kStart)), (std::vector<PeerKey>{6, 2}));
}

TEST(Choker, DueEveryRechokeInterval) {
  Choker choker({}, kSeed);
  EXPECT_TRUE(choker.due(kStart));  // no round yet
  choker.rechoke(swarm(), false, kStart);
  EXPECT_FALSE(choker.due(kStart));
  EXPECT_FALSE(choker.due(kStart + 9s));
  EXPECT_TRUE(choker.due(kStart + 10s));
  ChokerConfig config;
  config.rechoke_interval = 5s;
  choker.set_config(config);
  EXPECT_EQ(choker.config().rechoke_interval, 5s);
  EXPECT_TRUE(choker.due(kStart + 5s));
}

TEST(ChokerOptimistic, KeptForThirtySecondsThenRotated) {
  Choker choker({}, kSeed);
  std::vector<ChokerPeer> peers = swarm();
  const std::set<PeerKey> eligible{10, 5, 9, 1, 7, 3};
  Clock::time_point t = kStart;

  auto round = [&]() {
    const std::vector<ChokeDecision> ds = choker.rechoke(peers, false, t);
    follow(peers, ds);
    const std::set<PeerKey> opt = with_reason(ds, ChokeReason::optimistic);
    EXPECT_EQ(opt.size(), 1u);
    EXPECT_EQ(ranked(ds), (std::vector<PeerKey>{6, 2, 8, 4}));
    return opt.empty() ? PeerKey{0} : *opt.begin();
  };

  PeerKey previous = 0;
  for (int rotation = 0; rotation < 5; ++rotation) {
    const PeerKey first = round();  // t = 0, 30, 60, ... s
    EXPECT_TRUE(eligible.contains(first)) << first;
    EXPECT_NE(first, previous) << "rotation " << rotation;
    for (const auto step : {10s, 10s, 9s}) {  // 10, 20 and 29 s after the pick: kept
      t += step;
      EXPECT_EQ(round(), first) << "rotation " << rotation;
    }
    t += 1s;  // 30 s after the pick: the next loop's round rotates
    previous = first;
  }
}

TEST(ChokerOptimistic, RotationAtTheFirstRoundAtOrAfterThirtySeconds) {
  Choker choker({}, kSeed);
  const std::vector<ChokerPeer> peers = swarm();
  choker.rechoke(peers, false, kStart);
  const PeerKey first = *choker.optimistic();
  choker.rechoke(peers, false, kStart + 25s);
  EXPECT_EQ(choker.optimistic(), first);
  choker.rechoke(peers, false, kStart + 35s);  // a late round still rotates
  ASSERT_TRUE(choker.optimistic());
  EXPECT_NE(*choker.optimistic(), first);
}

// Four fast peers take the regular slots; 5 and 6 compete for the optimistic one.
std::vector<ChokerPeer> two_candidates() {
  return {peer(1, 400), peer(2, 300), peer(3, 200), peer(4, 100), peer(5, 10), peer(6, 20)};
}

PeerKey other_candidate(PeerKey k) {
  return k == 5 ? 6 : 5;
}

TEST(ChokerOptimistic, RepickedAtOnceWhenItLosesInterest) {
  Choker choker({}, kSeed);
  std::vector<ChokerPeer> peers = two_candidates();
  follow(peers, choker.rechoke(peers, false, kStart));
  ASSERT_TRUE(choker.optimistic());
  const PeerKey opt = *choker.optimistic();
  peers[opt - 1].interested = false;
  const std::vector<ChokeDecision> ds = choker.rechoke(peers, false, kStart + 10s);
  EXPECT_EQ(choker.optimistic(), other_candidate(opt));
  EXPECT_EQ(decision(ds, other_candidate(opt)).reason, ChokeReason::optimistic);
  EXPECT_EQ(decision(ds, opt).reason, ChokeReason::not_interested);
  EXPECT_FALSE(decision(ds, opt).unchoke);
}

TEST(ChokerOptimistic, RepickedAtOnceWhenItLeft) {
  Choker choker({}, kSeed);
  std::vector<ChokerPeer> peers = two_candidates();
  choker.rechoke(peers, false, kStart);
  const PeerKey opt = *choker.optimistic();
  std::erase_if(peers, [&](const ChokerPeer& p) { return p.key == opt; });  // gone, forget() not called
  const std::vector<ChokeDecision> ds = choker.rechoke(peers, false, kStart + 10s);
  EXPECT_EQ(choker.optimistic(), other_candidate(opt));
  EXPECT_EQ(decision(ds, other_candidate(opt)).reason, ChokeReason::optimistic);
}

TEST(ChokerOptimistic, RepickedAtOnceWhenItEarnsARegularSlot) {
  Choker choker({}, kSeed);
  std::vector<ChokerPeer> peers = two_candidates();
  follow(peers, choker.rechoke(peers, false, kStart));
  const PeerKey opt = *choker.optimistic();
  peers[opt - 1].down_rate = 1000;  // it reciprocated
  std::vector<ChokeDecision> ds = choker.rechoke(peers, false, kStart + 10s);
  follow(peers, ds);
  EXPECT_EQ(ranked(ds), (std::vector<PeerKey>{opt, 1, 2, 3}));
  ASSERT_TRUE(choker.optimistic());
  const PeerKey next = *choker.optimistic();
  EXPECT_TRUE(next == 4 || next == other_candidate(opt)) << next;
  EXPECT_EQ(decision(ds, next).reason, ChokeReason::optimistic);
  // The new pick starts its own 30 s: still kept 30 s after the first pick.
  ds = choker.rechoke(peers, false, kStart + 30s);
  EXPECT_EQ(choker.optimistic(), next);
  ds = choker.rechoke(peers, false, kStart + 40s);
  EXPECT_NE(choker.optimistic(), next);
}

TEST(ChokerOptimistic, NoneWithoutCandidatesThenPickedAtOnce) {
  Choker choker({}, kSeed);
  std::vector<ChokerPeer> peers = two_candidates();
  peers[4].interested = false;
  peers[5].interested = false;
  std::vector<ChokeDecision> ds = choker.rechoke(peers, false, kStart);
  EXPECT_FALSE(choker.optimistic());
  EXPECT_TRUE(with_reason(ds, ChokeReason::optimistic).empty());
  peers[5].interested = true;
  ds = choker.rechoke(peers, false, kStart + 10s);
  EXPECT_EQ(choker.optimistic(), PeerKey{6});
  EXPECT_TRUE(decision(ds, 6).unchoke);
}

TEST(ChokerOptimistic, RotationKeepsTheSameOnlyWhenItIsTheOnlyCandidate) {
  Choker choker({}, kSeed);
  std::vector<ChokerPeer> peers = two_candidates();
  peers.pop_back();  // only peer 5 is left for the optimistic slot
  choker.rechoke(peers, false, kStart);
  EXPECT_EQ(choker.optimistic(), PeerKey{5});
  choker.rechoke(peers, false, kStart + 30s);
  EXPECT_EQ(choker.optimistic(), PeerKey{5});
}

TEST(ChokerOptimistic, ForgetFreesTheOptimistic) {
  Choker choker({}, kSeed);
  std::vector<ChokerPeer> peers = two_candidates();
  choker.rechoke(peers, false, kStart);
  const PeerKey opt = *choker.optimistic();
  choker.forget(1);  // someone else leaving changes nothing
  EXPECT_EQ(choker.optimistic(), opt);
  choker.forget(opt);
  EXPECT_FALSE(choker.optimistic());
  std::erase_if(peers, [&](const ChokerPeer& p) { return p.key == opt; });
  choker.rechoke(peers, false, kStart + 10s);
  EXPECT_EQ(choker.optimistic(), other_candidate(opt));
}

// Four fast peers (1..4) hold the regular slots; 2 newcomers (101, 102) and 6 old peers
// (201..206) are the optimistic candidates. Ages are relative to `now`.
std::vector<ChokerPeer> newcomer_swarm(Clock::time_point now) {
  std::vector<ChokerPeer> peers;
  for (PeerKey k = 1; k <= 4; ++k) peers.push_back(peer(k, 1000 * k));
  for (PeerKey k = 101; k <= 102; ++k) {
    peers.push_back(peer(k, 0));
    peers.back().connected_at = now - 59s;  // the newest that still counts as a newcomer
  }
  for (PeerKey k = 201; k <= 206; ++k) {
    peers.push_back(peer(k, 0));
    peers.back().connected_at = now - 60s;  // just out of the newcomer window
  }
  return peers;
}

// Picks per newcomer divided by picks per old peer.
double per_peer_ratio(const std::map<PeerKey, int>& picks) {
  int newcomers = 0, old = 0;
  for (const auto& [key, n] : picks) (key < 200 ? newcomers : old) += n;
  return (static_cast<double>(newcomers) / 2.0) / (static_cast<double>(old) / 6.0);
}

TEST(ChokerOptimistic, NewcomersAreThreeTimesAsLikelyToBePicked) {
  Choker choker({}, kSeed);
  std::map<PeerKey, int> picks;
  Clock::time_point t = kStart;
  for (int i = 0; i < 3000; ++i) {
    choker.rechoke(newcomer_swarm(t), false, t);
    ASSERT_TRUE(choker.optimistic());
    ++picks[*choker.optimistic()];
    choker.forget(*choker.optimistic());  // a fresh pick among all eight next round
    t += 10s;
  }
  EXPECT_EQ(picks.size(), 8u);
  EXPECT_FALSE(picks.contains(1));
  const double ratio = per_peer_ratio(picks);
  EXPECT_GT(ratio, 2.4);
  EXPECT_LT(ratio, 3.6);
}

TEST(ChokerOptimistic, RotationsFavourNewcomersAndNeverRepickTheCurrent) {
  Choker choker({}, kSeed);
  std::map<PeerKey, int> picks;
  Clock::time_point t = kStart;
  PeerKey previous = 0;
  for (int i = 0; i < 3000; ++i) {
    choker.rechoke(newcomer_swarm(t), false, t);
    ASSERT_TRUE(choker.optimistic());
    const PeerKey opt = *choker.optimistic();
    ASSERT_NE(opt, previous) << "rotation " << i;
    ++picks[opt];
    previous = opt;
    t += 30s;
  }
  // Excluding the current pick damps the preference: a newcomer is out of the draw right after
  // it held the slot, which costs it more than an old peer. The stationary share of a peer with
  // weight w out of a total W is proportional to w * (W - w): 3 * 9 vs 1 * 11, a ratio of 27/11.
  const double ratio = per_peer_ratio(picks);
  EXPECT_GT(ratio, 2.1);
  EXPECT_LT(ratio, 2.8);
}

TEST(ChokerSnub, IsSnubbedAfterSixtySecondsWithoutABlock) {
  const ChokerConfig config;
  ChokerPeer p = peer(1, 1000);
  p.am_interested = true;
  p.peer_choking = false;
  p.last_block_at = kStart;
  EXPECT_FALSE(Choker::is_snubbed(p, kStart + 59s, config));
  EXPECT_TRUE(Choker::is_snubbed(p, kStart + 60s, config));
  p.peer_choking = true;  // it chokes us: it is not expected to send
  EXPECT_FALSE(Choker::is_snubbed(p, kStart + 600s, config));
  p.peer_choking = false;
  p.am_interested = false;  // we want nothing from it
  EXPECT_FALSE(Choker::is_snubbed(p, kStart + 600s, config));
}

TEST(ChokerSnub, SnubbedPeerLosesItsRegularSlotDespiteTheBestRate) {
  Choker choker({}, kSeed);
  // 1 is the fastest; 5 is the only optimistic candidate at first; 6 is not interested yet.
  std::vector<ChokerPeer> peers{peer(1, 900), peer(2, 400), peer(3, 300),
                                peer(4, 200), peer(5, 1),   peer(6, 5)};
  peers[0].am_interested = true;
  peers[0].peer_choking = false;
  peers[0].last_block_at = kStart;
  peers[5].interested = false;
  std::vector<ChokeDecision> ds = choker.rechoke(peers, false, kStart);
  follow(peers, ds);
  EXPECT_EQ(ranked(ds), (std::vector<PeerKey>{1, 2, 3, 4}));
  EXPECT_EQ(choker.optimistic(), PeerKey{5});

  // 59 s without a block: still fine.
  ds = choker.rechoke(peers, false, kStart + 59s);
  follow(peers, ds);
  EXPECT_EQ(ranked(ds), (std::vector<PeerKey>{1, 2, 3, 4}));

  // 60 s: snubbed. 6 (now interested) takes the freed slot; 5 keeps the optimistic one.
  peers[5].interested = true;
  ds = choker.rechoke(peers, false, kStart + 60s);
  EXPECT_EQ(ranked(ds), (std::vector<PeerKey>{2, 3, 4, 6}));
  EXPECT_EQ(choker.optimistic(), PeerKey{5});
  const ChokeDecision& d = decision(ds, 1);
  EXPECT_FALSE(d.unchoke);
  EXPECT_EQ(d.reason, ChokeReason::snubbed);
  EXPECT_EQ(d.rank, 0);
}

TEST(ChokerSnub, SnubbedPeerCanStillBeTheOptimistic) {
  Choker choker({}, kSeed);
  std::vector<ChokerPeer> peers{peer(1, 900), peer(2, 400), peer(3, 300), peer(4, 200), peer(5, 100)};
  peers[0].am_interested = true;
  peers[0].peer_choking = false;
  peers[0].last_block_at = kStart - 60s;
  const std::vector<ChokeDecision> ds = choker.rechoke(peers, false, kStart);
  EXPECT_EQ(ranked(ds), (std::vector<PeerKey>{2, 3, 4, 5}));
  EXPECT_EQ(choker.optimistic(), PeerKey{1});  // the only candidate
  EXPECT_TRUE(decision(ds, 1).unchoke);
  EXPECT_EQ(decision(ds, 1).reason, ChokeReason::optimistic);
}

TEST(ChokerSnub, DoesNotApplyWhileSeeding) {
  Choker choker({}, kSeed);
  std::vector<ChokerPeer> peers{peer(1, 0, 900), peer(2, 0, 400), peer(3, 0, 300), peer(4, 0, 200),
                                peer(5, 0, 100)};
  peers[0].am_interested = true;  // stale flags: we are seeding, so we want nothing
  peers[0].peer_choking = false;
  peers[0].last_block_at = kStart - 600s;
  const std::vector<ChokeDecision> ds = choker.rechoke(peers, true, kStart);
  EXPECT_EQ(ranked(ds), (std::vector<PeerKey>{1, 2, 3, 4}));
  EXPECT_TRUE(with_reason(ds, ChokeReason::snubbed).empty());
}

TEST(ChokerTies, PreferPeersAlreadyUnchoked) {
  // Six equal peers, two slots: the two already unchoked keep them, whatever the seed.
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    ChokerConfig config;
    config.regular_slots = 2;
    Choker choker(config, seed);
    std::vector<ChokerPeer> peers;
    for (PeerKey k = 1; k <= 6; ++k) peers.push_back(peer(k, 100));
    peers[2].am_choking = false;  // key 3
    peers[4].am_choking = false;  // key 5
    const std::vector<ChokeDecision> ds = choker.rechoke(peers, false, kStart);
    const std::vector<PeerKey> r = ranked(ds);
    EXPECT_EQ(std::set<PeerKey>(r.begin(), r.end()), (std::set<PeerKey>{3, 5})) << "seed " << seed;
  }
}

TEST(ChokerTies, RateBeatsBeingUnchoked) {
  ChokerConfig config;
  config.regular_slots = 2;
  Choker choker(config, kSeed);
  std::vector<ChokerPeer> peers{peer(1, 100), peer(2, 100), peer(3, 101)};
  peers[0].am_choking = false;
  peers[1].am_choking = false;
  EXPECT_EQ(ranked(choker.rechoke(peers, false, kStart))[0], PeerKey{3});
}

TEST(ChokerTies, OtherwiseBrokenByTheSeed) {
  ChokerConfig config;
  config.regular_slots = 2;
  std::vector<ChokerPeer> peers;
  for (PeerKey k = 1; k <= 6; ++k) peers.push_back(peer(k, 100));
  std::set<std::vector<PeerKey>> outcomes;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    Choker a(config, seed);
    Choker b(config, seed);
    const std::vector<PeerKey> first = ranked(a.rechoke(peers, false, kStart));
    EXPECT_EQ(ranked(b.rechoke(peers, false, kStart)), first) << "seed " << seed;  // reproducible
    outcomes.insert(first);
  }
  EXPECT_GT(outcomes.size(), 5u);  // and not always the same peers
}

TEST(ChokerFreeSlot, OnInterestedFillsAFreeSlotAndRefusesWhenFull) {
  ChokerConfig config;
  config.regular_slots = 2;
  Choker choker(config, kSeed);
  std::vector<ChokerPeer> peers{peer(1, 300), peer(2, 200), peer(3, 100), peer(4, 50), peer(5, 40)};
  peers[3].interested = false;
  peers[4].interested = false;
  follow(peers, choker.rechoke(peers, false, kStart));  // 1 and 2 regular, 3 optimistic
  ASSERT_EQ(choker.optimistic(), PeerKey{3});

  // Both regular slots are taken.
  peers[3].interested = true;
  EXPECT_FALSE(choker.on_interested(peers, 4, kStart + 1s));

  // 2 lost interest: its slot counts as free (the optimistic does not hold a regular slot).
  peers[1].interested = false;
  const std::optional<ChokeDecision> d = choker.on_interested(peers, 4, kStart + 2s);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->key, PeerKey{4});
  EXPECT_TRUE(d->unchoke);
  EXPECT_EQ(d->reason, ChokeReason::free_slot);
  EXPECT_EQ(d->rank, 0);
  peers[3].am_choking = false;

  // Full again.
  peers[4].interested = true;
  EXPECT_FALSE(choker.on_interested(peers, 5, kStart + 3s));
  // Already unchoked, or unknown: nothing to do.
  EXPECT_FALSE(choker.on_interested(peers, 1, kStart + 3s));
  EXPECT_FALSE(choker.on_interested(peers, 99, kStart + 3s));
}

TEST(ChokerFreeSlot, SnubbedPeerGetsNoFreeSlot) {
  Choker choker({}, kSeed);
  std::vector<ChokerPeer> peers{peer(1, 300)};
  peers[0].am_interested = true;
  peers[0].peer_choking = false;
  peers[0].last_block_at = kStart;
  EXPECT_FALSE(choker.on_interested(peers, 1, kStart + 60s));
  EXPECT_TRUE(choker.on_interested(peers, 1, kStart + 59s));
}

TEST(ChokerSlots, DerivedFromTheUploadCap) {
  ChokerConfig config;
  EXPECT_EQ(Choker(config).slots(1024 * 1024), 4);  // off by default
  config.rate_based_slots = true;
  config.rate_per_slot = 20 * 1024;
  Choker choker(config, kSeed);
  EXPECT_EQ(choker.slots(0), 4);  // no cap: the configured count
  EXPECT_EQ(choker.slots(100 * 1024), 5);
  EXPECT_EQ(choker.slots(59 * 1024), 2);
  EXPECT_EQ(choker.slots(60 * 1024), 3);
  EXPECT_EQ(choker.slots(10 * 1024), 2);           // clamped up
  EXPECT_EQ(choker.slots(100 * 1024 * 1024), 50);  // clamped down

  std::vector<ChokerPeer> peers = swarm();
  const std::vector<ChokeDecision> ds = choker.rechoke(peers, false, kStart, 60 * 1024);
  EXPECT_EQ(ranked(ds), (std::vector<PeerKey>{6, 2, 8}));
  follow(peers, ds);
  // Between rounds, free slots are counted against the cap given to the last round: 3 regular
  // peers already hold all of them.
  peers[10].interested = true;
  EXPECT_FALSE(choker.on_interested(peers, 11, kStart + 1s));
}

TEST(ChokerDescribe, Strings) {
  EXPECT_EQ((ChokeDecision{1, true, ChokeReason::rate_rank, 2}.describe()), "rate rank 2");
  EXPECT_EQ((ChokeDecision{1, true, ChokeReason::optimistic, 0}.describe()), "optimistic");
  EXPECT_EQ((ChokeDecision{1, true, ChokeReason::free_slot, 0}.describe()), "free slot");
  EXPECT_EQ((ChokeDecision{1, false, ChokeReason::snubbed, 0}.describe()), "snubbed");
  EXPECT_EQ((ChokeDecision{1, false, ChokeReason::not_interested, 0}.describe()), "not interested");
  EXPECT_EQ((ChokeDecision{1, false, ChokeReason::waiting, 6}.describe()), "waiting (rank 6)");
}

}  // namespace
}  // namespace tessera
