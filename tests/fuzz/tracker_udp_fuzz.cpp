// libFuzzer target: UDP tracker (BEP 15) response parsing. The first 4 bytes choose the
// transaction id and the count of scrape entries; the rest is the datagram.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tracker/udp_tracker_protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tessera::tracker;
  if (size < 4) return 0;
  const std::uint32_t tid = (std::uint32_t{data[0]} << 24) | (std::uint32_t{data[1]} << 16) |
                            (std::uint32_t{data[2]} << 8) | data[3];
  const std::string_view d(reinterpret_cast<const char*>(data + 4), size - 4);

  if (auto c = udp::parse_connect_response(d, tid); !c && c.error().message.empty()) std::abort();
  for (const bool v6 : {false, true}) {
    auto a = udp::parse_announce_response(d, tid, v6);
    if (!a) continue;
    const std::size_t entry = v6 ? 18 : 6;
    if (d.size() < 20 || a->peers.size() > (d.size() - 20) / entry) std::abort();
    if (a->interval < kMinAnnounceInterval || a->interval > kMaxAnnounceInterval) std::abort();
  }
  const std::size_t count = data[0] % 8;
  if (auto s = udp::parse_scrape_response(d, tid, count); s && s->size() != count) std::abort();
  // Round trip: a connect request parses as ours only with its own transaction id.
  if (udp::parse_connect_response(udp::encode_connect_request(tid), tid)) std::abort();
  return 0;
}
