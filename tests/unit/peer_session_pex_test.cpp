// Peer exchange (BEP 11) on one connection: our extension handshake, the ut_pex messages a
// PeerSession sends and takes, as bytes on a recording wire, on an injected clock.
#include <gtest/gtest.h>

#include <variant>

#include "peers/peer_extensions.hpp"
#include "peers/peer_session.hpp"
#include "wire/extension_handshake.hpp"
#include "wire/ut_pex.hpp"

namespace tessera {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using boost::asio::ip::make_address;
using Endpoint = boost::asio::ip::tcp::endpoint;
using TimePoint = PeerSession::TimePoint;

struct RecordingWire : PeerWire {
  std::vector<wire::Message> sent;
  void send(const wire::Message& m) override { sent.push_back(m); }
  void send_block(std::uint32_t, std::uint32_t, std::string) override {}
  std::size_t cancel_block(std::uint32_t, std::uint32_t) override { return 0; }
  std::vector<wire::Extended> extended() const {
    std::vector<wire::Extended> out;
    for (const auto& m : sent) {
      if (auto* e = std::get_if<wire::Extended>(&m)) out.push_back(*e);
    }
    return out;
  }
};

Endpoint ep(const char* address, std::uint16_t port) {
  return Endpoint(make_address(address), port);
}

const Endpoint kRemote = ep("192.0.2.1", 51413);
constexpr std::uint8_t kTheirPexId = 7;  // the id they want ut_pex under

wire::Extended their_handshake(std::optional<std::uint8_t> pex_id,
                               std::optional<std::uint16_t> listen_port = {}) {
  wire::ExtensionHandshake h;
  h.messages[wire::kUtMetadata] = 3;
  if (pex_id) h.messages[wire::kUtPex] = *pex_id;
  h.listen_port = listen_port;
  return wire::Extended{0, wire::encode_extension_handshake(h)};
}

wire::Extended pex_from_them(std::vector<wire::PexPeer> added) {
  wire::PexMessage m;
  m.added = std::move(added);
  return wire::Extended{kUtPexId, wire::encode_ut_pex(m)};
}

class PeerSessionPexTest : public ::testing::Test {
 protected:
  PeerSessionPexTest() : map_({std::int64_t{4} * kBlockSize}, kBlockSize), picker_(map_, 7) {}

  PeerSession make(bool pex) {
    PeerSession p(1, wire_, map_, true, true, t0_);
    if (pex) p.enable_pex(kRemote);
    return p;
  }
  PeerReaction feed(PeerSession& p, wire::Message m, TimePoint at) { return p.on_message(m, picker_, at); }
  // The payloads of the ut_pex messages sent, decoded.
  std::vector<wire::PexMessage> pex_sent() const {
    std::vector<wire::PexMessage> out;
    for (const wire::Extended& e : wire_.extended()) {
      EXPECT_EQ(e.id, kTheirPexId) << "only ut_pex is sent here, under their id";
      auto m = wire::decode_ut_pex(e.payload);
      EXPECT_TRUE(m);
      if (m) out.push_back(*m);
    }
    return out;
  }

  TimePoint t0_ = TimePoint{} + 1000s;
  PieceMap map_;
  PiecePicker picker_;
  RecordingWire wire_;
  // A peer we dialled, a seed we dialled, and an incoming one whose listen port is unknown.
  std::vector<PexSwarmPeer> swarm_ = {{ep("10.0.0.1", 6881), false, true},
                                      {ep("10.0.0.2", 6882), true, true},
                                      {ep("10.0.0.3", 40001), false, false}};
};

TEST(PeerExtensionsPex, OurHandshakeNamesUtPexUnderId1OnlyWhenPexIsOn) {
  const std::string on =
      wire::encode_extension_handshake(PeerExtensions::our_handshake("T", 6881, 500, 0, true));
  EXPECT_NE(on.find("1:md11:ut_metadatai2e6:ut_pexi1ee"), std::string::npos) << on;
  const auto decoded = wire::decode_extension_handshake(on);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->messages.at("ut_pex"), 1);
  EXPECT_EQ(decoded->messages.at("ut_metadata"), 2);

  const std::string off =
      wire::encode_extension_handshake(PeerExtensions::our_handshake("T", 6881, 500, 0, false));
  EXPECT_EQ(off.find("ut_pex"), std::string::npos) << off;
  EXPECT_NE(off.find("1:md11:ut_metadatai2ee"), std::string::npos) << off;
}

TEST_F(PeerSessionPexTest, ADueMessageNamesOurDialablePeersUnderTheirId) {
  auto p = make(true);
  feed(p, their_handshake(kTheirPexId), t0_);
  ASSERT_TRUE(p.send_pex(swarm_, t0_));
  const auto sent = pex_sent();
  ASSERT_EQ(sent.size(), 1u);
  const std::vector<wire::PexPeer> expected = {
      {ep("10.0.0.1", 6881), wire::pex_flag::connectable},
      {ep("10.0.0.2", 6882), wire::pex_flag::connectable | wire::pex_flag::seed}};
  EXPECT_EQ(sent[0].added, expected) << "the incoming peer without a listen port is left out";
  // The exact bytes: compact entries and their flags.
  EXPECT_EQ(wire_.extended()[0].payload,
            "d5:added12:\x0a\x00\x00\x01\x1a\xe1\x0a\x00\x00\x02\x1a\xe2"
            "7:added.f2:\x10\x12"
            "7:dropped0:e"s);
}

TEST_F(PeerSessionPexTest, AtMostOneMessageAMinuteAndOnlyChanges) {
  auto p = make(true);
  feed(p, their_handshake(kTheirPexId), t0_);
  ASSERT_TRUE(p.send_pex(swarm_, t0_));
  auto fewer = swarm_;
  fewer.erase(fewer.begin());  // 10.0.0.1 left
  EXPECT_FALSE(p.send_pex(fewer, t0_ + 59s));
  ASSERT_TRUE(p.send_pex(fewer, t0_ + 60s));
  EXPECT_FALSE(p.send_pex(fewer, t0_ + 180s)) << "nothing changed";
  const auto sent = pex_sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_TRUE(sent[1].added.empty());
  EXPECT_EQ(sent[1].dropped, std::vector<Endpoint>{ep("10.0.0.1", 6881)});
}

TEST_F(PeerSessionPexTest, NothingIsSentUntilTheyTakeUtPexAndNothingIsLostMeanwhile) {
  auto p = make(true);
  EXPECT_FALSE(p.send_pex(swarm_, t0_)) << "no handshake yet";
  feed(p, their_handshake(std::nullopt), t0_);
  EXPECT_FALSE(p.send_pex(swarm_, t0_ + 1s)) << "their handshake does not name ut_pex";
  // A later handshake switches it on: the first message still carries everyone.
  feed(p, their_handshake(kTheirPexId), t0_ + 2s);
  ASSERT_TRUE(p.send_pex(swarm_, t0_ + 2s));
  EXPECT_EQ(pex_sent().at(0).added.size(), 2u);
  // And one with id 0 switches it off again.
  feed(p, their_handshake(0), t0_ + 3s);
  swarm_.push_back({ep("10.0.0.4", 6881), false, true});
  EXPECT_FALSE(p.send_pex(swarm_, t0_ + 120s));
}

TEST_F(PeerSessionPexTest, AnIncomingPeerIsNeverToldAboutItselfUnderItsListenPort) {
  auto p = make(true);
  feed(p, their_handshake(kTheirPexId, 6881), t0_);  // kRemote listens on 6881
  swarm_.push_back({ep("192.0.2.1", 6881), false, true});
  ASSERT_TRUE(p.send_pex(swarm_, t0_));
  const auto sent = pex_sent();
  ASSERT_EQ(sent.size(), 1u);
  ASSERT_EQ(sent[0].added.size(), 2u);
  for (const wire::PexPeer& a : sent[0].added) EXPECT_NE(a.endpoint.address(), kRemote.address());
}

TEST_F(PeerSessionPexTest, TheirMessageGivesCandidatesRationedPerPeer) {
  auto p = make(true);
  feed(p, their_handshake(kTheirPexId), t0_);
  auto r = feed(p,
                pex_from_them({{ep("10.0.1.1", 6881), wire::pex_flag::seed},
                               {ep("10.0.1.2", 6881), 0},
                               {ep("0.0.0.0", 6881), 0},  // not dialable
                               {kRemote, 0}}),            // the sender itself
                t0_);
  EXPECT_FALSE(r.close);
  ASSERT_EQ(r.pex_candidates.size(), 2u);
  EXPECT_EQ(r.pex_candidates[0], (wire::PexPeer{ep("10.0.1.1", 6881), wire::pex_flag::seed}));
  EXPECT_EQ(r.pex_candidates[1].endpoint, ep("10.0.1.2", 6881));
  // Another within 45 s is ignored whole; after that one is taken again.
  EXPECT_TRUE(feed(p, pex_from_them({{ep("10.0.1.3", 6881), 0}}), t0_ + 44s).pex_candidates.empty());
  EXPECT_EQ(feed(p, pex_from_them({{ep("10.0.1.3", 6881), 0}}), t0_ + 45s).pex_candidates.size(), 1u);
}

TEST_F(PeerSessionPexTest, AtMost50CandidatesFromOneMessage) {
  auto p = make(true);
  std::vector<wire::PexPeer> many;
  for (unsigned i = 0; i < 200; ++i)
    many.push_back({Endpoint(boost::asio::ip::address_v4(0x0a020000u + i), 6881), 0});
  EXPECT_EQ(feed(p, pex_from_them(many), t0_).pex_candidates.size(), 50u);
}

TEST_F(PeerSessionPexTest, OnlyAPayloadThatIsNoDictionaryIsAViolation) {
  auto p = make(true);
  auto odd = feed(p, wire::Extended{kUtPexId, "d5:addedi3e7:added.f1:xe"}, t0_);  // wrong types: forgiven
  EXPECT_FALSE(odd.close);
  EXPECT_TRUE(odd.pex_candidates.empty());
  auto bad = feed(p, wire::Extended{kUtPexId, "i5e"}, t0_ + 60s);
  ASSERT_TRUE(bad.close);
  EXPECT_EQ(bad.close->reason, DepartureReason::protocol_violation);
  auto big = feed(p,
                  wire::Extended{kUtPexId, "d5:added" + std::to_string(wire::kMaxPexPayload) + ":" +
                                               std::string(wire::kMaxPexPayload, 'x') + "e"},
                  t0_ + 120s);
  ASSERT_TRUE(big.close);
  EXPECT_EQ(big.close->reason, DepartureReason::protocol_violation);
}

// A private torrent (BEP 27), or PEX switched off: the torrent never enables it on a session.
TEST_F(PeerSessionPexTest, WithoutPexNothingIsSentOrTaken) {
  auto p = make(false);
  EXPECT_FALSE(p.pex_enabled());
  feed(p, their_handshake(kTheirPexId), t0_);
  EXPECT_FALSE(p.send_pex(swarm_, t0_));
  EXPECT_FALSE(p.send_pex(swarm_, t0_ + 3600s));
  EXPECT_TRUE(wire_.extended().empty());
  auto r = feed(p, pex_from_them({{ep("10.0.1.1", 6881), 0}}), t0_);
  EXPECT_FALSE(r.close);
  EXPECT_TRUE(r.pex_candidates.empty());
  // Not even a broken one is read: we never offered ut_pex.
  EXPECT_FALSE(feed(p, wire::Extended{kUtPexId, "i5e"}, t0_).close);
}

}  // namespace
}  // namespace tessera
