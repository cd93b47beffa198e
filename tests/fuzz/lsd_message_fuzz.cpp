// libFuzzer target: LSD datagrams (BEP 14). Whatever parses must hold to the bounds, and encode
// to a datagram within the size cap that parses back to the same announce; whatever fails must
// say why in one line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lsd/lsd_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tessera::lsd;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto a = parse_announce(input, "f00dcafe");
  if (!a) {
    if (a.error().message.empty() || a.error().message.find('\n') != std::string::npos) std::abort();
    return 0;
  }
  if (a->port == 0 || a->info_hashes.empty() || a->info_hashes.size() > kMaxInfoHashes) std::abort();
  if (a->cookie.size() > kMaxCookie || a->cookie == "f00dcafe") std::abort();
  const std::string encoded = encode_announce(*a);
  if (encoded.size() > kMaxDatagram) std::abort();
  auto again = parse_announce(encoded);
  if (!again || !(*again == *a)) std::abort();
  if (encode_announce(*again) != encoded) std::abort();
  return 0;
}
