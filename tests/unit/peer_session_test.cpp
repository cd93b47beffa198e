// One peer's protocol state, driven by messages and `now`, with a wire that records what would
// be sent: no sockets.
#include "peers/peer_session.hpp"

#include <gtest/gtest.h>

#include <variant>

#include "wire/extension_handshake.hpp"

namespace tessera {
namespace {

using namespace std::chrono_literals;
using TimePoint = PeerSession::TimePoint;

struct RecordingWire : PeerWire {
  std::vector<wire::Message> sent;
  std::vector<wire::Request> blocks;  // piece, begin, length of each block sent
  std::size_t cancelled_blocks = 0;
  void send(const wire::Message& m) override { sent.push_back(m); }
  void send_block(std::uint32_t piece, std::uint32_t begin, std::string data) override {
    blocks.push_back({piece, begin, static_cast<std::uint32_t>(data.size())});
  }
  std::size_t cancel_block(std::uint32_t, std::uint32_t) override {
    ++cancelled_blocks;
    return 0;
  }
  template <class T>
  std::size_t count() const {
    std::size_t n = 0;
    for (const auto& m : sent) n += std::holds_alternative<T>(m) ? 1u : 0u;
    return n;
  }
  template <class T>
  std::vector<T> all() const {
    std::vector<T> out;
    for (const auto& m : sent) {
      if (auto* t = std::get_if<T>(&m)) out.push_back(*t);
    }
    return out;
  }
};

constexpr std::uint32_t kPieces = 8;
constexpr std::uint32_t kBlocksPerPiece = 4;

class PeerSessionTest : public ::testing::Test {
 protected:
  PeerSessionTest()
      : map_({std::int64_t{kPieces} * kBlocksPerPiece * kBlockSize}, std::int64_t{kBlocksPerPiece} * kBlockSize),
        picker_(map_, 7) {}

  PeerSession make(bool fast = true, PeerSessionLimits limits = {}) {
    return PeerSession(1, wire_, map_, fast, true, t0_, limits);
  }
  PeerReaction feed(PeerSession& p, wire::Message m, TimePoint at = {}) {
    return p.on_message(m, picker_, at == TimePoint{} ? t0_ : at);
  }

  TimePoint t0_ = TimePoint{} + 1000s;
  PieceMap map_;
  PiecePicker picker_;
  RecordingWire wire_;
};

TEST_F(PeerSessionTest, GreetsWithWhatWeHaveThenTheExtensionHandshakeThenAllowedFast) {
  auto p = make();
  Bitfield ours(kPieces);
  ours.set(2);
  ours.set(5);
  const std::uint32_t allowed[] = {1, 2, 5, 6};
  p.greet(ours, "d1:md1:xi1eee", allowed);
  ASSERT_EQ(wire_.sent.size(), 4u);
  EXPECT_TRUE(std::holds_alternative<wire::BitfieldMsg>(wire_.sent[0]));
  EXPECT_TRUE(std::holds_alternative<wire::Extended>(wire_.sent[1]));
  EXPECT_EQ(wire_.all<wire::AllowedFast>().size(), 2u) << "only pieces we have";
}

TEST_F(PeerSessionTest, AFastPeerGetsHaveNoneInsteadOfAnEmptyBitfield) {
  auto p = make();
  p.greet(Bitfield(kPieces), "", {});
  ASSERT_EQ(wire_.sent.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<wire::HaveNone>(wire_.sent[0]));
}

TEST_F(PeerSessionTest, InterestFollowsWhatTheyHaveThatWeWant) {
  auto p = make();
  Bitfield theirs(kPieces);
  theirs.set(3);
  auto r = feed(p, wire::BitfieldMsg{theirs});
  EXPECT_TRUE(p.am_interested());
  EXPECT_EQ(wire_.count<wire::Interested>(), 1u);
  EXPECT_TRUE(r.refill);
  EXPECT_EQ(picker_.availability(3), 1u);
  // We verify that piece from elsewhere: nothing left to want from them.
  picker_.set_have(3);
  p.piece_verified(3, picker_);
  EXPECT_FALSE(p.am_interested());
  EXPECT_EQ(wire_.count<wire::NotInterested>(), 1u);
  EXPECT_EQ(wire_.all<wire::Have>().back().piece, 3u);
}

TEST_F(PeerSessionTest, RequestsOnlyWhenUnchokedAndWithinTheBudgetAndTheirQueue) {
  auto p = make();
  feed(p, wire::HaveAll{});
  p.fill_requests(picker_, {10, 1});
  EXPECT_EQ(wire_.count<wire::Request>(), 0u) << "choked";
  feed(p, wire::Unchoke{});
  p.fill_requests(picker_, {10, 1});
  EXPECT_EQ(wire_.count<wire::Request>(), 10u);
  EXPECT_EQ(picker_.requested_count(1), 10u) << "the picker owns them";
  // Their extension handshake says they keep 12 requests: never more than that in flight.
  wire::ExtensionHandshake h;
  h.request_queue = 12;
  feed(p, wire::Extended{0, wire::encode_extension_handshake(h)});
  p.fill_requests(picker_, {100, 1});
  EXPECT_EQ(picker_.requested_count(1), 12u);
}

TEST_F(PeerSessionTest, ABlockWeAskedForIsReportedAndOneWeDidNotIsAViolation) {
  auto p = make();
  feed(p, wire::HaveAll{});
  feed(p, wire::Unchoke{});
  p.fill_requests(picker_, {1, 1});
  const auto req = wire_.all<wire::Request>().at(0);
  const std::string data(req.length, 'x');
  auto r = feed(p, wire::Piece{req.piece, req.begin, data});
  ASSERT_TRUE(r.block);
  EXPECT_EQ(r.block->ref.piece, req.piece);
  EXPECT_EQ(r.block->data.size(), data.size());
  EXPECT_FALSE(r.block->arrival.duplicate);
  EXPECT_EQ(p.downloaded(), static_cast<std::int64_t>(data.size()));
  auto bad = feed(p, wire::Piece{req.piece, req.begin, data});
  ASSERT_TRUE(bad.close);
  EXPECT_EQ(bad.close->reason, DepartureReason::protocol_violation);
  EXPECT_EQ(bad.close->detail, "sent a block we never requested");
}

TEST_F(PeerSessionTest, ALateBlockOfAWithdrawnRequestIsDroppedQuietly) {
  auto p = make(false);
  feed(p, wire::BitfieldMsg{Bitfield(kPieces, true)});
  feed(p, wire::Unchoke{});
  p.fill_requests(picker_, {2, 1});
  const auto reqs = wire_.all<wire::Request>();
  ASSERT_EQ(reqs.size(), 2u);
  feed(p, wire::Choke{});  // without the fast extension a choke drops our requests
  EXPECT_EQ(picker_.requested_count(1), 0u);
  auto late = feed(p, wire::Piece{reqs[0].piece, reqs[0].begin, std::string(reqs[0].length, 'y')});
  EXPECT_FALSE(late.close);
  EXPECT_FALSE(late.block);
}

TEST_F(PeerSessionTest, ARejectHandsTheBlockBackToThePicker) {
  auto p = make();
  feed(p, wire::HaveAll{});
  feed(p, wire::Unchoke{});
  p.fill_requests(picker_, {1, 1});
  const auto req = wire_.all<wire::Request>().at(0);
  auto r = feed(p, wire::Reject{req.piece, req.begin, req.length});
  EXPECT_TRUE(r.refill);
  EXPECT_EQ(picker_.requested_count(1), 0u);
}

TEST_F(PeerSessionTest, FastMessagesWithoutTheFastExtensionAreViolations) {
  for (wire::Message m : {wire::Message{wire::HaveAll{}}, wire::Message{wire::HaveNone{}},
                          wire::Message{wire::Reject{0, 0, kBlockSize}}, wire::Message{wire::AllowedFast{0}}}) {
    auto p = make(false);
    auto r = feed(p, m);
    ASSERT_TRUE(r.close) << m.index();
    EXPECT_EQ(r.close->reason, DepartureReason::protocol_violation);
  }
}

TEST_F(PeerSessionTest, HaveAllOrHaveNoneOnlyInPlaceOfTheFirstBitfield) {
  auto p = make();
  EXPECT_FALSE(feed(p, wire::HaveAll{}).close);
  EXPECT_EQ(picker_.availability(0), 1u);
  auto r = feed(p, wire::HaveNone{});
  ASSERT_TRUE(r.close);
  EXPECT_EQ(r.close->reason, DepartureReason::protocol_violation);
  auto q = make();
  feed(q, wire::Have{2});
  ASSERT_TRUE(feed(q, wire::HaveAll{}).close);
}

TEST_F(PeerSessionTest, GrowingBitfieldsAreTakenAndCountedOnce) {
  auto p = make();
  Bitfield bits(kPieces);
  for (std::uint32_t piece = 0; piece < kPieces; ++piece) {
    bits.set(piece);
    auto r = feed(p, wire::BitfieldMsg{bits});
    ASSERT_FALSE(r.close) << piece;
  }
  for (std::uint32_t piece = 0; piece < kPieces; ++piece) EXPECT_EQ(picker_.availability(piece), 1u) << piece;
  // A shrinking one is taken too, whole.
  feed(p, wire::BitfieldMsg{Bitfield(kPieces)});
  EXPECT_EQ(picker_.availability(0), 0u);
  p.detach(picker_);
  EXPECT_EQ(picker_.availability(kPieces - 1), 0u);
}

TEST_F(PeerSessionTest, BitfieldSpamIsCutOffButAFewPerSecondAreFine) {
  PeerSessionLimits limits;
  limits.bitfield_burst = 10;
  limits.bitfields_per_second = 4;
  auto p = make(true, limits);
  Bitfield one(kPieces), other(kPieces);
  one.set(1);
  other.set(2);
  feed(p, wire::BitfieldMsg{one}, t0_);
  for (int i = 0; i < 10; ++i) ASSERT_FALSE(feed(p, wire::BitfieldMsg{i % 2 ? one : other}, t0_).close) << i;
  // Over a minute, four a second are taken.
  for (int i = 0; i < 240; ++i) {
    ASSERT_FALSE(feed(p, wire::BitfieldMsg{i % 2 ? one : other}, t0_ + std::chrono::milliseconds(250 * (i + 1))).close) << i;
  }
  PeerReaction r;
  int taken = 0;
  for (; taken < 1000 && !r.close; ++taken) r = feed(p, wire::BitfieldMsg{taken % 2 ? one : other}, t0_ + 61s);
  ASSERT_TRUE(r.close);
  EXPECT_LE(taken, 11);
  EXPECT_EQ(r.close->reason, DepartureReason::protocol_violation);
}

TEST_F(PeerSessionTest, RequestsWhileChokedAreRejectedThenCutOff) {
  PeerSessionLimits limits;
  limits.max_choked_requests = 300;
  auto p = make(true, limits);
  for (std::uint32_t piece = 0; piece < kPieces; ++piece) picker_.set_have(piece);
  PeerReaction r;
  int sent = 0;
  while (!r.close && sent < 10000) {
    r = feed(p, wire::Request{static_cast<std::uint32_t>(sent) % kPieces, 0, kBlockSize});
    ++sent;
  }
  ASSERT_TRUE(r.close);
  EXPECT_EQ(sent, 301);
  EXPECT_EQ(wire_.count<wire::Reject>(), 300u) << "one reject each, then the peer goes";
  EXPECT_NE(r.close->detail.find("while choked"), std::string::npos);
}

TEST_F(PeerSessionTest, TheirQueueIsBounded) {
  PeerSessionLimits limits;
  limits.max_queued_requests = 50;
  auto p = make(true, limits);
  for (std::uint32_t piece = 0; piece < kPieces; ++piece) picker_.set_have(piece);
  p.set_choke(false, "test");
  for (int i = 0; i < 50; ++i) {
    auto r = feed(p, wire::Request{static_cast<std::uint32_t>(i) % kPieces, 0, kBlockSize});
    EXPECT_TRUE(r.serve);
    EXPECT_FALSE(r.close);
  }
  auto r = feed(p, wire::Request{0, kBlockSize, kBlockSize});
  ASSERT_TRUE(r.close);
  EXPECT_EQ(r.close->detail, "too many outstanding requests");
}

TEST_F(PeerSessionTest, ChokingRejectsQueuedRequestsAndBlocksReadLaterAreNotSent) {
  auto p = make();
  for (std::uint32_t piece = 0; piece < kPieces; ++piece) picker_.set_have(piece);
  p.set_choke(false, "rate rank 1");
  feed(p, wire::Request{1, 0, kBlockSize});
  feed(p, wire::Request{2, 0, kBlockSize});
  auto batch = p.take_reads(1);
  ASSERT_EQ(batch.size(), 1u);
  p.set_choke(true, "rate rank 9");
  EXPECT_EQ(wire_.count<wire::Reject>(), 1u) << "the one still queued";
  EXPECT_EQ(p.blocks_read(batch, {std::string(kBlockSize, 'z')}, t0_), 0);
  EXPECT_TRUE(wire_.blocks.empty());
  p.set_choke(false, "rate rank 1");
  feed(p, wire::Request{3, 0, kBlockSize});
  batch = p.take_reads(4);
  EXPECT_EQ(p.blocks_read(batch, {std::string(kBlockSize, 'z')}, t0_), kBlockSize);
  ASSERT_EQ(wire_.blocks.size(), 1u);
  EXPECT_EQ(wire_.blocks[0].piece, 3u);
  EXPECT_EQ(p.uploaded(), kBlockSize);
}

TEST_F(PeerSessionTest, ClientNameIsShortAndPrintableAndListenPortIsReported) {
  auto p = make();
  wire::ExtensionHandshake h;
  h.client = "x\x1b[2J" + std::string(5000, 'y');
  h.listen_port = 51413;
  auto r = feed(p, wire::Extended{0, wire::encode_extension_handshake(h)});
  EXPECT_LE(p.client().size(), 64u);
  EXPECT_EQ(p.client().find('\x1b'), std::string::npos);
  ASSERT_TRUE(r.listen_port);
  EXPECT_EQ(*r.listen_port, 51413);
}

TEST_F(PeerSessionTest, ASnubbedPeerLosesItsRequests) {
  auto p = make();
  feed(p, wire::HaveAll{});
  feed(p, wire::Unchoke{}, t0_);
  p.fill_requests(picker_, {8, 1});
  ASSERT_EQ(picker_.requested_count(1), 8u);
  ChokerConfig config;
  EXPECT_FALSE(p.check_snub(picker_, t0_ + 59s, config));
  EXPECT_TRUE(p.check_snub(picker_, t0_ + 61s, config));
  EXPECT_TRUE(p.snubbed());
  EXPECT_EQ(picker_.requested_count(1), 0u);
}

TEST_F(PeerSessionTest, BothSeedsHaveNothingToTrade) {
  for (std::uint32_t piece = 0; piece < kPieces; ++piece) picker_.set_have(piece);
  auto p = make();
  auto r = feed(p, wire::HaveAll{});
  ASSERT_TRUE(r.close);
  EXPECT_EQ(r.close->reason, DepartureReason::not_useful);
}

TEST_F(PeerSessionTest, TrimmingCancelsTheNewestRequests) {
  auto p = make();
  feed(p, wire::HaveAll{});
  feed(p, wire::Unchoke{});
  p.fill_requests(picker_, {10, 1});
  const auto reqs = wire_.all<wire::Request>();
  p.trim_requests(picker_, 4);
  EXPECT_EQ(picker_.requested_count(1), 4u);
  const auto cancels = wire_.all<wire::Cancel>();
  ASSERT_EQ(cancels.size(), 6u);
  EXPECT_EQ(cancels[0].piece, reqs[9].piece);
  EXPECT_EQ(cancels[0].begin, reqs[9].begin);
}

}  // namespace
}  // namespace tessera
