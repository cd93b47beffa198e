// Peer ids: making our own, and naming the client behind someone else's.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace tessera::wire {

using PeerId = std::array<std::uint8_t, 20>;

// `prefix` (e.g. "-TS0100-", cut at 20 bytes) followed by characters from [0-9A-Za-z] drawn from
// a generator seeded with `random_seed`: printable and safe in a tracker URL without escaping.
// The same seed gives the same id, so callers pass real randomness and tests pass constants.
PeerId make_peer_id(std::string_view prefix, std::uint64_t random_seed);

// A short display name such as "Transmission 3.00" or "qBittorrent 4.5.0.0". Knows the
// Azureus style ("-XXvvvv-"), the Mainline style ("M7-4-3--") and aria2's ("A2-1-36-0-");
// anything else is "Unknown (<first 8 bytes>)" with non-printable bytes shown as '?'.
std::string client_name_from_peer_id(const PeerId& id);

}  // namespace tessera::wire
