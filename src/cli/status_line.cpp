#include "status_line.hpp"

#include <cstdio>
#include <limits>

#include "cli_common.hpp"

namespace tessera::cli {
namespace {

std::string rate(std::int64_t bytes_per_s) {
  return human_size(bytes_per_s) + "/s";
}

std::string eta(std::optional<std::int64_t> s) {
  if (!s) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(*s / 3600),
                static_cast<long long>(*s / 60 % 60), static_cast<long long>(*s % 60));
  return buf;
}

std::string swarm(const std::optional<std::int64_t>& v) {
  return v ? std::to_string(*v) : "?";
}

std::string two_decimals(double v) {
  if (v == std::numeric_limits<double>::infinity()) return "inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// "  stalled: no peers known (the torrent lists no trackers)". Nothing while checking: the state
// already says so. A torrent at its download cap is moving, only held back.
std::string stall_text(const TorrentStatus& t) {
  if (t.stall == StallReason::none || t.stall == StallReason::checking) return {};
  std::string s = t.stall == StallReason::download_cap ? "  held back: " : "  stalled: ";
  s += to_string(t.stall);
  // The detail quotes trackers' error messages: keep escape sequences off the terminal.
  if (!t.stall_detail.empty()) s += " (" + printable(t.stall_detail) + ")";
  return s;
}

// A magnet link's torrent before its metadata is in: pieces of metadata (16 KiB each) rather
// than pieces of data, and all bytes on the wire (no payload moves yet).
std::string metadata_line(const TorrentStatus& t, bool with_name) {
  std::string line = with_name ? printable(t.name) + ": " : std::string();
  line += "fetching metadata  ";
  if (t.metadata_pieces > 0) {
    line += std::to_string(t.metadata_pieces_have) + "/" + std::to_string(t.metadata_pieces) + " pieces of " +
            human_size(t.metadata_size);
  } else {
    line += "size not known yet";
  }
  line += "  down " + rate(t.down_rate_total) + "  up " + rate(t.up_rate_total) + "  peers " +
          std::to_string(t.peers_connected) + " (" + std::to_string(t.peers_known) + " known)";
  return line + stall_text(t);
}

}  // namespace

double share_ratio(const TorrentStatus& t) {
  const std::int64_t base = t.all_time_downloaded > 0 ? t.all_time_downloaded : t.have_bytes;
  if (base <= 0) return t.all_time_uploaded > 0 ? std::numeric_limits<double>::infinity() : 0.0;
  return static_cast<double>(t.all_time_uploaded) / static_cast<double>(base);
}

std::string status_line(const TorrentStatus& t, const SessionSnapshot& snap, bool with_name) {
  if (t.state == TorrentState::fetching_metadata) return metadata_line(t, with_name);
  char buf[512];
  const double pct = t.state == TorrentState::checking ? t.check_progress * 100 : t.progress * 100;
  auto capped = [](std::int64_t r, std::int64_t cap) {
    return cap > 0 ? rate(r) + " (cap " + rate(cap) + ")" : rate(r);
  };
  std::snprintf(buf, sizeof buf,
                "%-11s %5.1f%%  down %s  up %s  peers %d (seeds %d, leechers %d)  swarm %s/%s  eta %s",
                to_string(t.state), pct, capped(t.down_rate, snap.download_limit).c_str(),
                capped(t.up_rate, snap.upload_limit).c_str(), t.peers_connected, t.seeds_connected,
                t.leechers_connected, swarm(t.swarm_seeds).c_str(), swarm(t.swarm_leechers).c_str(),
                eta(t.eta_s).c_str());
  std::string line = with_name ? t.name + ": " + buf : std::string(buf);
  if (t.ratio_limit > 0) {
    // The flag alone can be a leftover of an earlier run's state: stopped means paused too.
    const bool stopped = t.stopped_at_ratio && t.state == TorrentState::paused;
    line += "  ratio " + two_decimals(share_ratio(t)) + (stopped ? " (stopped at " : " (stop at ") +
            two_decimals(t.ratio_limit) + ")";
  }
  return line + stall_text(t);
}

}  // namespace tessera::cli
