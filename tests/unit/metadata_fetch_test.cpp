#include <gtest/gtest.h>

#include "metadata/metadata_fetch.hpp"

namespace tessera {
namespace {

using namespace std::chrono_literals;
using Type = wire::MetadataMessage::Type;
using TimePoint = MetadataFetch::TimePoint;

// An "info dictionary" of `size` bytes, and the fetch for it.
struct Fixture {
  explicit Fixture(std::int64_t size, MetadataFetchLimits limits = {})
      : info(make(size)), fetch(sha1(info), limits) {}
  static std::string make(std::int64_t size) {
    std::string s(static_cast<std::size_t>(size), '\0');
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 13) % 26);
    return s;
  }
  wire::MetadataMessage piece(std::uint32_t i) const {
    const auto begin = static_cast<std::size_t>(i) * wire::kMetadataPieceSize;
    return {Type::data, i, static_cast<std::int64_t>(info.size()),
            info.substr(begin, static_cast<std::size_t>(wire::metadata_piece_size(static_cast<std::int64_t>(info.size()), i)))};
  }
  std::string info;
  MetadataFetch fetch;
  TimePoint now{};
};

TEST(MetadataFetch, AssemblesAndVerifiesFromTwoPeers) {
  Fixture f(40000);  // three pieces, the last short
  f.fetch.add_peer(1, 40000);
  f.fetch.add_peer(2, 40000);
  EXPECT_EQ(f.fetch.size(), 40000);
  EXPECT_EQ(f.fetch.pieces_total(), 3u);
  EXPECT_EQ(f.fetch.requests_for(1, f.now), (std::vector<std::uint32_t>{0, 1}));  // two per peer
  EXPECT_EQ(f.fetch.requests_for(2, f.now), (std::vector<std::uint32_t>{2}));
  EXPECT_TRUE(f.fetch.requests_for(1, f.now).empty());
  EXPECT_FALSE(f.fetch.on_data(2, f.piece(2), f.now).complete);
  EXPECT_FALSE(f.fetch.on_data(1, f.piece(0), f.now).complete);
  auto last = f.fetch.on_data(1, f.piece(1), f.now);
  EXPECT_TRUE(last.complete);
  EXPECT_TRUE(f.fetch.complete());
  EXPECT_EQ(f.fetch.metadata(), f.info);
}

TEST(MetadataFetch, ThePeersMajoritySizeWins) {
  Fixture f(20000);
  f.fetch.add_peer(1, 999999);  // a liar first
  EXPECT_EQ(f.fetch.size(), 999999);
  EXPECT_EQ(f.fetch.requests_for(1, f.now).size(), 2u);
  f.fetch.add_peer(2, 20000);
  f.fetch.add_peer(3, 20000);
  EXPECT_EQ(f.fetch.size(), 20000);  // outvoted before any piece came in
  EXPECT_TRUE(f.fetch.requests_for(1, f.now).empty());  // its size differs: not asked
  f.fetch.add_peer(4, std::nullopt);  // says no size: asked once one is known
  EXPECT_EQ(f.fetch.requests_for(4, f.now), (std::vector<std::uint32_t>{0, 1}));
  EXPECT_EQ(f.fetch.peers_offering(), 3u);
  // The liar's answer to its old request is not this fetch's.
  auto lie = f.piece(0);
  lie.total_size = 999999;
  lie.data = std::string(16384, 'x');
  EXPECT_FALSE(f.fetch.on_data(1, lie, f.now).drop);
  EXPECT_EQ(f.fetch.pieces_received(), 0u);
}

TEST(MetadataFetch, OverTheCapIsNeverFetched) {
  MetadataFetchLimits limits;
  limits.max_size = 100000;
  Fixture f(1000, limits);
  f.fetch.add_peer(1, 100001);
  EXPECT_EQ(f.fetch.size(), 0);
  EXPECT_TRUE(f.fetch.requests_for(1, f.now).empty());
  EXPECT_NE(f.fetch.problem().find("over the limit of 100000"), std::string::npos) << f.fetch.problem();
  f.fetch.add_peer(2, 0);
  EXPECT_TRUE(f.fetch.requests_for(2, f.now).empty());
}

TEST(MetadataFetch, WrongSizedPieceDropsTheSender) {
  Fixture f(40000);
  f.fetch.add_peer(1, 40000);
  f.fetch.requests_for(1, f.now);
  auto m = f.piece(0);
  m.data.pop_back();
  auto out = f.fetch.on_data(1, m, f.now);
  ASSERT_TRUE(out.drop);
  EXPECT_NE(out.drop->find("wrong size"), std::string::npos);
  m = f.piece(0);
  m.piece = 7;
  EXPECT_TRUE(f.fetch.on_data(1, m, f.now).drop);
}

TEST(MetadataFetch, ADifferentTotalSizeMakesThePeerUnusableAndFreesItsRequests) {
  Fixture f(40000);
  f.fetch.add_peer(1, 40000);
  f.fetch.add_peer(2, 40000);
  EXPECT_EQ(f.fetch.requests_for(1, f.now).size(), 2u);
  auto m = f.piece(0);
  m.total_size = 50000;
  auto out = f.fetch.on_data(1, m, f.now);
  EXPECT_FALSE(out.drop);
  EXPECT_TRUE(f.fetch.requests_for(1, f.now).empty());
  EXPECT_EQ(f.fetch.requests_for(2, f.now), (std::vector<std::uint32_t>{0, 1}));
}

TEST(MetadataFetch, HashFailureBlamesTheSendersAndStartsOver) {
  Fixture f(20000);
  f.fetch.add_peer(1, 20000);
  f.fetch.add_peer(2, 20000);
  f.fetch.add_peer(3, 20000);
  ASSERT_EQ(f.fetch.requests_for(1, f.now), (std::vector<std::uint32_t>{0, 1}));
  auto bad = f.piece(1);
  bad.data[0] ^= 1;
  f.fetch.on_data(1, f.piece(0), f.now);
  auto out = f.fetch.on_data(1, bad, f.now);
  EXPECT_FALSE(out.complete);
  EXPECT_EQ(out.blamed, (std::vector<PeerKey>{1}));
  EXPECT_NE(f.fetch.problem().find("does not match the info-hash"), std::string::npos);
  EXPECT_EQ(f.fetch.pieces_received(), 0u);
  EXPECT_TRUE(f.fetch.requests_for(1, f.now).empty());  // forgotten
  ASSERT_EQ(f.fetch.requests_for(2, f.now), (std::vector<std::uint32_t>{0, 1}));
  f.fetch.on_data(2, f.piece(0), f.now);
  EXPECT_TRUE(f.fetch.on_data(2, f.piece(1), f.now).complete);
}

TEST(MetadataFetch, WhenSeveralSentTheBadBytesNoOneIsBlamedAndOnePeerAtATimeIsAsked) {
  Fixture f(40000);
  f.fetch.add_peer(1, 40000);  // honest
  f.fetch.add_peer(2, 40000);  // sends one bad piece
  ASSERT_EQ(f.fetch.requests_for(1, f.now), (std::vector<std::uint32_t>{0, 1}));
  ASSERT_EQ(f.fetch.requests_for(2, f.now), (std::vector<std::uint32_t>{2}));
  auto bad = f.piece(2);
  bad.data[5] ^= 1;
  f.fetch.on_data(1, f.piece(0), f.now);
  f.fetch.on_data(1, f.piece(1), f.now);
  auto out = f.fetch.on_data(2, bad, f.now);
  EXPECT_FALSE(out.complete);
  EXPECT_TRUE(out.blamed.empty()) << "the honest peer must not be banned for another's piece";
  EXPECT_NE(f.fetch.problem().find("one peer at a time"), std::string::npos) << f.fetch.problem();
  // Now the liar alone gets the whole dictionary to send, and is caught.
  ASSERT_EQ(f.fetch.requests_for(2, f.now), (std::vector<std::uint32_t>{0, 1}));
  EXPECT_TRUE(f.fetch.requests_for(1, f.now).empty());
  f.fetch.on_data(2, f.piece(0), f.now);
  f.fetch.on_data(2, f.piece(1), f.now);
  EXPECT_EQ(f.fetch.requests_for(2, f.now), (std::vector<std::uint32_t>{2}));
  out = f.fetch.on_data(2, bad, f.now);
  EXPECT_EQ(out.blamed, (std::vector<PeerKey>{2}));
  // The honest one then sends it all.
  ASSERT_EQ(f.fetch.requests_for(1, f.now), (std::vector<std::uint32_t>{0, 1}));
  f.fetch.on_data(1, f.piece(0), f.now);
  f.fetch.on_data(1, f.piece(1), f.now);
  ASSERT_EQ(f.fetch.requests_for(1, f.now), (std::vector<std::uint32_t>{2}));
  EXPECT_TRUE(f.fetch.on_data(1, f.piece(2), f.now).complete);
}

TEST(MetadataFetch, InOnePeerModeASilentSourceGivesWayToAnother) {
  Fixture f(20000);
  f.fetch.add_peer(1, 20000);
  f.fetch.add_peer(2, 20000);
  f.fetch.requests_for(1, f.now);
  auto bad = f.piece(1);
  bad.data[0] ^= 1;
  f.fetch.on_data(1, f.piece(0), f.now);
  f.fetch.requests_for(2, f.now);
  // Piece 1 came from 2 (a late answer): two senders, nobody blamed.
  EXPECT_TRUE(f.fetch.on_data(2, bad, f.now).blamed.empty());
  ASSERT_EQ(f.fetch.requests_for(1, f.now).size(), 2u);  // 1 is the source now
  f.fetch.tick(f.now + 21s);                             // and says nothing
  EXPECT_EQ(f.fetch.requests_for(2, f.now + 21s), (std::vector<std::uint32_t>{0, 1}));
}

TEST(MetadataFetch, RejectsAndTimeoutsSendThePieceElsewhere) {
  Fixture f(40000);
  f.fetch.add_peer(1, 40000);
  f.fetch.add_peer(2, 40000);
  ASSERT_EQ(f.fetch.requests_for(1, f.now), (std::vector<std::uint32_t>{0, 1}));
  f.fetch.on_reject(1, 0, f.now);
  EXPECT_EQ(f.fetch.requests_for(2, f.now + 10s), (std::vector<std::uint32_t>{0, 2}));
  EXPECT_TRUE(f.fetch.requests_for(1, f.now + 59s).empty());  // resting after its reject
  // Piece 1 is still out with peer 1; after the timeout it is free again.
  f.fetch.tick(f.now + 20s);
  f.fetch.on_data(2, f.piece(0), f.now + 20s);
  EXPECT_EQ(f.fetch.requests_for(2, f.now + 20s), (std::vector<std::uint32_t>{1}));
  // Peer 1 answers late after all: taken, and the fetch completes when the rest arrives.
  f.fetch.on_data(1, f.piece(1), f.now + 21s);
  EXPECT_TRUE(f.fetch.on_data(2, f.piece(2), f.now + 22s).complete);
  EXPECT_EQ(f.fetch.metadata(), f.info);
}

TEST(MetadataFetch, APeerLeavingReleasesItsRequests) {
  Fixture f(40000);
  f.fetch.add_peer(1, 40000);
  f.fetch.add_peer(2, 40000);
  f.fetch.requests_for(1, f.now);
  f.fetch.remove_peer(1);
  EXPECT_EQ(f.fetch.requests_for(2, f.now), (std::vector<std::uint32_t>{0, 1}));
  EXPECT_FALSE(f.fetch.on_data(1, f.piece(2), f.now).complete);  // gone: ignored
  EXPECT_EQ(f.fetch.pieces_received(), 0u);
}

TEST(MetadataFetch, PeersAreCapped) {
  MetadataFetchLimits limits;
  limits.max_peers = 3;
  Fixture f(100, limits);
  for (PeerKey k = 1; k <= 10; ++k) f.fetch.add_peer(k, 100);
  EXPECT_EQ(f.fetch.peers_offering(), 3u);
}

}  // namespace
}  // namespace tessera
