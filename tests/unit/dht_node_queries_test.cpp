// DhtNode answering other nodes' queries: bytes on the wire, tokens, storage, limits.
#include <gtest/gtest.h>

#include <set>

#include "dht_test_support.hpp"
#include "hash/sha1.hpp"

namespace tessera::dht::testing {
namespace {

std::string compact(const UdpEndpoint& e) {
  return encode_compact_endpoint(e.address(), e.port());
}

std::string token_for(std::uint8_t secret, const UdpEndpoint& requester) {
  std::string input(20, static_cast<char>(secret));
  input += compact(requester).substr(0, 4);
  return std::string(sha1(input).view().substr(0, 8));
}

// The one reply among what the node sent (leaving out its pings back to strangers).
std::string only_reply(const std::vector<DhtNode::Datagram>& out, const UdpEndpoint& to) {
  std::vector<std::string> replies;
  for (const auto& d : out) {
    if (std::holds_alternative<Query>(decoded(d.bytes).body)) continue;
    EXPECT_EQ(d.to, to);
    replies.push_back(d.bytes);
  }
  EXPECT_EQ(replies.size(), 1u);
  return replies.empty() ? std::string() : replies[0];
}

using DhtNodeQueries = DhtNodeFixture;

TEST_F(DhtNodeQueries, AnswersPingByteForByte) {
  const std::string reply =
      only_reply(feed(ep(1), "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"), ep(1));
  // BEP 5's example response (this query comes with a ping back to verify the stranger).
  EXPECT_EQ(reply, "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re");
}

TEST_F(DhtNodeQueries, AStrangerIsPingedBackOnceBeforeItEntersTheTable) {
  node.on_datagram(ep(1), query_bytes("q1", ping_query(id_n(1))), now);
  node.on_datagram(ep(1), query_bytes("q2", ping_query(id_n(1))), now);
  const auto sent = queries_in(node.take_datagrams());
  ASSERT_EQ(sent.size(), 1u);  // a second query before its answer brings no second ping
  EXPECT_EQ(sent[0].to, ep(1));
  EXPECT_EQ(sent[0].query.method, Method::ping);
  EXPECT_EQ(sent[0].query.id, own);
  EXPECT_FALSE(node.table().find(id_n(1)).has_value());
  feed(ep(1), response_bytes(sent[0].tid, Response{id_n(1), {}, {}, {}, {}}));
  EXPECT_TRUE(node.table().find(id_n(1)).has_value());
}

TEST_F(DhtNodeQueries, ReadOnlyQueriersAreAnsweredButNotAdded) {
  const auto out = feed(ep(1), "d1:ad2:id20:abcdefghij0123456789e1:q4:ping2:roi1e1:t2:aa1:y1:qe");
  EXPECT_EQ(only_reply(out, ep(1)), "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re");
}

TEST_F(DhtNodeQueries, AnswersFindNodeWithTheClosestNodes) {
  introduce(1);
  const std::string reply = only_reply(
      feed(ep(2, 7000),
           "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe"),
      ep(2, 7000));
  EXPECT_EQ(reply, "d1:rd2:id20:mnopqrstuvwxyz1234565:nodes26:" + std::string(id_n(1).view()) +
                       compact(ep(1)) + "e1:t2:aa1:y1:re");
}

TEST_F(DhtNodeQueries, AnswersGetPeersWithATokenBoundToTheAddress) {
  const UdpEndpoint asker = ep(2, 7000);
  const std::string reply = only_reply(
      feed(asker,
           "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe"),
      asker);
  EXPECT_EQ(reply, "d1:rd2:id20:mnopqrstuvwxyz1234565:token8:" + token_for(1, asker) + "e1:t2:aa1:y1:re");
}

TEST_F(DhtNodeQueries, AnnouncedPeersAreStoredAndHandedOut) {
  const NodeId info_hash = id_n(77);
  const UdpEndpoint announcer = ep(2, 7000);
  const UdpEndpoint implied = ep(3, 7001);
  // Tokens come from get_peers; an announce with the wrong token (or another address's) fails.
  for (const auto& who : {announcer, implied}) {
    feed(who, query_bytes("gp", Query{Method::get_peers, id_n(who.port()), {}, info_hash, 0, false, {}}));
  }
  const std::string bad = only_reply(
      feed(announcer,
           query_bytes(
               "an",
               Query{Method::announce_peer, id_n(2), {}, info_hash, 51413, false, token_for(1, implied)})),
      announcer);
  EXPECT_EQ(bad, "d1:eli203e9:bad tokene1:t2:an1:y1:ee");
  EXPECT_EQ(node.peer_store().peer_count(info_hash), 0u);

  const std::string ok = only_reply(
      feed(announcer,
           query_bytes(
               "an",
               Query{Method::announce_peer, id_n(2), {}, info_hash, 51413, false, token_for(1, announcer)})),
      announcer);
  EXPECT_EQ(ok, "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:an1:y1:re");
  // implied_port: the datagram's source port is the peer's port.
  only_reply(feed(implied, "d1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:" +
                               std::string(info_hash.view()) + "4:porti1e5:token8:" + token_for(1, implied) +
                               "e1:q13:announce_peer1:t2:an1:y1:qe"),
             implied);

  const auto out =
      feed(ep(4), query_bytes("g2", Query{Method::get_peers, id_n(4), {}, info_hash, 0, false, {}}));
  const Message m = decoded(only_reply(out, ep(4)));
  const auto& r = std::get<Response>(m.body);
  EXPECT_EQ(std::set<TcpEndpoint>(r.values.begin(), r.values.end()),
            (std::set{TcpEndpoint(announcer.address(), 51413), TcpEndpoint(implied.address(), 7001)}));
}

TEST_F(DhtNodeQueries, TokensOfThePreviousSecretStillWorkThenExpire) {
  const NodeId info_hash = id_n(77);
  const UdpEndpoint announcer = ep(2);
  const std::string token = token_for(1, announcer);
  now = t0 + 6min;  // one rotation: secret 1 is the previous one
  const auto accepted = decoded(only_reply(
      feed(announcer,
           query_bytes("a1", Query{Method::announce_peer, id_n(2), {}, info_hash, 1, false, token})),
      announcer));
  EXPECT_TRUE(std::holds_alternative<Response>(accepted.body));
  now = t0 + 11min;
  const auto refused = decoded(only_reply(
      feed(announcer,
           query_bytes("a2", Query{Method::announce_peer, id_n(2), {}, info_hash, 1, false, token})),
      announcer));
  EXPECT_EQ(std::get<ErrorReply>(refused.body).code, kErrorProtocol);
}

TEST_F(DhtNodeQueries, StoredPeersExpireAndRepliesCarryAtMostFifty) {
  const NodeId info_hash = id_n(77);
  for (std::uint32_t i = 0; i < 60; ++i) {
    feed(ep(100 + i), query_bytes("an", Query{Method::announce_peer,
                                              id_n(100 + i),
                                              {},
                                              info_hash,
                                              6881,
                                              false,
                                              token_for(1, ep(100 + i))}));
  }
  EXPECT_EQ(node.peer_store().peer_count(info_hash), 60u);
  const auto get = [&] {
    const auto out =
        feed(ep(5), query_bytes("gp", Query{Method::get_peers, id_n(5), {}, info_hash, 0, false, {}}));
    return std::get<Response>(decoded(only_reply(out, ep(5))).body).values;
  };
  EXPECT_EQ(get().size(), 50u);
  now = t0 + 31min;
  node.tick(now);
  EXPECT_TRUE(get().empty());
  EXPECT_EQ(node.status(now).stored_peers, 0u);
}

TEST_F(DhtNodeQueries, BadQueriesGetProtocolOrMethodErrors) {
  // An id of 3 bytes: 203, with the transaction id echoed.
  const Message bad = decoded(only_reply(feed(ep(1), "d1:ad2:id3:abce1:q4:ping1:t2:xy1:y1:qe"), ep(1)));
  EXPECT_EQ(bad.transaction_id, "xy");
  EXPECT_EQ(std::get<ErrorReply>(bad.body).code, 203);
  const Message unknown =
      decoded(only_reply(feed(ep(1), "d1:ad2:id20:abcdefghij0123456789e1:q3:put1:t2:xy1:y1:qe"), ep(1)));
  EXPECT_EQ(std::get<ErrorReply>(unknown.body).code, 204);
  // Not a query, or nothing to echo: silence.
  EXPECT_TRUE(feed(ep(1), "garbage").empty());
  EXPECT_TRUE(feed(ep(1), "d1:y1:qe").empty());
  EXPECT_TRUE(feed(ep(1), std::string(9000, 'd')).empty());
  EXPECT_EQ(node.status(now).bad_datagrams, 5u);
}

TEST_F(DhtNodeQueries, FloodsAreDroppedPerAddressAndInAll) {
  int answered = 0;
  for (int i = 0; i < 100; ++i) {
    for (const auto& d : feed(ep(1), "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe")) {
      answered += !std::holds_alternative<Query>(decoded(d.bytes).body);
    }
  }
  EXPECT_EQ(answered, 20);  // the burst of one address
  EXPECT_EQ(node.status(now).queries_dropped, 80u);
  now += 1s;
  answered = 0;
  for (int i = 0; i < 100; ++i)
    answered += !feed(ep(1), query_bytes("aa", ping_query(id_n(1)))).empty();  // no ping back: one is pending
  EXPECT_EQ(answered, 5);
  // Many addresses at once meet the global bucket (1000 at once, 500 a second).
  answered = 0;
  for (std::uint32_t i = 0; i < 3000; ++i)
    answered += !feed(ep(1000 + i), query_bytes("aa", ping_query(id_n(5)))).empty();
  EXPECT_EQ(answered, 1000 - 5);  // 20 were taken at t0, 500 came back since
}

}  // namespace
}  // namespace tessera::dht::testing
