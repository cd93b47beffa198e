// `tessera-cli download` and `tessera-cli seed`: torrents (from .torrent files or magnet links)
// through the engine, with a status line each second, until done (download), or until
// SIGINT/SIGTERM or every torrent has stopped at its share ratio (seed, or download --seed).
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cli_common.hpp"
#include "commands.hpp"
#include "live_line.hpp"
#include "status_line.hpp"
#include "transfer_options.hpp"
#include "tessera/host_port.hpp"
#include "tessera/logging.hpp"
#include "tessera/magnet.hpp"
#include "tessera/session.hpp"

namespace tessera::cli {
namespace {

volatile std::sig_atomic_t g_signal = 0;
void on_signal(int sig) { g_signal = sig; }

// "NAME: metadata received: SIZE in N pieces[, SIZE of it selected]". The event comes before the
// snapshot that shows the torrent it became; waiting for that (one publish) lets the line say
// what the metadata holds, and keeps it ahead of the torrent's own events.
void announce_metadata(Session& session, const SessionEvent& e) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (std::chrono::steady_clock::now() < until) {
    const auto snap = session.snapshot();
    const auto it = std::find_if(snap->torrents.begin(), snap->torrents.end(),
                                 [&](const TorrentStatus& s) { return s.id == e.id; });
    if (it != snap->torrents.end() && it->state != TorrentState::fetching_metadata && it->piece_count > 0) {
      std::printf("%s: metadata received: %s in %u pieces", printable(it->name).c_str(),
                  human_size(it->total_size).c_str(), it->piece_count);
      if (it->wanted_size != it->total_size) {
        std::printf(", %s of it selected", human_size(it->wanted_size).c_str());
      }
      std::printf("\n");
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::printf("%s: metadata received\n", printable(e.name).c_str());
}

std::string cap_text(std::int64_t kib) { return kib == 0 ? "unlimited" : std::to_string(kib) + " KiB/s"; }

// Commands typed (or piped) on stdin while running: "dl-limit KIB", "ul-limit KIB".
class StdinControl {
 public:
  // Reads what is there without blocking longer than `wait`; returns complete lines.
  std::vector<std::string> poll_lines(std::chrono::milliseconds wait) {
    std::vector<std::string> lines;
    if (eof_) {
      std::this_thread::sleep_for(wait);
      return lines;
    }
    pollfd fd{STDIN_FILENO, POLLIN, 0};
    if (::poll(&fd, 1, static_cast<int>(wait.count())) <= 0) return lines;
    char buf[512];
    const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n <= 0) {
      eof_ = true;  // closed (or /dev/null): stop polling it
      return lines;
    }
    partial_.append(buf, static_cast<std::size_t>(n));
    if (partial_.size() > 4096) partial_.clear();  // not a command: nobody types that much
    for (std::size_t nl; (nl = partial_.find('\n')) != std::string::npos;) {
      lines.push_back(partial_.substr(0, nl));
      partial_.erase(0, nl + 1);
    }
    return lines;
  }

 private:
  std::string partial_;
  bool eof_ = false;
};

int run_transfer(std::span<const std::string_view> args, bool seed_command) {
  ParsedTransfer parsed = parse_transfer_options(args, seed_command);
  if (!parsed.options) return parsed.exit_code;
  const TransferOptions& o = *parsed.options;
  SessionSettings settings;
  auto listen = parse_host_port(o.listen);
  if (!listen) {
    print_error("--listen: " + listen.error());
    return kExitBadInput;
  }
  settings.listen_address = listen->host;
  settings.listen_port = listen->port;
  settings.use_trackers = o.trackers;
  settings.download_limit = o.dl_limit_kib * 1024;
  settings.upload_limit = o.ul_limit_kib * 1024;
  settings.state_dir = o.state_dir.value_or(default_state_dir());
  settings.restore_torrents = false;
  settings.enable_dht = o.dht;
  settings.enable_pex = o.pex;
  settings.enable_lsd = o.lsd;
  if (!o.dht_bootstrap.empty()) settings.dht_bootstrap_nodes = o.dht_bootstrap;
  if (o.max_metadata_size) settings.max_metadata_size = *o.max_metadata_size;
  if (!set_log_level(o.log_level)) {
    print_error("--log-level: expected trace, debug, info, warn, error or off, got '" + o.log_level + "'");
    return kExitBadInput;
  }

  // Bad input is reported before anything is opened: exit 2 as for `info`. A magnet link can
  // only be checked for form here; what its peers send is judged once it arrives.
  std::vector<std::string> torrent_data(o.sources.size());  // empty for magnet links
  for (std::size_t i = 0; i < o.sources.size(); ++i) {
    const std::string& source = o.sources[i];
    if (is_magnet_link(source)) {
      auto link = parse_magnet(source);
      if (!link) {
        print_error(link.error());
        return kExitBadInput;
      }
      for (const std::string& w : link->warnings) std::fprintf(stderr, "warning: %s\n", printable(w).c_str());
      continue;
    }
    auto data = read_valid_torrent(source);
    if (!data) return kExitBadInput;
    torrent_data[i] = std::move(*data);
  }

  auto session = Session::create(settings);
  if (!session) {
    print_error(session.error());
    return kExitFailure;
  }
  std::vector<TorrentId> ids;
  for (std::size_t i = 0; i < o.sources.size(); ++i) {
    AddTorrentParams params;
    if (is_magnet_link(o.sources[i])) {
      params.magnet_uri = o.sources[i];
    } else {
      params.torrent_file = o.sources[i];
      params.torrent_data = std::move(torrent_data[i]);
    }
    params.save_path = o.dir;
    params.peers = o.peers;
    // Always set: a limit saved by an earlier run in the state folder does not carry over.
    params.ratio_limit = o.stop_at_ratio;
    auto id = (*session)->add_torrent(params);
    if (!id) {
      print_error(id.error());
      (*session)->shutdown();
      return id.error().starts_with("invalid peer address") ? kExitBadInput : kExitFailure;
    }
    ids.push_back(*id);
  }
  const bool many = ids.size() > 1;
  StdinControl control;
  std::int64_t dl_kib = o.dl_limit_kib, ul_kib = o.ul_limit_kib;

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  LiveLine live;  // only a single torrent on a terminal is shown as a live line
  int exit_code = kExitOk;
  std::set<TorrentId> stopped_at_ratio;  // the engine paused them at the ratio
  std::string stopped_name;
  bool announced_check = false;
  const auto handle_event = [&](const SessionEvent& e) {
    if (e.kind == SessionEvent::Kind::error) {
      live.finish();
      print_error(e.name + ": " + e.message);
      exit_code = kExitFailure;
    } else if (e.kind == SessionEvent::Kind::checked && !announced_check) {
      announced_check = true;
      live.clear();
      std::printf("%s: checked existing data: %s\n", e.name.c_str(), e.message.c_str());
    } else if (e.kind == SessionEvent::Kind::finished) {
      live.clear();
      std::printf("%s: download complete\n", e.name.c_str());
    } else if (e.kind == SessionEvent::Kind::metadata_received) {
      live.clear();
      announce_metadata(**session, e);
    } else if (e.kind == SessionEvent::Kind::stopped_at_ratio) {
      stopped_at_ratio.insert(e.id);
      stopped_name = e.name;
    }
  };
  auto last_print = std::chrono::steady_clock::now() - std::chrono::hours(1);
  const auto print_every = tty ? std::chrono::seconds(1) : std::chrono::seconds(2);
  for (;;) {
    for (const std::string& line : control.poll_lines(std::chrono::milliseconds(100))) {
      const auto space = line.find(' ');
      const std::string verb = line.substr(0, space);
      const std::int64_t kib =
          space == std::string::npos ? -1 : parse_kib(line.substr(space + 1)).value_or(std::int64_t{-1});
      if ((verb != "dl-limit" && verb != "ul-limit") || kib < 0) {
        if (!line.empty()) print_error("unknown command '" + line + "' (try 'dl-limit KIB' or 'ul-limit KIB')");
        continue;
      }
      (verb == "dl-limit" ? dl_kib : ul_kib) = kib;
      (*session)->set_rate_limits(dl_kib * 1024, ul_kib * 1024);
      live.clear();
      std::printf("caps: download %s, upload %s\n", cap_text(dl_kib).c_str(), cap_text(ul_kib).c_str());
      std::fflush(stdout);
    }
    if (g_signal != 0) {
      if (!seed_command && !o.keep_seeding) exit_code = kExitFailure;  // interrupted download
      break;
    }
    for (const SessionEvent& e : (*session)->take_events()) handle_event(e);
    if (exit_code != kExitOk) break;
    if (o.stop_at_ratio > 0 && stopped_at_ratio.size() == ids.size()) {
      live.clear();
      if (many) {
        std::printf("all %zu torrents reached share ratio %.2f: seeding stopped\n", ids.size(),
                    o.stop_at_ratio);
      } else {
        std::printf("%s: share ratio %.2f reached: seeding stopped\n", stopped_name.c_str(), o.stop_at_ratio);
      }
      break;
    }
    auto snap = (*session)->snapshot();
    std::vector<const TorrentStatus*> shown;
    for (const auto& s : snap->torrents) {
      if (std::find(ids.begin(), ids.end(), s.id) != ids.end()) shown.push_back(&s);
    }
    if (shown.size() != ids.size()) continue;
    const bool all_done = std::all_of(shown.begin(), shown.end(),
                                      [](const TorrentStatus* t) { return t->state == TorrentState::seeding; });
    const auto now = std::chrono::steady_clock::now();
    if (now - last_print >= print_every || (all_done && !o.keep_seeding)) {
      last_print = now;
      for (const TorrentStatus* t : shown) {
        // One torrent keeps a single refreshed line on a terminal; several get a line each.
        if (tty && !many) {
          live.show(status_line(*t, *snap, false));
        } else {
          std::printf("%s\n", status_line(*t, *snap, many).c_str());
        }
      }
      std::fflush(stdout);
    }
    if (all_done && !o.keep_seeding) {
      // The snapshot can show the torrent done before its `finished` event was taken.
      for (const SessionEvent& e : (*session)->take_events()) handle_event(e);
      break;
    }
  }
  live.finish();
  std::fflush(stdout);
  (*session)->shutdown();
  return exit_code;
}

}  // namespace

int run_download(std::span<const std::string_view> args) { return run_transfer(args, false); }
int run_seed(std::span<const std::string_view> args) { return run_transfer(args, true); }
void print_download_help() { print_transfer_help(false); }
void print_seed_help() { print_transfer_help(true); }

}  // namespace tessera::cli
