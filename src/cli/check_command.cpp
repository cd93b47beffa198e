// `tessera-cli check`: hashes a torrent's data on disk and says how much of it is verified.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "cli_common.hpp"
#include "commands.hpp"
#include "tessera/session.hpp"

namespace tessera::cli {

void print_check_help() {
  std::fputs(
      "Usage: tessera-cli check FILE.torrent -d DIR [--threads N]\n"
      "\n"
      "Hash the torrent's data in DIR and print how many pieces are verified. Exits 0 when every\n"
      "piece is, 1 when some are missing or damaged, 2 for invalid input. Nothing is written.\n"
      "\n"
      "Options:\n"
      "  -d, -o DIR     folder holding the data\n"
      "  --threads N    hashing threads (default: the number of cores)\n",
      stdout);
}

int run_check(std::span<const std::string_view> args) {
  std::string torrent, dir;
  std::size_t threads = std::max(1u, std::thread::hardware_concurrency());
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "-h" || a == "--help") {
      print_check_help();
      return kExitOk;
    }
    if (a == "-d" || a == "-o" || a == "--dir" || a == "--threads") {
      if (i + 1 >= args.size()) {
        print_error(std::string(a) + " needs a value");
        return kExitBadInput;
      }
      const std::string_view v = args[++i];
      if (a == "--threads") {
        if (v.empty() || v.size() > 3 || v.find_first_not_of("0123456789") != std::string_view::npos || v == "0") {
          print_error("--threads: expected a number from 1 to 999");
          return kExitBadInput;
        }
        threads = std::stoul(std::string(v));
      } else {
        dir = v;
      }
    } else if (a.starts_with("-")) {
      print_error("unknown option '" + std::string(a) + "'");
      return kExitBadInput;
    } else if (torrent.empty()) {
      torrent = a;
    } else {
      print_error("check takes one torrent");
      return kExitBadInput;
    }
  }
  if (torrent.empty() || dir.empty()) {
    print_error("check: need a torrent file and a folder (see 'tessera-cli check --help')");
    return kExitBadInput;
  }
  auto data = read_valid_torrent(torrent);
  if (!data) return kExitBadInput;
  // The engine's own check, in a session that talks to nobody.
  SessionSettings settings;
  settings.listen_address = "127.0.0.1";
  settings.listen_port = 0;
  settings.use_trackers = false;
  settings.disk_threads = threads;
  settings.snapshot_interval = std::chrono::milliseconds(200);
  auto session = Session::create(settings);
  if (!session) {
    print_error(session.error());
    return kExitFailure;
  }
  AddTorrentParams params;
  params.torrent_file = torrent;
  params.torrent_data = std::move(*data);
  params.save_path = dir;
  params.paused = true;
  auto id = (*session)->add_torrent(params);
  if (!id) {
    print_error(id.error());
    return kExitFailure;
  }
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    bool checked = false;
    for (const SessionEvent& e : (*session)->take_events()) checked = checked || e.kind == SessionEvent::Kind::checked;
    auto snap = (*session)->snapshot();
    const TorrentStatus* t = nullptr;
    for (const auto& s : snap->torrents) {
      if (s.id == *id) t = &s;
    }
    if (checked) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      // The snapshot may predate the end of the check: wait for one taken after it.
      for (int i = 0; i < 50 && (t == nullptr || t->state == TorrentState::checking); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        snap = (*session)->snapshot();
        for (const auto& s : snap->torrents) {
          if (s.id == *id) t = &s;
        }
      }
      if (t == nullptr) return kExitFailure;
      if (tty) std::fputs("\r\033[K", stdout);
      std::printf("%s: %u/%u pieces verified (%.1f%%), %s checked in %.2f s\n", printable(t->name).c_str(),
                  t->pieces_have, t->piece_count,
                  t->piece_count > 0 ? 100.0 * t->pieces_have / t->piece_count : 100.0,
                  human_size(t->total_size).c_str(), secs);
      const bool complete = t->pieces_have == t->piece_count;
      (*session)->shutdown(std::chrono::milliseconds(0));
      return complete ? kExitOk : kExitFailure;
    }
    if (tty && t != nullptr) {
      std::printf("\r\033[Kchecking %5.1f%%", t->check_progress * 100);
      std::fflush(stdout);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace tessera::cli
