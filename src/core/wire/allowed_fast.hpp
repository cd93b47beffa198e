// The allowed-fast set of BEP 6: pieces a peer may download from us while choked, derived from
// its IPv4 address (/24) and the info-hash so both ends can compute it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "hash/sha1.hpp"

namespace tessera::wire {

// Up to k distinct piece indices, in generation order; min(k, piece_count) of them.
std::vector<std::uint32_t> allowed_fast_set(std::uint32_t ipv4_host_order, const Sha1Digest& info_hash,
                                            std::uint32_t piece_count, std::size_t k);

}  // namespace tessera::wire
