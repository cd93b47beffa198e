// libFuzzer target: BEP 10 extension handshake decoding. Whatever decodes must respect the
// value ranges and survive an encode/decode round trip unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "wire/extension_handshake.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tessera::wire;
  auto h = decode_extension_handshake(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!h) {
    if (h.error().message.empty() || h.error().message.find('\n') != std::string::npos) std::abort();
    return 0;
  }
  if (h->listen_port && *h->listen_port == 0) std::abort();
  if (h->request_queue && *h->request_queue == 0) std::abort();
  if (h->metadata_size && *h->metadata_size < 0) std::abort();
  if (h->your_ip && h->your_ip->size() != 4 && h->your_ip->size() != 16) std::abort();
  const std::string again = encode_extension_handshake(*h);
  auto redecoded = decode_extension_handshake(again);
  // The encoding drops what was ignored but always writes "m", so it can outgrow an input that
  // sat at the size limit; only then may it fail to decode.
  if (again.size() > 64 * 1024) return 0;
  if (!redecoded || !(*redecoded == *h)) std::abort();
  return 0;
}
