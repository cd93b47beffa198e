// The one-line summary of a torrent that `download` and `seed` print while running.
#pragma once

#include <string>

#include "tessera/status.hpp"

namespace tessera::cli {

// State, progress, rates, peers, swarm, ETA; then the share ratio when a limit applies, and why
// the torrent is not moving when the engine knows ("stalled: no peers known (...)").
std::string status_line(const TorrentStatus& t, const SessionSnapshot& snap, bool with_name);

// Uploaded over downloaded, all time; over the data's size for data seeded from disk (the rule
// the engine stops seeding by).
double share_ratio(const TorrentStatus& t);

}  // namespace tessera::cli
