// Test helpers for DhtNode: a node on a fake clock, and scripted remote nodes that answer (or
// not) the queries it sends.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dht/dht_node.hpp"

namespace tessera::dht::testing {

using namespace std::chrono_literals;
namespace ip = boost::asio::ip;
using TimePoint = DhtNode::TimePoint;

inline UdpEndpoint ep(std::uint32_t n, std::uint16_t port = 6881) {
  return UdpEndpoint(ip::address_v4(0x0a000000u + n), port);
}
inline NodeId id_n(std::uint32_t n) {
  NodeId id;
  id.bytes[0] = 0x80;  // far from an all-zero id
  id.bytes[16] = static_cast<std::uint8_t>(n >> 24);
  id.bytes[17] = static_cast<std::uint8_t>(n >> 16);
  id.bytes[18] = static_cast<std::uint8_t>(n >> 8);
  id.bytes[19] = static_cast<std::uint8_t>(n);
  return id;
}
inline CompactNode remote(std::uint32_t n) {
  return {id_n(n), ep(n)};
}

// Secret n is twenty bytes of n, as in the token tests.
inline AnnounceTokens::SecretSource counting_secrets() {
  return [n = 0]() mutable {
    AnnounceTokens::Secret s;
    s.fill(static_cast<std::uint8_t>(++n));
    return s;
  };
}

inline Message decoded(const std::string& bytes) {
  auto m = decode_message(bytes);
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().message);
  return m ? *m : Message{};
}

inline std::string query_bytes(const std::string& tid, Query q) {
  Message m;
  m.transaction_id = tid;
  m.body = std::move(q);
  return encode_message(m);
}
inline std::string response_bytes(const std::string& tid, Response r) {
  Message m;
  m.transaction_id = tid;
  m.body = std::move(r);
  return encode_message(m);
}
inline Query ping_query(const NodeId& from) {
  return Query{Method::ping, from, {}, {}, 0, false, {}};
}

// A query our node sent, decoded.
struct Sent {
  UdpEndpoint to;
  std::string tid;
  Query query;
};
inline std::vector<Sent> queries_in(const std::vector<DhtNode::Datagram>& out) {
  std::vector<Sent> sent;
  for (const auto& d : out) {
    const Message m = decoded(d.bytes);
    if (const auto* q = std::get_if<Query>(&m.body)) sent.push_back({d.to, m.transaction_id, *q});
  }
  return sent;
}

class DhtNodeFixture : public ::testing::Test {
 protected:
  using Responder = std::function<std::optional<Response>(const Sent&)>;

  TimePoint t0 = TimePoint{} + 1000h;
  TimePoint now = t0;
  NodeId own = *NodeId::from_bytes("mnopqrstuvwxyz123456");
  DhtNode node{own, t0, 42, counting_secrets(), {}};

  std::vector<DhtNode::Datagram> feed(const UdpEndpoint& from, std::string_view bytes) {
    node.on_datagram(from, bytes, now);
    return node.take_datagrams();
  }

  // Answers the node's queries through `respond` (nullopt: silence) until it sends no more;
  // returns every query it sent.
  std::vector<Sent> pump(const Responder& respond, std::vector<DhtNode::Datagram> out = {}) {
    std::vector<Sent> all;
    auto more = node.take_datagrams();
    out.insert(out.end(), more.begin(), more.end());
    for (int rounds = 0; !out.empty() && rounds < 10'000; ++rounds) {
      std::vector<DhtNode::Datagram> next;
      for (const Sent& s : queries_in(out)) {
        all.push_back(s);
        if (auto r = respond(s)) {
          auto replies = feed(s.to, response_bytes(s.tid, *r));
          next.insert(next.end(), replies.begin(), replies.end());
        }
      }
      out = std::move(next);
    }
    return all;
  }

  // Remote n queries us, we ping it back, it answers: it is in the table.
  void introduce(std::uint32_t n) {
    auto out = feed(ep(n), query_bytes("in", ping_query(id_n(n))));
    pump([&](const Sent&) { return std::optional<Response>(Response{id_n(n), {}, {}, {}, {}}); }, out);
    ASSERT_TRUE(node.table().find(id_n(n)).has_value());
  }

  // Bootstraps through a router that names `known`; every node answers with no more nodes.
  void make_ready(const std::vector<std::uint32_t>& known) {
    const UdpEndpoint router(ip::make_address("192.0.2.9"), 6881);
    node.bootstrap(std::vector{router}, {}, now);
    pump([&](const Sent& s) -> std::optional<Response> {
      Response r;
      if (s.to == router) {
        r.id = id_n(999'999);
        for (auto n : known) r.nodes.push_back(remote(n));
      } else {
        r.id = id_n(s.to.address().to_v4().to_uint() - 0x0a000000u);
      }
      return r;
    });
    ASSERT_EQ(node.status(now).state, DhtState::ready);
  }
};

}  // namespace tessera::dht::testing
