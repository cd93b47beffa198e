// libFuzzer target: ut_pex payloads (BEP 11). Whatever decodes must hold to the bounds, encode
// canonically and decode again to the same message; whatever fails must say why in one line.
// The decoded message is also fed to a connection's PexState, both ways, which must keep its caps.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "peers/pex_state.hpp"
#include "wire/ut_pex.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tessera;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto m = wire::decode_ut_pex(input);
  if (!m) {
    if (m.error().message.empty() || m.error().message.find('\n') != std::string::npos) std::abort();
    return 0;
  }
  std::size_t v4 = 0;
  for (const auto& p : m->added) v4 += p.endpoint.address().is_v4() ? 1 : 0;
  if (v4 > wire::kMaxPexEntries || m->added.size() - v4 > wire::kMaxPexEntries) std::abort();
  if (m->dropped.size() > 2 * wire::kMaxPexEntries) std::abort();
  const std::string encoded = wire::encode_ut_pex(*m);
  auto again = wire::decode_ut_pex(encoded);
  if (!again || !(*again == *m) || again->entries_skipped != 0) std::abort();
  if (wire::encode_ut_pex(*again) != encoded) std::abort();

  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1000);
  PexState pex(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("192.0.2.1"), 6881));
  const PexIntake in = pex.on_message(*m, t0);
  if (in.candidates.size() > 50 || in.candidates.size() + in.ignored != m->added.size()) std::abort();
  if (!pex.on_message(*m, t0 + std::chrono::seconds(1)).rationed) std::abort();
  std::vector<PexSwarmPeer> swarm;
  for (const auto& p : m->added) swarm.push_back({p.endpoint, (p.flags & 2) != 0, (p.flags & 0x10) != 0});
  std::size_t told = 0;
  for (int round = 0; round < 3; ++round) {
    const auto out = pex.message_due(swarm, t0 + std::chrono::minutes(round));
    if (!out) continue;
    if (out->added.size() > 50 || out->dropped.size() > 50) std::abort();
    told += out->added.size();
  }
  if (told != pex.advertised() || told > swarm.size()) std::abort();
  return 0;
}
