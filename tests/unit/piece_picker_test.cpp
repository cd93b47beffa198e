#include "picker/piece_picker.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace tessera {
namespace {

constexpr std::uint64_t kSeed = 42;
constexpr PeerKey kA = 1, kB = 2, kC = 3, kD = 4, kE = 5;

// `pieces` pieces of `blocks` blocks each; a non-zero `last_bytes` makes the last piece short.
PieceMap make_map(std::uint32_t pieces, std::uint32_t blocks, std::int64_t last_bytes = 0) {
  const std::int64_t piece_length = std::int64_t{blocks} * kBlockSize;
  const std::int64_t total =
      std::int64_t{pieces - 1} * piece_length + (last_bytes > 0 ? last_bytes : piece_length);
  return PieceMap({total}, piece_length);
}

// "0110" -> a bitfield with pieces 1 and 2 set.
Bitfield bits(std::string_view s) {
  Bitfield b(static_cast<std::uint32_t>(s.size()));
  for (std::uint32_t i = 0; i < s.size(); ++i) {
    if (s[i] == '1') b.set(i);
  }
  return b;
}

// One digit per piece: how many connected peers have it ("3102": piece 0 held by 3 peers, ...).
void add_swarm(PiecePicker& picker, std::string_view availability) {
  for (std::uint32_t i = 0; i < availability.size(); ++i) {
    for (int n = 0; n < availability[i] - '0'; ++n) picker.add_peer_have(i);
  }
}

// "1100" -> set_have(0), set_have(1).
void have_pieces(PiecePicker& picker, std::string_view s) {
  for (std::uint32_t i = 0; i < s.size(); ++i) {
    if (s[i] == '1') picker.set_have(i);
  }
}

// Picks rendered as "piece.block piece.block ...", so expectations read like the request stream.
std::string str(const std::vector<BlockRef>& picks) {
  std::string out;
  for (const BlockRef& b : picks) {
    if (!out.empty()) out += ' ';
    out += std::to_string(b.piece) + '.' + std::to_string(b.block);
  }
  return out;
}

std::string str(const std::vector<std::uint32_t>& values) {
  std::string out;
  for (const std::uint32_t v : values) {
    if (!out.empty()) out += ' ';
    out += std::to_string(v);
  }
  return out;
}

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

TEST(PiecePicker, AbortedRequestsArePickableAgain) {
  PiecePicker picker(make_map(6, 3), kSeed);
  have_pieces(picker, "111100");
  add_swarm(picker, "999912");
  const Bitfield all = bits("111111");
  EXPECT_EQ(str(picker.pick(all, kA, 4)), "4.0 4.1 4.2 5.0");
  picker.abort_request({4, 1}, kA);
  picker.abort_request({4, 1}, kA);  // twice: ignored
  picker.abort_request({5, 2}, kA);  // never requested: ignored
  picker.abort_request({4, 0}, kB);  // someone else's: ignored
  EXPECT_EQ(picker.requested_count(kA), 3u);
  EXPECT_EQ(str(picker.pick(all, kB, 1)), "4.1");

  picker.abort_peer(kA);
  EXPECT_EQ(picker.requested_count(kA), 0u);
  // Piece 5 had nothing left in flight: it is a fresh piece again; piece 4 is still started (4.1 by B).
  EXPECT_EQ(str(picker.partial_pieces()), "4");
  // Then endgame: C also duplicates B's 4.1 in the same pick.
  EXPECT_EQ(str(picker.pick(all, kC, 10)), "4.0 4.2 5.0 5.1 5.2 4.1");
  picker.abort_peer(kB);
  picker.abort_peer(kC);
  EXPECT_TRUE(picker.partial_pieces().empty());
  picker.abort_peer(kD);  // unknown: ignored
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

TEST(PiecePicker, EndgameDuplicatesRequestsOfOtherPeers) {
  PiecePicker picker(make_map(6, 2), kSeed);
  have_pieces(picker, "111100");
  add_swarm(picker, "999912");
  const Bitfield all = bits("111111");
  EXPECT_FALSE(picker.in_endgame());
  EXPECT_EQ(str(picker.pick(all, kA, 4)), "4.0 4.1 5.0 5.1");
  EXPECT_TRUE(picker.in_endgame());
  EXPECT_TRUE(picker.pick(all, kA, 4).empty());  // never a block it already has outstanding

  picker.on_block({5, 0}, kA);  // piece 5 is further along: its blocks come first
  EXPECT_EQ(str(picker.pick(all, kB, 1)), "5.1");
  // 5.1 now has two requests: at the cap, so C gets the others.
  EXPECT_EQ(str(picker.pick(all, kC, 4)), "4.0 4.1");
  EXPECT_EQ(str(picker.pick(all, kD, 4)), "");  // every block at two requests
  EXPECT_TRUE(picker.pick(bits("000010"), kE, 4).empty());

  // First copy wins and the other requester is told to cancel; the late copy is a duplicate.
  const BlockArrival first = picker.on_block({5, 1}, kB);
  EXPECT_TRUE(first.expected);
  EXPECT_FALSE(first.duplicate);
  EXPECT_TRUE(first.piece_complete);
  EXPECT_EQ(first.cancel, std::vector<PeerKey>{kA});
  EXPECT_EQ(picker.requested_count(kA), 2u);  // 4.0 4.1
  const BlockArrival late = picker.on_block({5, 1}, kA);
  EXPECT_TRUE(late.expected);
  EXPECT_TRUE(late.duplicate);
  EXPECT_FALSE(late.piece_complete);
  EXPECT_TRUE(late.cancel.empty());
  EXPECT_EQ(str(picker.contributors(5)), "1 2");
  picker.on_hash_passed(5);
  EXPECT_TRUE(picker.have(5));

  // A copy arriving after the piece passed its hash is still just a duplicate for a cancelled requester.
  const BlockArrival b40 = picker.on_block({4, 0}, kC);
  EXPECT_EQ(b40.cancel, std::vector<PeerKey>{kA});
  const BlockArrival b41 = picker.on_block({4, 1}, kA);
  EXPECT_EQ(b41.cancel, std::vector<PeerKey>{kC});
  EXPECT_TRUE(b41.piece_complete);
  picker.on_hash_passed(4);
  EXPECT_TRUE(picker.is_finished());
  EXPECT_FALSE(picker.in_endgame());
  const BlockArrival after = picker.on_block({4, 1}, kC);
  EXPECT_TRUE(after.expected);
  EXPECT_TRUE(after.duplicate);
  EXPECT_FALSE(picker.on_block({4, 1}, kC).expected);  // but only once
  EXPECT_EQ(picker.requested_count(kA), 0u);
  EXPECT_EQ(picker.requested_count(kC), 0u);
}

TEST(PiecePicker, UnrequestedBlocksAreUnexpected) {
  PiecePicker picker(make_map(6, 2), kSeed);
  have_pieces(picker, "111100");
  add_swarm(picker, "999912");
  EXPECT_EQ(str(picker.pick(bits("111111"), kA, 1)), "4.0");

  EXPECT_FALSE(picker.on_block({5, 0}, kA).expected);  // piece never started
  EXPECT_FALSE(picker.on_block({4, 1}, kA).expected);  // started, block not requested
  EXPECT_FALSE(picker.on_block({4, 9}, kA).expected);  // no such block
  EXPECT_FALSE(picker.on_block({99, 0}, kA).expected);
  const BlockArrival had = picker.on_block({0, 0}, kA);
  EXPECT_FALSE(had.expected);
  EXPECT_TRUE(had.duplicate);

  // Requested from A but sent by D: the data counts, and A is told to cancel.
  const BlockArrival from_d = picker.on_block({4, 0}, kD);
  EXPECT_TRUE(from_d.expected);
  EXPECT_FALSE(from_d.duplicate);
  EXPECT_EQ(from_d.cancel, std::vector<PeerKey>{kA});
  EXPECT_EQ(picker.requested_count(kA), 0u);
  // A third peer re-sending a block it was never asked for is a protocol error.
  const BlockArrival from_e = picker.on_block({4, 0}, kE);
  EXPECT_FALSE(from_e.expected);
  EXPECT_TRUE(from_e.duplicate);
  EXPECT_TRUE(picker.on_block({4, 0}, kA).duplicate);
  // A second copy from the sender itself was never requested either.
  EXPECT_FALSE(picker.on_block({4, 0}, kD).expected);
  EXPECT_EQ(str(picker.contributors(4)), "4");
}

TEST(PiecePicker, HashFailureResetsThePieceAndNamesContributors) {
  PiecePicker picker(make_map(6, 2), kSeed);
  have_pieces(picker, "111100");
  add_swarm(picker, "999912");
  EXPECT_EQ(str(picker.pick(bits("111111"), kA, 1)), "4.0");
  EXPECT_EQ(str(picker.pick(bits("111111"), kB, 1)), "4.1");
  EXPECT_FALSE(picker.on_block({4, 0}, kA).piece_complete);
  EXPECT_TRUE(picker.on_block({4, 1}, kB).piece_complete);
  EXPECT_EQ(str(picker.contributors(4)), "1 2");
  EXPECT_TRUE(picker.contributors(5).empty());

  picker.on_hash_failed(4);
  EXPECT_FALSE(picker.have(4));
  EXPECT_TRUE(picker.partial_pieces().empty());
  EXPECT_EQ(str(picker.contributors(4)), "1 2");  // still answerable after the reset
  // Every block is requestable again; piece 4 is still the rarest.
  EXPECT_EQ(str(picker.pick(bits("111111"), kC, 2)), "4.0 4.1");
  picker.on_block({4, 0}, kC);
  EXPECT_EQ(str(picker.contributors(4)), "3");  // the new attempt replaces the old senders
  picker.on_block({4, 1}, kC);
  picker.on_hash_passed(4);
  EXPECT_TRUE(picker.have(4));
  EXPECT_EQ(picker.wanted_left(), 1u);
  EXPECT_TRUE(picker.contributors(4).empty());
}

TEST(PiecePicker, SetHaveWithdrawsOutstandingRequests) {
  PiecePicker picker(make_map(6, 2), kSeed);
  have_pieces(picker, "111100");
  add_swarm(picker, "999912");
  EXPECT_EQ(str(picker.pick(bits("111111"), kA, 2)), "4.0 4.1");
  picker.set_have(4);  // e.g. a recheck found it on disk
  EXPECT_EQ(picker.requested_count(kA), 0u);
  EXPECT_TRUE(picker.partial_pieces().empty());
  EXPECT_TRUE(picker.on_block({4, 0}, kA).duplicate);
  EXPECT_EQ(str(picker.pick(bits("111111"), kA, 4)), "5.0 5.1");
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

TEST(PiecePicker, BlockRequestedAgainAfterHashFailureCountsOnce) {
  PiecePicker picker(make_map(5, 1), kSeed);
  have_pieces(picker, "11110");
  add_swarm(picker, "99991");
  EXPECT_EQ(str(picker.pick(bits("11111"), kA, 1)), "4.0");
  EXPECT_EQ(str(picker.pick(bits("11111"), kB, 1)), "4.0");  // endgame duplicate
  EXPECT_EQ(picker.on_block({4, 0}, kB).cancel, std::vector<PeerKey>{kA});
  picker.on_hash_failed(4);
  EXPECT_EQ(str(picker.contributors(4)), "2");
  EXPECT_EQ(str(picker.pick(bits("11111"), kA, 1)), "4.0");  // A is asked again
  const BlockArrival arrival = picker.on_block({4, 0}, kA);
  EXPECT_TRUE(arrival.expected);
  EXPECT_FALSE(arrival.duplicate);  // the new request, not the cancelled one
  EXPECT_TRUE(arrival.piece_complete);
  EXPECT_FALSE(picker.on_block({4, 0}, kA).expected);
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
TEST(PiecePickerRequests, CancelledRequestsArePickableAgainAndTheirLateAnswerIsNoSurprise) {
  PiecePicker picker(make_map(1, 2), kSeed);
  add_swarm(picker, "2");
  const auto picks = picker.pick(bits("1"), kA, 2);
  ASSERT_EQ(str(picks), "0.0 0.1");
  EXPECT_EQ(picker.requests_of(kA).size(), 2u);
  picker.cancel_request({0, 1}, kA);
  EXPECT_EQ(picker.request_state({0, 1}, kA), PiecePicker::RequestState::cancelled);
  EXPECT_EQ(picker.request_state({0, 0}, kA), PiecePicker::RequestState::outstanding);
  EXPECT_EQ(picker.request_state({0, 0}, kB), PiecePicker::RequestState::none);
  EXPECT_EQ(str(picker.pick(bits("1"), kB, 1)), "0.1") << "the free block goes before an endgame duplicate";
  const BlockArrival late = picker.on_block({0, 1}, kA);
  EXPECT_TRUE(late.expected);
  EXPECT_FALSE(late.duplicate) << "B has not delivered it yet: A's copy is useful";
  EXPECT_EQ(late.cancel, std::vector<PeerKey>{kB});
  EXPECT_EQ(picker.request_state({0, 1}, kB), PiecePicker::RequestState::cancelled);
}

TEST(PiecePickerRequests, AbortSettlesAndForgets) {
  PiecePicker picker(make_map(1, 2), kSeed);
  add_swarm(picker, "1");
  picker.pick(bits("1"), kA, 2);
  picker.abort_request({0, 0}, kA);
  EXPECT_EQ(picker.request_state({0, 0}, kA), PiecePicker::RequestState::none);
  EXPECT_FALSE(picker.on_block({0, 0}, kA).expected);
}

TEST(PiecePickerRequests, CancelledRequestsAreRememberedWithinABound) {
  const std::uint32_t pieces = 200;
  PiecePicker picker(make_map(pieces, 8), kSeed);
  Bitfield all(pieces, true);
  picker.add_seed();
  std::size_t cancelled = 0;
  for (int round = 0; round < 3; ++round) {
    const auto picks = picker.pick(all, kA, 500);
    for (const BlockRef& b : picks) {
      picker.cancel_request(b, kA);
      ++cancelled;
    }
  }
  ASSERT_GT(cancelled, PiecePicker::kMaxCancelledPerPeer);
  EXPECT_TRUE(picker.requests_of(kA).empty());
  std::size_t remembered = 0;
  for (std::uint32_t p = 0; p < pieces; ++p) {
    for (std::uint32_t b = 0; b < 8; ++b) {
      if (picker.request_state({p, b}, kA) == PiecePicker::RequestState::cancelled) ++remembered;
    }
  }
  EXPECT_EQ(remembered, PiecePicker::kMaxCancelledPerPeer);
}

}  // namespace
}  // namespace tessera
