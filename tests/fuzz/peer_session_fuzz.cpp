// libFuzzer target: one peer's protocol state fed whatever a hostile peer can send, through the
// real wire decoder, with our own actions (choking, requesting, serving) interleaved.
//
// Input layout: bytes 0-1 piece count (1..1024), byte 2 flags (fast, extended, which pieces we
// have, peer exchange), byte 3 seed for our actions; the rest is the peer's byte stream.
// Invariants: nothing crashes; our requests in flight never exceed the pipeline cap, their queued
// requests never exceed ours, their client name stays short, one ut_pex message gives at most 50
// candidates; after the peer leaves, the picker holds none of its requests and no availability
// from it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "peers/peer_session.hpp"
#include "wire/message_decoder.hpp"

namespace {

using namespace tessera;

void check(bool ok) {
  if (!ok) std::abort();
}

struct NullWire : PeerWire {
  std::size_t sent = 0;
  void send(const wire::Message&) override { ++sent; }
  void send_block(std::uint32_t, std::uint32_t, std::string) override { ++sent; }
  std::size_t cancel_block(std::uint32_t, std::uint32_t) override { return 0; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const std::uint32_t pieces = 1 + (((std::uint32_t{data[0]} << 8) | data[1]) % 1024);
  const std::uint8_t flags = data[2];
  std::uint32_t rng = data[3];
  const std::string_view stream(reinterpret_cast<const char*>(data) + 4, size - 4);

  constexpr std::int64_t kPieceLength = 2 * kBlockSize;
  const PieceMap map({std::int64_t{pieces} * kPieceLength - (flags & 0x40 ? 1000 : 0)}, kPieceLength);
  PiecePicker picker(map, 1);
  for (std::uint32_t p = 0; p < pieces; ++p) {
    if ((flags & 0x04) != 0 && p % 3 == 0) picker.set_have(p);
  }
  PeerSessionLimits limits;
  limits.max_queued_requests = 64;
  limits.max_choked_requests = 32;
  limits.max_pipeline = 40;
  NullWire wire;
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  PeerSession peer(1, wire, map, (flags & 0x01) != 0, (flags & 0x02) != 0, t0, limits);
  const bool pex = (flags & 0x80) != 0;
  if (pex) peer.enable_pex(boost::asio::ip::tcp::endpoint(boost::asio::ip::address_v4(0x0a000001u), 6881));
  const std::vector<PexSwarmPeer> swarm = {
      {boost::asio::ip::tcp::endpoint(boost::asio::ip::address_v4(0x0a000002u), 6881), true, true},
      {boost::asio::ip::tcp::endpoint(boost::asio::ip::address_v4(0x0a000003u), 40000), false, false}};
  peer.greet(picker.have_bitfield(), "d1:md11:ut_metadatai1eee", {});

  wire::MessageDecoder decoder(wire::TorrentShape{pieces, kPieceLength, map.total_size()});
  decoder.feed(stream);
  auto now = t0;
  for (int steps = 0; steps < 10000; ++steps) {
    auto next = decoder.next();
    if (!next || !next->has_value()) break;
    now += std::chrono::milliseconds(rng % 700);
    const PeerReaction r = peer.on_message(**next, picker, now);
    if (r.close) break;  // the torrent drops the peer here
    check(r.pex_candidates.size() <= PexConfig{}.max_taken_per_message);
    check(pex || r.pex_candidates.empty());
    rng = rng * 1103515245u + 12345u;
    if (r.refill || (rng & 7) == 0) peer.fill_requests(picker, {1 + (rng >> 8) % 60, 1 + (rng >> 16) % 4});
    if ((rng & 0x30) == 0) peer.set_choke((rng & 0x40) != 0, "fuzz");
    if ((rng & 0x300) == 0) peer.check_snub(picker, now, ChokerConfig{});
    if ((rng & 0xc00) == 0) peer.trim_requests(picker, (rng >> 12) % 8);
    if ((rng & 0xc000) == 0) peer.send_pex(std::span<const PexSwarmPeer>(swarm).first((rng >> 16) % 3), now);
    if (r.serve || (rng & 0x3000) == 0) {
      auto batch = peer.take_reads(1 + (rng >> 20) % 8);
      std::vector<std::string> blocks;
      for (const auto& q : batch) blocks.emplace_back(q.length, 'x');
      peer.blocks_read(batch, std::move(blocks), now);
    }
    check(picker.requested_count(1) <= limits.max_pipeline);
    check(peer.queued_requests() <= limits.max_queued_requests);
    check(peer.client().size() <= 64);
  }
  peer.detach(picker);
  check(picker.requested_count(1) == 0);
  for (std::uint32_t p = 0; p < pieces; ++p) check(picker.availability(p) == 0);
  return 0;
}
