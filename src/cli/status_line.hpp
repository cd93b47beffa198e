// The one-line summary of a torrent that `download` and `seed` print while running.
#pragma once

#include <string>

#include "tessera/status.hpp"

namespace tessera::cli {

// State, progress, rates, peers, swarm, ETA; then why the torrent is not moving when the engine
// knows ("stalled: no peers known (...)").
std::string status_line(const TorrentStatus& t, const SessionSnapshot& snap, bool with_name);

}  // namespace tessera::cli
