#include "wire/allowed_fast.hpp"

#include <algorithm>
#include <string>

#include "wire/byte_order.hpp"

namespace tessera::wire {

std::vector<std::uint32_t> allowed_fast_set(std::uint32_t ipv4_host_order, const Sha1Digest& info_hash,
                                            std::uint32_t piece_count, std::size_t k) {
  std::vector<std::uint32_t> set;
  // Without this cap the loop below could never finish.
  const std::size_t want = std::min<std::size_t>(k, piece_count);
  if (want == 0) return set;
  set.reserve(want);

  // Seed: the peer's /24 network in network order, then the info-hash; then hash repeatedly and
  // read each digest as five big-endian 32-bit words.
  std::string x;
  detail::put_u32(x, ipv4_host_order & 0xFFFFFF00u);
  x.append(info_hash.view());
  while (set.size() < want) {
    x = std::string(sha1(x).view());
    for (std::size_t i = 0; i < 5 && set.size() < want; ++i) {
      const std::uint32_t index = detail::get_u32(x.data() + 4 * i) % piece_count;
      if (std::find(set.begin(), set.end(), index) == set.end()) set.push_back(index);
    }
  }
  return set;
}

}  // namespace tessera::wire
