// libFuzzer target: HTTP tracker announce and scrape response parsing. Whatever the bytes, the
// parsers return a value or a one-line error, and what they return respects the documented bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tracker/http_tracker_protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tessera::tracker;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  auto announce = parse_announce_response(input);
  if (announce) {
    if (announce->interval < kMinAnnounceInterval || announce->interval > kMaxAnnounceInterval) std::abort();
    if (announce->min_interval.count() < 0 || announce->min_interval > announce->interval) std::abort();
    if ((announce->seeders && *announce->seeders < 0) || (announce->leechers && *announce->leechers < 0))
      std::abort();
    for (const auto& peer : announce->peers) {
      if (peer.port() == 0) std::abort();
    }
    if (announce->warning.find('\n') != std::string::npos) std::abort();
  } else if (announce.error().empty() || announce.error().find('\n') != std::string::npos) {
    std::abort();
  }

  // The scrape parser looks up the hash made of the first 20 bytes (zeros if shorter), so
  // inputs that embed their own key reach the entry parsing.
  tessera::Sha1Digest hash;
  for (std::size_t i = 0; i < 20 && i < size; ++i) hash.bytes[i] = data[i];
  auto scrape = parse_scrape_response(input.substr(size < 20 ? 0 : 20), hash);
  if (scrape) {
    if ((scrape->seeders && *scrape->seeders < 0) || (scrape->completed && *scrape->completed < 0))
      std::abort();
  } else if (scrape.error().find('\n') != std::string::npos) {
    std::abort();
  }
  return 0;
}
