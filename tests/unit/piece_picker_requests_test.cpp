// The picker as the one owner of requests: aborts, cancels, late and unexpected blocks, the
// endgame, and hash failures.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "picker/piece_picker.hpp"
#include "picker_test_support.hpp"

namespace tessera {
namespace {

using namespace picker_test;

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
