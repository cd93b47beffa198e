#include "session/stall_diagnosis.hpp"

namespace tessera {
namespace {

std::string plural(std::int64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string rate_text(std::int64_t bytes_per_second) {
  if (bytes_per_second >= 1 << 20) {
    return std::to_string(bytes_per_second / (1 << 20)) + "." + std::to_string(bytes_per_second % (1 << 20) * 10 / (1 << 20)) + " MiB/s";
  }
  return std::to_string(bytes_per_second / 1024) + " KiB/s";
}

}  // namespace

StallDiagnosis diagnose_stall(const StallInputs& in) {
  switch (in.state) {
    case TorrentState::checking: return {StallReason::checking, ""};
    case TorrentState::error: return {StallReason::disk_error, in.error};
    case TorrentState::seeding:
    case TorrentState::paused: return {};
    case TorrentState::fetching_metadata: return {};  // a MagnetTorrent says why itself
    case TorrentState::downloading: break;
  }
  if (in.wanted_missing == 0) return {};
  // Moving at (nearly) the cap: the cap is what holds it back.
  if (in.download_cap > 0 && in.down_rate > 0 && in.down_rate * 10 >= in.download_cap * 9) {
    return {StallReason::download_cap, "this torrent's cap of " + rate_text(in.download_cap)};
  }
  if (in.down_rate > 0 && in.session_download_cap > 0 && in.session_down_rate * 10 >= in.session_download_cap * 9) {
    return {StallReason::download_cap, "the session's cap of " + rate_text(in.session_download_cap)};
  }
  if (in.down_rate > 0) return {};
  if (in.peers_connected == 0) {
    if (in.candidates == 0 && in.connecting == 0) {
      if (in.connect_failures > 0) {
        return {StallReason::peers_unreachable, plural(in.connect_failures, "connection attempt", "connection attempts") +
                                                    " failed; no other peers known (" + in.trackers + ")"};
      }
      return {StallReason::no_peers_known, in.trackers};
    }
    if (in.connect_failures > 0) {
      return {StallReason::peers_unreachable,
              plural(in.connect_failures, "connection attempt", "connection attempts") + " failed; " +
                  plural(static_cast<std::int64_t>(in.candidates + in.connecting), "peer", "peers") + " known"};
    }
    return {};  // connecting
  }
  // The details give the numbers; the reason itself is said by to_string(reason).
  if (in.peers_with_wanted == 0) {
    return {StallReason::nobody_has_wanted,
            plural(in.peers_connected, "peer", "peers") + " connected; " + std::to_string(in.wanted_unavailable) +
                " of " + std::to_string(in.wanted_missing) + " wanted pieces are on no connected peer"};
  }
  if (in.peers_unchoking_with_wanted == 0) {
    return {StallReason::all_choking, plural(in.peers_with_wanted, "connected peer has", "connected peers have") +
                                          " pieces we want"};
  }
  return {};
}

}  // namespace tessera
