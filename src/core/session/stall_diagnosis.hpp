// Why a torrent that should download is not moving, from plain numbers, in words a user can act
// on. Pure: the torrent gathers the inputs, this decides (tested reason by reason).
#pragma once

#include <cstdint>
#include <string>

#include "tessera/status.hpp"

namespace tessera {

struct StallInputs {
  TorrentState state = TorrentState::downloading;
  std::string error;                  // in the error state
  std::int64_t down_rate = 0;         // payload bytes/s
  std::int64_t download_cap = 0;      // this torrent's own cap (0: none)
  std::int64_t session_download_cap = 0;  // the session's cap (0: none)
  std::int64_t session_down_rate = 0;     // the session's payload rate
  int peers_connected = 0;
  int peers_with_wanted = 0;          // connected peers that have a piece we want
  int peers_unchoking_with_wanted = 0;  // ... and let us request it
  std::size_t candidates = 0;         // known peers not connected (waiting or backing off)
  std::size_t connecting = 0;         // attempts in flight
  int connect_failures = 0;           // failed attempts since the last success
  std::uint32_t wanted_missing = 0;   // wanted pieces we do not have
  std::uint32_t wanted_unavailable = 0;  // of those, on no connected peer
  std::string trackers;               // the trackers' summary (TorrentTrackers::summary)
};

struct StallDiagnosis {
  StallReason reason = StallReason::none;
  std::string detail;
};

StallDiagnosis diagnose_stall(const StallInputs& in);

}  // namespace tessera
