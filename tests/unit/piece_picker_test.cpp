#include "picker/piece_picker.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "picker_test_support.hpp"

namespace tessera {
namespace {

using namespace picker_test;


TEST(PiecePicker, HaveAndPriorityDecideWhatIsWanted) {
  PiecePicker picker(make_map(6, 1), kSeed);
  EXPECT_EQ(picker.wanted_left(), 6u);
  EXPECT_FALSE(picker.is_finished());
  have_pieces(picker, "110000");
  picker.set_have(1);  // idempotent
  EXPECT_TRUE(picker.have(0));
  EXPECT_FALSE(picker.have(2));
  EXPECT_FALSE(picker.have(99));
  EXPECT_EQ(picker.have_bitfield(), bits("110000"));
  EXPECT_EQ(picker.wanted_left(), 4u);

  picker.set_piece_priority(2, 0);
  picker.set_piece_priority(0, 0);  // had already: wanted_left unchanged
  picker.set_piece_priority(3, 200);
  EXPECT_EQ(picker.piece_priority(2), 0);
  EXPECT_EQ(picker.piece_priority(3), 7);  // clamped
  EXPECT_EQ(picker.piece_priority(4), 1);
  EXPECT_EQ(picker.wanted_left(), 3u);

  have_pieces(picker, "000111");
  EXPECT_TRUE(picker.is_finished());
  picker.set_piece_priority(2, 1);
  EXPECT_FALSE(picker.is_finished());
  EXPECT_EQ(picker.wanted_left(), 1u);
}

TEST(PiecePicker, AvailabilityCountsPeersAndSeeds) {
  PiecePicker picker(make_map(4, 1), kSeed);
  picker.add_peer_bitfield(bits("1100"));
  picker.add_peer_bitfield(bits("1010"));
  picker.add_peer_have(3);
  picker.add_peer_have(7);  // out of range: ignored
  EXPECT_EQ(picker.availability(0), 2u);
  EXPECT_EQ(picker.availability(1), 1u);
  EXPECT_EQ(picker.availability(2), 1u);
  EXPECT_EQ(picker.availability(3), 1u);

  picker.add_seed();
  picker.add_seed();
  EXPECT_EQ(picker.availability(0), 4u);
  EXPECT_EQ(picker.availability(3), 3u);
  picker.remove_seed();
  picker.remove_peer_bitfield(bits("1100"));
  EXPECT_EQ(picker.availability(0), 2u);
  EXPECT_EQ(picker.availability(1), 1u);

  // Removing what was never added saturates instead of wrapping.
  picker.remove_seed();
  picker.remove_seed();
  picker.remove_peer_bitfield(bits("0101"));
  picker.remove_peer_bitfield(bits("0101"));
  EXPECT_EQ(picker.availability(1), 0u);
  EXPECT_EQ(picker.availability(3), 0u);
  EXPECT_EQ(picker.availability(0), 1u);
}

TEST(PiecePicker, RandomFirstPiecesComeFromWhatThePeerHas) {
  // Piece 0 is the rarest, but a fresh leecher does not care yet.
  const std::string_view swarm = "123333333333";
  const Bitfield peer = bits("111011011101");
  std::set<std::uint32_t> first_picks;
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    PiecePicker picker(make_map(12, 1), seed);
    add_swarm(picker, swarm);
    std::set<std::uint32_t> seen;
    for (int i = 0; i < 4; ++i) {
      const std::vector<BlockRef> got = picker.pick(peer, kA, 1);
      ASSERT_EQ(got.size(), 1u);
      EXPECT_TRUE(peer[got[0].piece]) << "piece " << got[0].piece << " not offered by the peer";
      EXPECT_TRUE(seen.insert(got[0].piece).second) << "piece picked twice";
      if (i == 0) first_picks.insert(got[0].piece);
    }
  }
  EXPECT_GE(first_picks.size(), 5u) << "first picks should spread over the peer's pieces";

  // The same seed always gives the same picks.
  PiecePicker a(make_map(12, 1), 7), b(make_map(12, 1), 7);
  add_swarm(a, swarm);
  add_swarm(b, swarm);
  EXPECT_EQ(str(a.pick(peer, kA, 6)), str(b.pick(peer, kA, 6)));
}

TEST(PiecePicker, RandomFirstStopsAtFourCompletePieces) {
  const Bitfield peer = bits("1111111111");
  // Three complete pieces: still random, so the rarest piece (9) is not always first.
  std::set<std::uint32_t> first_with_three;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    PiecePicker picker(make_map(10, 1), seed);
    add_swarm(picker, "5555555552");
    have_pieces(picker, "1110000000");
    first_with_three.insert(picker.pick(peer, kA, 1).at(0).piece);
  }
  EXPECT_GT(first_with_three.size(), 1u);
  // Four complete pieces: rarest first for every seed.
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    PiecePicker picker(make_map(10, 1), seed);
    add_swarm(picker, "5555555552");
    have_pieces(picker, "1111000000");
    EXPECT_EQ(str(picker.pick(peer, kA, 1)), "9.0") << "seed " << seed;
  }
}

TEST(PiecePicker, RarestFirstOnceWeHaveSomethingToTrade) {
  PiecePicker picker(make_map(10, 1), kSeed);
  have_pieces(picker, "1111000000");
  add_swarm(picker, "9999352461");  // pieces 4..9: availability 3 5 2 4 6 1
  EXPECT_EQ(str(picker.pick(bits("1111111111"), kA, 6)), "9.0 6.0 4.0 7.0 5.0 8.0");
  EXPECT_TRUE(picker.pick(bits("1111111111"), kA, 6).empty());
}

TEST(PiecePicker, RarestAmongWhatThePeerHas) {
  PiecePicker picker(make_map(10, 1), kSeed);
  have_pieces(picker, "1111000000");
  add_swarm(picker, "9999352461");
  EXPECT_EQ(str(picker.pick(bits("0000110100"), kA, 2)), "4.0 7.0");
  EXPECT_TRUE(picker.pick(bits("1111000000"), kB, 2).empty());  // only pieces we have
  EXPECT_TRUE(picker.pick(bits("11"), kB, 2).empty());          // short bitfield: nothing past it
}

TEST(PiecePicker, AvailabilityChangesReorderIncrementally) {
  PiecePicker picker(make_map(8, 1), kSeed);
  have_pieces(picker, "11110000");
  add_swarm(picker, "99992345");  // 4 rarest, then 5, 6, 7
  picker.add_peer_have(4);
  picker.add_peer_have(4);
  picker.add_peer_have(4);  // 4 now at 5
  picker.remove_peer_bitfield(bits("00000001"));
  picker.remove_peer_bitfield(bits("00000001"));
  picker.remove_peer_bitfield(bits("00000001"));  // 7 now at 2
  picker.add_peer_bitfield(bits("00000010"));     // 6 now at 5
  EXPECT_EQ(picker.availability(4), 5u);
  EXPECT_EQ(picker.availability(7), 2u);
  EXPECT_EQ(str(picker.pick(bits("11111111"), kA, 2)), "7.0 5.0");
  // 4 and 6 tie at 5: both come, in an order fixed by the seed.
  const std::string rest = str(picker.pick(bits("11111111"), kA, 2));
  EXPECT_TRUE(rest == "4.0 6.0" || rest == "6.0 4.0") << rest;
}

TEST(PiecePicker, TiesAreBrokenBySeed) {
  const auto order = [](std::uint64_t seed) {
    PiecePicker picker(make_map(20, 1), seed);
    have_pieces(picker, "11110000000000000000");
    add_swarm(picker, "55553333333333333333");
    return str(picker.pick(bits("11111111111111111111"), kA, 16));
  };
  EXPECT_EQ(order(1), order(1));
  std::set<std::string> orders;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) orders.insert(order(seed));
  EXPECT_GT(orders.size(), 1u);
}

TEST(PiecePicker, HigherPriorityBeatsRarity) {
  PiecePicker picker(make_map(10, 1), kSeed);
  have_pieces(picker, "1111000000");
  add_swarm(picker, "9999123456");
  picker.set_piece_priority(9, 7);
  picker.set_piece_priority(8, 2);
  picker.set_piece_priority(7, 2);
  picker.set_piece_priority(4, 0);  // rarest, but not wanted
  EXPECT_EQ(str(picker.pick(bits("1111111111"), kA, 5)), "9.0 7.0 8.0 5.0 6.0");
  EXPECT_TRUE(picker.pick(bits("1111111111"), kA, 5).empty());
  picker.set_piece_priority(4, 1);
  EXPECT_EQ(str(picker.pick(bits("1111111111"), kA, 5)), "4.0");
}

TEST(PiecePicker, PartialPiecesFirstMostReceivedFirst) {
  PiecePicker picker(make_map(8, 4), kSeed);
  have_pieces(picker, "11110000");
  add_swarm(picker, "99991234");
  const Bitfield all = bits("11111111");
  EXPECT_EQ(str(picker.pick(all, kA, 2)), "4.0 4.1");
  // The started piece is finished before a new one; one pick spans pieces to fill the request.
  EXPECT_EQ(str(picker.pick(all, kA, 4)), "4.2 4.3 5.0 5.1");
  EXPECT_EQ(str(picker.partial_pieces()), "4 5");

  picker.on_block({4, 0}, kA);
  picker.on_block({5, 0}, kA);
  picker.on_block({5, 1}, kA);
  picker.abort_request({4, 2}, kA);
  picker.abort_request({4, 3}, kA);
  // Piece 5 has two blocks received, piece 4 one: piece 5's free blocks come first.
  EXPECT_EQ(str(picker.pick(all, kB, 3)), "5.2 5.3 4.2");
  EXPECT_EQ(str(picker.pick(all, kB, 3)), "4.3 6.0 6.1");
  EXPECT_EQ(picker.requested_count(kA), 1u);  // 4.1
  EXPECT_EQ(picker.requested_count(kB), 6u);
}

TEST(PiecePicker, PartialPieceThePeerLacksIsSkipped) {
  PiecePicker picker(make_map(8, 4), kSeed);
  have_pieces(picker, "11110000");
  add_swarm(picker, "99991234");
  EXPECT_EQ(str(picker.pick(bits("11111111"), kA, 2)), "4.0 4.1");
  EXPECT_EQ(str(picker.pick(bits("00000011"), kB, 2)), "6.0 6.1");
}

TEST(PiecePicker, PartialPieceWithPriorityZeroIsNotPicked) {
  PiecePicker picker(make_map(6, 2), kSeed);
  have_pieces(picker, "111100");
  add_swarm(picker, "999912");
  EXPECT_EQ(str(picker.pick(bits("111111"), kA, 1)), "4.0");
  picker.set_piece_priority(4, 0);
  EXPECT_EQ(str(picker.pick(bits("111111"), kA, 4)), "5.0 5.1");
}

TEST(PiecePicker, ShortLastPieceHasFewerBlocks) {
  // Three pieces of 3 blocks, the last one 1.5 blocks long: 2 blocks.
  PiecePicker picker(make_map(3, 3, kBlockSize + kBlockSize / 2), kSeed);
  picker.add_seed();
  // Fewer than four pieces had: random first, but every block still comes in order.
  const std::vector<BlockRef> got = picker.pick(Bitfield(3, true), kA, 100);
  ASSERT_EQ(got.size(), 8u);
  std::map<std::uint32_t, std::vector<std::uint32_t>> per_piece;
  for (const BlockRef& b : got) per_piece[b.piece].push_back(b.block);
  EXPECT_EQ(str(per_piece[0]), "0 1 2");
  EXPECT_EQ(str(per_piece[1]), "0 1 2");
  EXPECT_EQ(str(per_piece[2]), "0 1");
  for (std::size_t i = 1; i < got.size(); ++i) {
    if (got[i].piece == got[i - 1].piece) {
      EXPECT_EQ(got[i].block, got[i - 1].block + 1);
    }
  }
  EXPECT_TRUE(picker.in_endgame());
}

TEST(PiecePicker, ChokedPeerOnlyGivesAllowedFastPieces) {
  PiecePicker picker(make_map(10, 2), kSeed);
  have_pieces(picker, "1111000000");
  add_swarm(picker, "9999123456");
  const Bitfield all = bits("1111111111");
  EXPECT_TRUE(picker.pick(all, kA, 4, true).empty());
  EXPECT_EQ(str(picker.pick(all, kA, 3, true, {9, 2, 7, 9})), "7.0 7.1 9.0");
  // A partial piece outside the allowed-fast set is not touched while choked.
  EXPECT_EQ(str(picker.pick(all, kB, 3, true, {8})), "8.0 8.1");
  // Unchoked: the partial piece 9 is in six peers' hands; B can give the rarest piece (4, one
  // peer), so that goes first, and 9 waits for someone with nothing rarer to offer.
  EXPECT_EQ(str(picker.pick(all, kB, 3)), "4.0 4.1 5.0");
  EXPECT_EQ(str(picker.pick(bits("0000000001"), kC, 2)), "9.1");
}

TEST(PiecePicker, SeedsAddToAvailabilityWithoutChangingTheOrder) {
  PiecePicker with_seeds(make_map(8, 1), kSeed);
  PiecePicker without(make_map(8, 1), kSeed);
  for (PiecePicker* p : {&with_seeds, &without}) {
    have_pieces(*p, "11110000");
    add_swarm(*p, "00003142");
  }
  for (int i = 0; i < 1000; ++i) with_seeds.add_seed();
  EXPECT_EQ(with_seeds.availability(5), 1001u);
  EXPECT_EQ(with_seeds.availability(0), 1000u);
  EXPECT_EQ(str(with_seeds.pick(Bitfield(8, true), kA, 4)), "5.0 7.0 4.0 6.0");
  EXPECT_EQ(str(without.pick(Bitfield(8, true), kA, 4)), "5.0 7.0 4.0 6.0");
}

TEST(PiecePicker, EmptyPicksAndZeroPieces) {
  PiecePicker picker(make_map(4, 1), kSeed);
  EXPECT_TRUE(picker.pick(Bitfield(4, true), kA, 0).empty());
  EXPECT_TRUE(picker.pick(Bitfield(4, false), kA, 4).empty());
  EXPECT_EQ(picker.requested_count(kA), 0u);

  const PieceMap none({}, kBlockSize);
  PiecePicker empty(none, kSeed);
  EXPECT_TRUE(empty.is_finished());
  EXPECT_FALSE(empty.in_endgame());
  EXPECT_TRUE(empty.pick(Bitfield(), kA, 4).empty());
}

TEST(PiecePicker, SameSeedSameHistory) {
  const auto run = [](std::uint64_t seed) {
    PiecePicker picker(make_map(16, 2), seed);
    add_swarm(picker, "1234123412341234");
    std::string log;
    const Bitfield peer = bits("1111011110111101");
    for (PeerKey peer_key = 1; peer_key <= 6; ++peer_key) {
      const std::vector<BlockRef> got = picker.pick(peer, peer_key, 3);
      log += str(got) + " | ";
      for (const BlockRef& b : got) {
        if (picker.on_block(b, peer_key).piece_complete) picker.on_hash_passed(b.piece);
      }
      if (peer_key % 2 == 0) picker.abort_peer(peer_key - 1);
    }
    return log;
  };
  EXPECT_EQ(run(3), run(3));
  EXPECT_NE(run(3), run(4));
}

// Random operations against a model of who has which block outstanding: the picker's bookkeeping
// (requested counts, cancels, completion, endgame cap) must agree with it at every step.
TEST(PiecePicker, RandomOperationsAgreeWithModel) {
  constexpr std::uint32_t kPieces = 12;
  constexpr PeerKey kPeers = 4;
  const PieceMap map = make_map(kPieces, 3, kBlockSize / 2);  // last piece: one short block
  for (std::uint64_t seed = 1; seed <= 25; ++seed) {
    PiecePicker picker(map, seed);
    std::uint64_t lcg = seed * 7919;
    const auto next = [&lcg](std::uint32_t n) {
      lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
      return static_cast<std::uint32_t>((lcg >> 33) % n);
    };
    std::vector<Bitfield> peer_has;
    for (PeerKey k = 0; k < kPeers; ++k) {
      Bitfield b(kPieces);
      for (std::uint32_t p = 0; p < kPieces; ++p) {
        if (k == 0 || next(3) != 0) b.set(p);
      }
      picker.add_peer_bitfield(b);
      peer_has.push_back(b);
    }
    picker.set_piece_priority(next(kPieces), 0);
    picker.set_piece_priority(next(kPieces), 5);

    std::map<PeerKey, std::set<BlockRef>> outstanding;
    std::map<std::uint32_t, std::set<std::uint32_t>> received;
    const auto requesters = [&](BlockRef b) {
      std::vector<PeerKey> out;
      for (const auto& [k, blocks] : outstanding) {
        if (blocks.contains(b)) out.push_back(k);
      }
      return out;
    };

    for (int step = 0; step < 400; ++step) {
      const PeerKey peer = next(kPeers);
      const std::uint32_t op = next(10);
      if (op < 4) {
        const bool endgame = picker.in_endgame();
        const bool choked = next(4) == 0;
        const std::vector<std::uint32_t> fast{next(kPieces), next(kPieces)};
        const std::vector<BlockRef> got = picker.pick(peer_has[peer], peer, next(5), choked, fast);
        for (std::size_t i = 0; i < got.size(); ++i) {
          const BlockRef b = got[i];
          ASSERT_TRUE(peer_has[peer][b.piece]);
          ASSERT_FALSE(picker.have(b.piece));
          ASSERT_GT(picker.piece_priority(b.piece), 0);
          ASSERT_LT(b.block, map.block_count(b.piece));
          if (choked) {
            ASSERT_TRUE(b.piece == fast[0] || b.piece == fast[1]);
          }
          ASSERT_FALSE(outstanding[peer].contains(b)) << "asked the same peer twice";
          ASSERT_FALSE(received[b.piece].contains(b.block));
          const std::size_t others = requesters(b).size();
          ASSERT_LT(others, PiecePicker::kMaxRequestsPerBlock);
          if (others > 0) {
            ASSERT_TRUE(endgame || picker.in_endgame()) << "duplicate outside endgame";
          }
          outstanding[peer].insert(b);
        }
      } else if (op < 7 && !outstanding[peer].empty()) {
        auto it = outstanding[peer].begin();
        std::advance(it, next(static_cast<std::uint32_t>(outstanding[peer].size())));
        const BlockRef b = *it;
        std::vector<PeerKey> others = requesters(b);
        others.erase(std::find(others.begin(), others.end(), peer));
        BlockArrival arrival = picker.on_block(b, peer);
        ASSERT_TRUE(arrival.expected);
        ASSERT_FALSE(arrival.duplicate);
        std::sort(arrival.cancel.begin(), arrival.cancel.end());
        ASSERT_EQ(arrival.cancel, others);
        for (auto& entry : outstanding) entry.second.erase(b);
        received[b.piece].insert(b.block);
        ASSERT_EQ(arrival.piece_complete, received[b.piece].size() == map.block_count(b.piece));
        if (arrival.piece_complete) {
          if (next(4) == 0) {
            picker.on_hash_failed(b.piece);
          } else {
            picker.on_hash_passed(b.piece);
          }
          received.erase(b.piece);
        }
      } else if (op < 9 && !outstanding[peer].empty()) {
        const BlockRef b = *outstanding[peer].begin();
        picker.abort_request(b, peer);
        outstanding[peer].erase(b);
      } else if (op == 9) {
        picker.abort_peer(peer);
        outstanding[peer].clear();
      }
      for (PeerKey k = 0; k < kPeers; ++k) {
        ASSERT_EQ(picker.requested_count(k), outstanding[k].size()) << "seed " << seed << " step " << step;
      }
    }
  }
}

// 100 000 pieces, 10 000 availability changes interleaved with 1 000 picks. Every pick must return
// a piece of the lowest availability among those still fresh, checked against a simple model
// (a histogram of availabilities). Correctness only: the test's timeout is the generous bound.
TEST(PiecePicker, LargeSwarmStaysRarestFirstUnderChurn) {
  constexpr std::uint32_t kPieces = 100000;
  PiecePicker picker(make_map(kPieces, 1), kSeed);
  std::vector<std::uint32_t> count(kPieces, 0);
  std::vector<bool> fresh(kPieces, true);
  std::map<std::uint32_t, std::uint32_t> histogram;  // availability -> fresh pieces with it

  // Two peers with everything, one with every third piece, then we have four pieces.
  const Bitfield all(kPieces, true);
  Bitfield thirds(kPieces);
  for (std::uint32_t p = 0; p < kPieces; p += 3) thirds.set(p);
  picker.add_peer_bitfield(all);
  picker.add_peer_bitfield(all);
  picker.add_peer_bitfield(thirds);
  for (std::uint32_t p = 0; p < kPieces; ++p) count[p] = 2 + (p % 3 == 0 ? 1 : 0);
  for (std::uint32_t p = 0; p < 4; ++p) {
    picker.set_have(p);
    fresh[p] = false;
  }
  for (std::uint32_t p = 0; p < kPieces; ++p) {
    if (fresh[p]) ++histogram[count[p]];
  }

  std::uint64_t lcg = 12345;
  const auto next = [&lcg] {
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<std::uint32_t>(lcg >> 33);
  };
  const auto change = [&](std::uint32_t p, bool up) {
    if (fresh[p] && --histogram[count[p]] == 0) histogram.erase(count[p]);
    count[p] = up ? count[p] + 1 : count[p] - 1;
    if (fresh[p]) ++histogram[count[p]];
  };

  // Each round: some haves arrive, and a peer holding a few pieces leaves.
  Bitfield leaving(kPieces);
  std::vector<std::uint32_t> leaving_pieces;
  std::size_t changes = 0;
  for (int round = 0; round < 1000; ++round) {
    for (int i = 0; i < 10; ++i, ++changes) {
      const std::uint32_t p = next() % kPieces;
      if (count[p] > 0 && !leaving.get(p) && next() % 2 == 0) {
        leaving.set(p);
        leaving_pieces.push_back(p);
        change(p, false);
      } else {
        picker.add_peer_have(p);
        change(p, true);
      }
    }
    picker.remove_peer_bitfield(leaving);
    for (const std::uint32_t p : leaving_pieces) leaving.reset(p);
    leaving_pieces.clear();
    const std::vector<BlockRef> got = picker.pick(all, kA, 1);
    ASSERT_EQ(got.size(), 1u);
    const std::uint32_t p = got[0].piece;
    ASSERT_TRUE(fresh[p]) << "round " << round;
    ASSERT_EQ(picker.availability(p), count[p]);
    ASSERT_EQ(count[p], histogram.begin()->first) << "round " << round << " picked a commoner piece";
    if (--histogram[count[p]] == 0) histogram.erase(count[p]);
    fresh[p] = false;
  }
  EXPECT_EQ(changes, 10000u);
  EXPECT_EQ(picker.requested_count(kA), 1000u);
  EXPECT_EQ(picker.partial_pieces().size(), 1000u);
  for (std::uint32_t p = 0; p < kPieces; p += 997) EXPECT_EQ(picker.availability(p), count[p]);
}

// The picker is the one owner of who asked for which block: a withdrawn request is pickable
// again, and its late answer is recognised as the peer's (a duplicate, not a protocol error).
}  // namespace
}  // namespace tessera
