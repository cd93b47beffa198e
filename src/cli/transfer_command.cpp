// `tessera-cli download` and `tessera-cli seed`: one torrent through the engine, with a status
// line each second, until done (download) or until SIGINT/SIGTERM (seed, or download --seed).
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "cli_common.hpp"
#include "commands.hpp"
#include "log/logging.hpp"
#include "metainfo/metainfo.hpp"
#include "metainfo/read_torrent_file.hpp"
#include "net/host_port.hpp"
#include "tessera/session.hpp"

namespace tessera::cli {
namespace {

volatile std::sig_atomic_t g_signal = 0;
void on_signal(int sig) { g_signal = sig; }

struct TransferOptions {
  std::string torrent;
  std::string dir;
  std::string listen = "0.0.0.0:6881";
  std::vector<std::string> peers;
  bool keep_seeding = false;
  bool trackers = true;
  std::string log_level = "warn";
};

std::string rate(std::int64_t bytes_per_s) { return human_size(bytes_per_s) + "/s"; }

std::string eta(std::optional<std::int64_t> s) {
  if (!s) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(*s / 3600),
                static_cast<long long>(*s / 60 % 60), static_cast<long long>(*s % 60));
  return buf;
}

std::string swarm(const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : "?"; }

std::string status_line(const TorrentStatus& t) {
  char buf[512];
  const double pct = t.state == TorrentState::checking ? t.check_progress * 100 : t.progress * 100;
  std::snprintf(buf, sizeof buf, "%-11s %5.1f%%  down %s  up %s  peers %d (seeds %d, leechers %d)  swarm %s/%s  eta %s",
                to_string(t.state), pct, rate(t.down_rate).c_str(), rate(t.up_rate).c_str(), t.peers_connected,
                t.seeds_connected, t.leechers_connected, swarm(t.swarm_seeds).c_str(),
                swarm(t.swarm_leechers).c_str(), eta(t.eta_s).c_str());
  return buf;
}

void print_transfer_help(bool seed) {
  if (seed) {
    std::fputs(
        "Usage: tessera-cli seed FILE.torrent -d DIR [options]\n"
        "\n"
        "Check the data in DIR, then seed it until interrupted (SIGINT/SIGTERM), telling the\n"
        "trackers we stopped on the way out. Missing pieces are downloaded.\n",
        stdout);
  } else {
    std::fputs(
        "Usage: tessera-cli download FILE.torrent -o DIR [options]\n"
        "\n"
        "Download the torrent into DIR (data already there is checked and kept). Exits 0 once\n"
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
      "  --no-trackers        do not contact the torrent's trackers\n"
      "  --log-level LEVEL    trace, debug, info, warn (default), error, off\n"
      "  -h, --help           show this help\n",
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
    } else if (a == "--seed") {
      o.keep_seeding = true;
    } else if (a == "--no-trackers") {
      o.trackers = false;
    } else if (a == "--log-level") {
      auto v = value("--log-level");
      if (!v) return kExitBadInput;
      o.log_level = *v;
    } else if (a.starts_with("-")) {
      print_error("unknown option '" + std::string(a) + "'");
      return kExitBadInput;
    } else if (o.torrent.empty()) {
      o.torrent = std::string(a);
    } else {
      print_error("expected one torrent file");
      return kExitBadInput;
    }
  }
  const char* cmd = seed_command ? "seed" : "download";
  if (o.torrent.empty() || o.dir.empty()) {
    print_error(std::string(cmd) + ": need a torrent file and a folder (see 'tessera-cli " + cmd + " --help')");
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
  log::set_level(spdlog::level::from_str(o.log_level));

  // Bad input is reported before anything is opened: exit 2 as for `info`.
  auto torrent_data = read_torrent_file(o.torrent, MetainfoLimits{}.bencode.max_input);
  if (!torrent_data) {
    print_error(torrent_data.error());
    return kExitBadInput;
  }
  if (auto meta = parse_metainfo(std::string_view(*torrent_data)); !meta) {
    print_error(o.torrent + ": " + meta.error().message);
    return kExitBadInput;
  }

  auto session = Session::create(settings);
  if (!session) {
    print_error(session.error());
    return kExitFailure;
  }
  AddTorrentParams params;
  params.torrent_file = o.torrent;
  params.torrent_data = std::move(*torrent_data);
  params.save_path = o.dir;
  params.peers = o.peers;
  auto id = (*session)->add_torrent(params);
  if (!id) {
    print_error(id.error());
    return id.error().starts_with("invalid peer address") ? kExitBadInput : kExitFailure;
  }

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  int exit_code = kExitOk;
  bool announced_check = false;
  auto last_print = std::chrono::steady_clock::now() - std::chrono::hours(1);
  const auto print_every = tty ? std::chrono::seconds(1) : std::chrono::seconds(2);
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (g_signal != 0) {
      if (!seed_command && !o.keep_seeding) exit_code = kExitFailure;  // interrupted download
      break;
    }
    for (const SessionEvent& e : (*session)->take_events()) {
      if (e.kind == SessionEvent::Kind::error) {
        if (tty) std::fputs("\n", stdout);
        print_error(e.name + ": " + e.message);
        exit_code = kExitFailure;
      } else if (e.kind == SessionEvent::Kind::checked && !announced_check) {
        announced_check = true;
        if (tty) std::fputs("\r\033[K", stdout);
        std::printf("%s: checked existing data: %s\n", e.name.c_str(), e.message.c_str());
      } else if (e.kind == SessionEvent::Kind::finished) {
        if (tty) std::fputs("\r\033[K", stdout);
        std::printf("%s: download complete\n", e.name.c_str());
      }
    }
    if (exit_code != kExitOk) break;
    auto snap = (*session)->snapshot();
    const TorrentStatus* t = nullptr;
    for (const auto& s : snap->torrents) {
      if (s.id == *id) t = &s;
    }
    if (t == nullptr) continue;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_print >= print_every) {
      last_print = now;
      if (tty) {
        std::printf("\r\033[K%s", status_line(*t).c_str());
      } else {
        std::printf("%s\n", status_line(*t).c_str());
      }
      std::fflush(stdout);
    }
    if (t->state == TorrentState::seeding && !o.keep_seeding) {
      if (tty) std::printf("\r\033[K%s\n", status_line(*t).c_str());
      break;
    }
  }
  if (tty) std::fputs("\n", stdout);
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
