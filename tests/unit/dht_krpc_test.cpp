#include <gtest/gtest.h>

#include <string>

#include "dht/krpc.hpp"
#include "hex_bytes.hpp"

namespace tessera::dht {
namespace {

namespace ip = boost::asio::ip;

NodeId id_of(std::string_view twenty) {
  return *NodeId::from_bytes(twenty);
}

Message decode_ok(std::string_view bytes) {
  auto m = decode_message(bytes);
  if (!m) {
    ADD_FAILURE() << m.error().message;
    return Message{};
  }
  return std::move(*m);
}

DecodeError decode_fails(std::string_view bytes) {
  auto m = decode_message(bytes);
  if (m) {
    ADD_FAILURE() << "decoded: " << bytes;
    return DecodeError{};
  }
  return std::move(m).error();
}

// The examples of BEP 5, byte for byte: each decodes to what the BEP says and encodes back.
TEST(DhtKrpc, PingQueryAndResponseFromBep5) {
  const std::string query = "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe";
  const Message q = decode_ok(query);
  EXPECT_EQ(q.transaction_id, "aa");
  ASSERT_TRUE(std::holds_alternative<Query>(q.body));
  EXPECT_EQ(std::get<Query>(q.body).method, Method::ping);
  EXPECT_EQ(std::get<Query>(q.body).id, id_of("abcdefghij0123456789"));
  EXPECT_EQ(encode_message(q), query);

  const std::string response = "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re";
  const Message r = decode_ok(response);
  ASSERT_TRUE(std::holds_alternative<Response>(r.body));
  EXPECT_EQ(std::get<Response>(r.body).id, id_of("mnopqrstuvwxyz123456"));
  EXPECT_TRUE(std::get<Response>(r.body).nodes.empty());
  EXPECT_FALSE(std::get<Response>(r.body).token.has_value());
  EXPECT_EQ(encode_message(r), response);
}

TEST(DhtKrpc, FindNodeQueryFromBep5) {
  const std::string query =
      "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe";
  const Message q = decode_ok(query);
  const auto& fq = std::get<Query>(q.body);
  EXPECT_EQ(fq.method, Method::find_node);
  EXPECT_EQ(fq.target, id_of("mnopqrstuvwxyz123456"));
  EXPECT_EQ(encode_message(q), query);
}

TEST(DhtKrpc, GetPeersQueryAndValuesResponseFromBep5) {
  const std::string query =
      "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe";
  const Message q = decode_ok(query);
  EXPECT_EQ(std::get<Query>(q.body).method, Method::get_peers);
  EXPECT_EQ(std::get<Query>(q.body).info_hash, id_of("mnopqrstuvwxyz123456"));
  EXPECT_EQ(encode_message(q), query);

  // "axje.u" is 97.120.106.101 port 11893, "idhtnm" 105.100.104.116 port 28269.
  const std::string response =
      "d1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re";
  const Message r = decode_ok(response);
  const auto& resp = std::get<Response>(r.body);
  EXPECT_EQ(resp.token, "aoeusnth");
  ASSERT_EQ(resp.values.size(), 2u);
  EXPECT_EQ(resp.values[0], TcpEndpoint(ip::make_address("97.120.106.101"), 11893));
  EXPECT_EQ(resp.values[1], TcpEndpoint(ip::make_address("105.100.104.116"), 28269));
  EXPECT_EQ(encode_message(r), response);
}

TEST(DhtKrpc, AnnouncePeerQueryFromBep5) {
  const std::string query =
      "d1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:"
      "token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe";
  const Message q = decode_ok(query);
  const auto& a = std::get<Query>(q.body);
  EXPECT_EQ(a.method, Method::announce_peer);
  EXPECT_TRUE(a.implied_port);
  EXPECT_EQ(a.port, 6881);
  EXPECT_EQ(a.token, "aoeusnth");
  EXPECT_EQ(a.info_hash, id_of("mnopqrstuvwxyz123456"));
  EXPECT_EQ(encode_message(q), query);
}

TEST(DhtKrpc, ErrorFromBep5) {
  const std::string error = "d1:eli201e23:A Generic Error Ororrede1:t2:aa1:y1:ee";
  const Message e = decode_ok(error);
  ASSERT_TRUE(std::holds_alternative<ErrorReply>(e.body));
  EXPECT_EQ(std::get<ErrorReply>(e.body).code, kErrorGeneric);
  EXPECT_EQ(std::get<ErrorReply>(e.body).message, "A Generic Error Ororred");
  EXPECT_EQ(encode_message(e), error);
}

TEST(DhtKrpc, CompactNodesBothFamilies) {
  Response r;
  r.id = id_of("mnopqrstuvwxyz123456");
  r.nodes.push_back({id_of("AAAAAAAAAAAAAAAAAAAA"), UdpEndpoint(ip::make_address("1.2.3.4"), 0x1ae1)});
  r.nodes.push_back({id_of("BBBBBBBBBBBBBBBBBBBB"), UdpEndpoint(ip::make_address("5.6.7.8"), 1)});
  r.nodes6.push_back({id_of("CCCCCCCCCCCCCCCCCCCC"), UdpEndpoint(ip::make_address("2001:db8::1"), 6881)});
  r.token = "tk";
  Message m;
  m.transaction_id = std::string("\x00\x01", 2);
  m.body = r;
  const std::string bytes = encode_message(m);
  const std::string expected = "d1:rd2:id20:mnopqrstuvwxyz1234565:nodes52:AAAAAAAAAAAAAAAAAAAA" +
                               test::hex("01020304 1ae1") + "BBBBBBBBBBBBBBBBBBBB" +
                               test::hex("05060708 0001") + "6:nodes638:CCCCCCCCCCCCCCCCCCCC" +
                               test::hex("20010db8000000000000000000000001 1ae1") +
                               "5:token2:tke1:t2:" + std::string("\x00\x01", 2) + "1:y1:re";
  EXPECT_EQ(bytes, expected);
  EXPECT_EQ(decode_ok(bytes), m);
}

TEST(DhtKrpc, PeersOfBothFamiliesAndOddEntriesSkipped) {
  const std::string bytes = "d1:rd2:id20:mnopqrstuvwxyz1234566:valuesl6:" + test::hex("7f000001 1ae1") +
                            "18:" + test::hex("00000000000000000000000000000001 0050") + "5:shorti7ee" +
                            "e1:t1:x1:y1:re";
  const Message m = decode_ok(bytes);
  const auto& resp = std::get<Response>(m.body);
  ASSERT_EQ(resp.values.size(), 2u);
  EXPECT_EQ(resp.values[0], TcpEndpoint(ip::make_address("127.0.0.1"), 6881));
  EXPECT_EQ(resp.values[1], TcpEndpoint(ip::make_address("::1"), 80));
}

TEST(DhtKrpc, VersionReadOnlyAndRequesterAddress) {
  const std::string bytes = "d1:ad2:id20:abcdefghij0123456789e2:ip6:" + test::hex("c0000201 1ae1") +
                            "1:q4:ping2:roi1e1:t2:aa1:v4:TS011:y1:qe";
  const Message m = decode_ok(bytes);
  EXPECT_TRUE(m.read_only);
  EXPECT_EQ(m.client_version, "TS01");
  EXPECT_EQ(m.requester, UdpEndpoint(ip::make_address("192.0.2.1"), 6881));
  EXPECT_EQ(encode_message(m), bytes);
}

TEST(DhtKrpc, OverlongVersionIsIgnoredNotFatal) {
  const Message m =
      decode_ok("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:v17:xxxxxxxxxxxxxxxxx1:y1:qe");
  EXPECT_FALSE(m.client_version.has_value());
}

TEST(DhtKrpc, UnknownKeysAreIgnored) {
  const Message m = decode_ok(
      "d1:ad2:id20:abcdefghij01234567894:wantl2:n42:n6e5:extrai5ee1:q4:ping1:t2:aa1:y1:q3:zzzli1eee");
  EXPECT_EQ(encode_message(m), "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe");
}

TEST(DhtKrpc, AnnounceWithoutImpliedPortNeedsAPort) {
  const auto no_port = decode_fails(
      "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234565:token2:tke1:q13:announce_peer1:t2:"
      "aa1:y1:qe");
  EXPECT_EQ(no_port.code, DecodeError::Code::bad_arguments);
  EXPECT_TRUE(no_port.query);
  EXPECT_EQ(no_port.transaction_id, "aa");
  const auto bad_port = decode_fails(
      "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti65536e5:token2:tke1:q13:"
      "announce_peer1:t2:aa1:y1:qe");
  EXPECT_EQ(bad_port.code, DecodeError::Code::bad_arguments);
  // implied_port without a port is fine: the datagram's source port is used.
  const Message ok = decode_ok(
      "d1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:mnopqrstuvwxyz1234565:token2:tke1:q13:"
      "announce_peer1:t2:aa1:y1:qe");
  EXPECT_EQ(std::get<Query>(ok.body).port, 0);
  EXPECT_TRUE(std::get<Query>(ok.body).implied_port);
}

TEST(DhtKrpc, AnnounceNeedsABoundedToken) {
  const auto missing = decode_fails(
      "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti1ee1:q13:announce_peer1:t2:"
      "aa1:y1:qe");
  EXPECT_EQ(missing.code, DecodeError::Code::bad_arguments);
  const std::string long_token(65, 't');
  const auto too_long = decode_fails(
      "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti1e5:token65:" + long_token +
      "e1:q13:announce_peer1:t2:aa1:y1:qe");
  EXPECT_EQ(too_long.code, DecodeError::Code::bad_arguments);
}

TEST(DhtKrpc, NodeIdsMustBeTwentyBytes) {
  const auto short_id = decode_fails("d1:ad2:id19:abcdefghij012345678e1:q4:ping1:t2:aa1:y1:qe");
  EXPECT_EQ(short_id.code, DecodeError::Code::bad_arguments);
  EXPECT_EQ(short_id.message, "\"id\" is 19 bytes, not 20");
  const auto long_target = decode_fails(
      "d1:ad2:id20:abcdefghij01234567896:target21:mnopqrstuvwxyz1234567e1:q9:find_node1:t2:aa1:y1:qe");
  EXPECT_EQ(long_target.code, DecodeError::Code::bad_arguments);
  const auto response_without_id = decode_fails("d1:rde1:t2:aa1:y1:re");
  EXPECT_EQ(response_without_id.code, DecodeError::Code::bad_arguments);
  EXPECT_FALSE(response_without_id.query);
}

TEST(DhtKrpc, NodesMustBeWholeEntries) {
  const auto torn = decode_fails("d1:rd2:id20:mnopqrstuvwxyz1234565:nodes9:def456...e1:t2:aa1:y1:re");
  EXPECT_EQ(torn.code, DecodeError::Code::bad_arguments);
  EXPECT_EQ(torn.message, "\"nodes\" is 9 bytes, not a multiple of 26");
  const auto torn6 =
      decode_fails("d1:rd2:id20:mnopqrstuvwxyz1234566:nodes626:" + std::string(26, 'x') + "e1:t2:aa1:y1:re");
  EXPECT_EQ(torn6.code, DecodeError::Code::bad_arguments);
  const auto not_string = decode_fails("d1:rd2:id20:mnopqrstuvwxyz1234565:nodeslee1:t2:aa1:y1:re");
  EXPECT_EQ(not_string.code, DecodeError::Code::bad_arguments);
}

TEST(DhtKrpc, ListSizesAreBounded) {
  const std::string many_nodes(26 * (kMaxNodes + 1), 'n');
  const auto nodes = decode_fails("d1:rd2:id20:mnopqrstuvwxyz1234565:nodes" +
                                  std::to_string(many_nodes.size()) + ":" + many_nodes + "e1:t2:aa1:y1:re");
  EXPECT_EQ(nodes.code, DecodeError::Code::bad_arguments);
  std::string values;
  for (std::size_t i = 0; i <= kMaxValues; ++i) values += "0:";
  const auto peers = decode_fails("d1:rd2:id20:mnopqrstuvwxyz1234566:valuesl" + values + "ee1:t2:aa1:y1:re");
  EXPECT_EQ(peers.code, DecodeError::Code::bad_arguments);
  EXPECT_EQ(peers.message, "\"values\" holds more than 256 peers");
}

TEST(DhtKrpc, TransactionIdIsRequiredAndBounded) {
  const auto missing = decode_fails("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:y1:qe");
  EXPECT_EQ(missing.code, DecodeError::Code::bad_transaction_id);
  EXPECT_FALSE(missing.transaction_id.has_value());
  EXPECT_FALSE(error_reply_for(missing).has_value());  // nothing to echo, so no reply
  const auto too_long =
      decode_fails("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t17:xxxxxxxxxxxxxxxxx1:y1:qe");
  EXPECT_EQ(too_long.code, DecodeError::Code::bad_transaction_id);
}

TEST(DhtKrpc, ErrorsAfterTheTransactionIdCarryIt) {
  const auto bad_type = decode_fails("d1:t2:zz1:y1:xe");
  EXPECT_EQ(bad_type.code, DecodeError::Code::bad_type);
  EXPECT_EQ(bad_type.transaction_id, "zz");
  EXPECT_FALSE(bad_type.query);
  EXPECT_FALSE(error_reply_for(bad_type).has_value());  // only queries are answered
}

TEST(DhtKrpc, MalformedQueryGetsAProtocolErrorReply) {
  const auto error = decode_fails("d1:ad2:id3:abce1:q4:ping1:t2:q71:y1:qe");
  const auto reply = error_reply_for(error);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(encode_message(*reply), "d1:eli203e23:\"id\" is 3 bytes, not 20e1:t2:q71:y1:ee");
}

TEST(DhtKrpc, UnknownMethodGetsMethodUnknownReply) {
  const auto error = decode_fails("d1:ad2:id20:abcdefghij0123456789e1:q3:get1:t1:x1:y1:qe");
  EXPECT_EQ(error.code, DecodeError::Code::unknown_method);
  EXPECT_EQ(error.message, "unknown query method \"get\"");
  const auto reply = error_reply_for(error);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(std::get<ErrorReply>(reply->body).code, kErrorMethodUnknown);
  EXPECT_EQ(reply->transaction_id, "x");
}

TEST(DhtKrpc, UnprintableMethodNamesAreMaskedInTheMessage) {
  const auto error = decode_fails(std::string("d1:ad2:id20:abcdefghij0123456789e1:q3:a\nb1:t1:x1:y1:qe"));
  EXPECT_EQ(error.message, "unknown query method \"a?b\"");
}

TEST(DhtKrpc, HostileBytesAreRejectedWithoutATransactionId) {
  EXPECT_EQ(decode_fails("").code, DecodeError::Code::not_bencode);
  EXPECT_EQ(decode_fails("i42e").code, DecodeError::Code::not_a_dict);
  EXPECT_EQ(decode_fails("d1:t2:aa").code, DecodeError::Code::not_bencode);
  EXPECT_EQ(decode_fails(std::string(kMaxDatagram + 1, 'd')).code, DecodeError::Code::too_large);
  std::string deep = "d1:t1:x1:y1:q1:q4:ping1:a";
  for (int i = 0; i < 20; ++i) deep += "l";
  for (int i = 0; i < 20; ++i) deep += "e";
  deep += "e";
  EXPECT_EQ(decode_fails(deep).code, DecodeError::Code::not_bencode);
}

TEST(DhtKrpc, ErrorMessagesAreCut) {
  const std::string long_message(300, 'm');
  const Message e = decode_ok("d1:eli202e300:" + long_message + "e1:t1:x1:y1:ee");
  EXPECT_EQ(std::get<ErrorReply>(e.body).message.size(), kMaxErrorMessage);
  EXPECT_EQ(std::get<ErrorReply>(e.body).code, kErrorServer);
  // A code without a message is an error all the same.
  EXPECT_EQ(std::get<ErrorReply>(decode_ok("d1:eli201ee1:t1:x1:y1:ee").body).message, "");
  EXPECT_EQ(decode_fails("d1:ele1:t1:x1:y1:ee").code, DecodeError::Code::bad_arguments);
}

TEST(DhtKrpc, EncodingSkipsEndpointsOfTheWrongFamily) {
  Response r;
  r.id = id_of("mnopqrstuvwxyz123456");
  r.nodes.push_back({id_of("AAAAAAAAAAAAAAAAAAAA"), UdpEndpoint(ip::make_address("::1"), 1)});
  r.nodes6.push_back({id_of("BBBBBBBBBBBBBBBBBBBB"), UdpEndpoint(ip::make_address("1.2.3.4"), 1)});
  Message m;
  m.transaction_id = "aa";
  m.body = r;
  EXPECT_EQ(encode_message(m), "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re");
}

TEST(DhtKrpc, CompactHelpers) {
  const auto node = decode_compact_node("AAAAAAAAAAAAAAAAAAAA" + test::hex("0a000001 c8d5"));
  ASSERT_TRUE(node.has_value());
  EXPECT_EQ(node->endpoint, UdpEndpoint(ip::make_address("10.0.0.1"), 51413));
  EXPECT_EQ(encode_compact_node(*node), "AAAAAAAAAAAAAAAAAAAA" + test::hex("0a000001 c8d5"));
  EXPECT_FALSE(decode_compact_node(std::string(25, 'x')).has_value());
  EXPECT_FALSE(decode_compact_peer(std::string(7, 'x')).has_value());
}

}  // namespace
}  // namespace tessera::dht
