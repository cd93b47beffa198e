// `tessera-cli download` and `tessera-cli seed`: torrents through the engine, with a status line
// each second, until done (download), or until SIGINT/SIGTERM or every torrent has stopped at
// its share ratio (seed, or download --seed).
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
#include "tessera/host_port.hpp"
#include "tessera/logging.hpp"
#include "tessera/session.hpp"

namespace tessera::cli {
namespace {

volatile std::sig_atomic_t g_signal = 0;
void on_signal(int sig) { g_signal = sig; }

struct TransferOptions {
  std::vector<std::string> torrents;
  std::string dir;
  std::string listen = "0.0.0.0:6881";
  std::vector<std::string> peers;
  bool keep_seeding = false;
  bool trackers = true;
  std::string log_level = "warn";
  std::int64_t dl_limit_kib = 0;
  std::int64_t ul_limit_kib = 0;
  double stop_at_ratio = 0;  // 0: seed on
  std::optional<std::string> state_dir;  // nullopt: the default; "": none
};

// $XDG_DATA_HOME/tessera/cli (or ~/.local/share/...): resume data for torrents the CLI ran, kept
// apart from the GUI's list so the two do not pick up each other's torrents.
std::string default_state_dir() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && xdg[0] == '/') {
    return std::string(xdg) + "/tessera/cli";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0') {
    return std::string(home) + "/.local/share/tessera/cli";
  }
  return {};
}

// A cap in KiB/s: digits only, 0 = unlimited, at most ~1 TiB/s.
std::optional<std::int64_t> parse_kib(std::string_view text) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  std::int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v > (std::int64_t{1} << 30)) return std::nullopt;
  return v;
}

// A share ratio: digits with at most one '.', from 0 (never stop) to 10000.
std::optional<double> parse_ratio(std::string_view text) {
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  const auto digits = [](std::string_view d) {
    return d.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (text.size() > 12 || whole.empty() || !digits(whole) || !digits(fraction) ||
      (dot != std::string_view::npos && fraction.empty())) {
    return std::nullopt;
  }
  const double v = std::stod(std::string(text));
  if (v > 10000) return std::nullopt;
  return v;
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

void print_transfer_help(bool seed) {
  if (seed) {
    std::fputs(
        "Usage: tessera-cli seed FILE.torrent -d DIR [options]\n"
        "\n"
        "Check the data in DIR, then seed it until interrupted (SIGINT/SIGTERM) or, with\n"
        "--stop-at-ratio, until every torrent has reached that share ratio; the trackers are told\n"
        "we stopped on the way out. Missing pieces are downloaded.\n",
        stdout);
  } else {
    std::fputs(
        "Usage: tessera-cli download FILE.torrent [FILE.torrent...] -o DIR [options]\n"
        "\n"
        "Download the torrents into DIR (data already there is checked and kept). Exits 0 once\n"
        "every piece is verified, or keeps seeding with --seed.\n",
        stdout);
  }
  std::fputs(
      "\n"
      "Options:\n"
      "  -o, -d DIR           folder to save into / seed from\n"
      "  --listen ADDR:PORT   listen address and port (default 0.0.0.0:6881; port 0 = any);\n"
      "                       a specific address is also the source of outgoing connections\n"
      "  --peer ADDR:PORT     also connect to this peer (repeatable)\n"
      "  --seed               (download) keep seeding when done\n"
      "  --stop-at-ratio R    (seed, download --seed) stop seeding each torrent once it has\n"
      "                       uploaded R times what it downloaded (R times its size if the data\n"
      "                       came from disk), counting earlier runs kept in the state folder;\n"
      "                       exit 0 when every torrent has stopped (0 = never, the default)\n"
      "  --dl-limit KIB       download cap in KiB/s over all torrents (0 = unlimited)\n"
      "  --ul-limit KIB       upload cap in KiB/s over all torrents (0 = unlimited)\n"
      "  --no-trackers        do not contact the torrent's trackers\n"
      "  --state-dir DIR      where resume data is kept, so an interrupted run continues where\n"
      "                       it stopped (default $XDG_DATA_HOME/tessera/cli)\n"
      "  --no-state           keep no resume data (existing data is checked by hashing)\n"
      "  --log-level LEVEL    trace, debug, info, warn (default), error, off\n"
      "  -h, --help           show this help\n"
      "\n"
      "While running, lines on stdin change the caps at once: 'dl-limit KIB', 'ul-limit KIB'.\n",
      stdout);
}

int run_transfer(std::span<const std::string_view> args, bool seed_command) {
  TransferOptions o;
  o.keep_seeding = seed_command;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    auto value = [&](const char* name) -> std::optional<std::string> {
      if (i + 1 >= args.size()) {
        print_error(std::string(name) + " needs a value");
        return std::nullopt;
      }
      return std::string(args[++i]);
    };
    if (a == "-h" || a == "--help") {
      print_transfer_help(seed_command);
      return kExitOk;
    } else if (a == "-o" || a == "-d" || a == "--dir" || a == "--output") {
      auto v = value("-o/-d");
      if (!v) return kExitBadInput;
      o.dir = *v;
    } else if (a == "--listen") {
      auto v = value("--listen");
      if (!v) return kExitBadInput;
      o.listen = *v;
    } else if (a == "--peer") {
      auto v = value("--peer");
      if (!v) return kExitBadInput;
      o.peers.push_back(*v);
    } else if (a == "--dl-limit" || a == "--ul-limit") {
      auto v = value(a == "--dl-limit" ? "--dl-limit" : "--ul-limit");
      if (!v) return kExitBadInput;
      const auto kib = parse_kib(*v);
      if (!kib) {
        print_error(std::string(a) + ": expected KiB/s as a whole number (0 = unlimited), got '" + *v + "'");
        return kExitBadInput;
      }
      (a == "--dl-limit" ? o.dl_limit_kib : o.ul_limit_kib) = *kib;
    } else if (a == "--seed") {
      o.keep_seeding = true;
    } else if (a == "--stop-at-ratio") {
      auto v = value("--stop-at-ratio");
      if (!v) return kExitBadInput;
      const auto ratio = parse_ratio(*v);
      if (!ratio) {
        print_error("--stop-at-ratio: expected a ratio such as 1 or 2.5 (0 = never), got '" + *v + "'");
        return kExitBadInput;
      }
      o.stop_at_ratio = *ratio;
    } else if (a == "--state-dir") {
      auto v = value("--state-dir");
      if (!v) return kExitBadInput;
      o.state_dir = *v;
    } else if (a == "--no-state") {
      o.state_dir = std::string();
    } else if (a == "--no-trackers") {
      o.trackers = false;
    } else if (a == "--log-level") {
      auto v = value("--log-level");
      if (!v) return kExitBadInput;
      o.log_level = *v;
    } else if (a.starts_with("-")) {
      print_error("unknown option '" + std::string(a) + "'");
      return kExitBadInput;
    } else {
      o.torrents.emplace_back(a);
    }
  }
  const char* cmd = seed_command ? "seed" : "download";
  if (o.torrents.empty() || o.dir.empty()) {
    print_error(std::string(cmd) + ": need a torrent file and a folder (see 'tessera-cli " + cmd + " --help')");
    return kExitBadInput;
  }
  if (o.stop_at_ratio > 0 && !o.keep_seeding) {
    print_error("--stop-at-ratio: a download without --seed stops when complete; add --seed");
    return kExitBadInput;
  }
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
  if (!set_log_level(o.log_level)) {
    print_error("--log-level: expected trace, debug, info, warn, error or off, got '" + o.log_level + "'");
    return kExitBadInput;
  }

  // Bad input is reported before anything is opened: exit 2 as for `info`.
  std::vector<std::string> torrent_data;
  for (const std::string& file : o.torrents) {
    auto data = read_valid_torrent(file);
    if (!data) return kExitBadInput;
    torrent_data.push_back(std::move(*data));
  }

  auto session = Session::create(settings);
  if (!session) {
    print_error(session.error());
    return kExitFailure;
  }
  std::vector<TorrentId> ids;
  for (std::size_t i = 0; i < o.torrents.size(); ++i) {
    AddTorrentParams params;
    params.torrent_file = o.torrents[i];
    params.torrent_data = std::move(torrent_data[i]);
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
    for (const SessionEvent& e : (*session)->take_events()) {
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
      } else if (e.kind == SessionEvent::Kind::stopped_at_ratio) {
        stopped_at_ratio.insert(e.id);
        stopped_name = e.name;
      }
    }
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
    if (all_done && !o.keep_seeding) break;
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
