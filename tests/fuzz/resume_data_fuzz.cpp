// libFuzzer target: resume data read back from disk (it may be damaged or planted). Whatever
// decodes must encode and decode to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "storage/resume_data.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // The first two bytes choose the torrent's shape the data must match.
  const std::uint32_t pieces = data[0];
  const std::size_t files = data[1] % 8;
  const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);
  auto r = tessera::decode_resume(input, pieces, files);
  if (!r) {
    if (r.error().empty()) std::abort();
    return 0;
  }
  auto again = tessera::decode_resume(tessera::encode_resume(*r), pieces, files);
  if (!again || !(*again == *r)) std::abort();
  return 0;
}
