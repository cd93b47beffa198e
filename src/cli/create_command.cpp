// `tessera-cli create`: makes a .torrent from a file or a folder.
#include <cstdio>
#include <fstream>
#include <string>

#include "cli_common.hpp"
#include "commands.hpp"
#include "tessera/atomic_file.hpp"
#include "tessera/torrent_info.hpp"

namespace tessera::cli {

void print_create_help() {
  std::fputs(
      "Usage: tessera-cli create SOURCE -o FILE.torrent [options]\n"
      "\n"
      "Hash a file or a folder (its files in path order) and write a .torrent for it.\n"
      "\n"
      "Options:\n"
      "  -o FILE            where to write the .torrent\n"
      "  -t, --tracker URL  announce URL (repeatable; each one its own tier, in order)\n"
      "  --piece-size KIB   piece size in KiB, a power of two >= 16 (default: from the size)\n"
      "  --comment TEXT     comment stored in the torrent\n"
      "  --private          private torrent (BEP 27: trackers only)\n",
      stdout);
}

int run_create(std::span<const std::string_view> args) {
  CreateTorrentParams params;
  std::string out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "-h" || a == "--help") {
      print_create_help();
      return kExitOk;
    }
    if (a == "--private") {
      params.is_private = true;
      continue;
    }
    if (a == "-o" || a == "-t" || a == "--tracker" || a == "--piece-size" || a == "--comment") {
      if (i + 1 >= args.size()) {
        print_error(std::string(a) + " needs a value");
        return kExitBadInput;
      }
      const std::string v(args[++i]);
      if (a == "-o") {
        out = v;
      } else if (a == "--comment") {
        params.comment = v;
      } else if (a == "--piece-size") {
        if (v.empty() || v.size() > 7 || v.find_first_not_of("0123456789") != std::string::npos) {
          print_error("--piece-size: expected KiB as a whole number");
          return kExitBadInput;
        }
        params.piece_length = std::stoll(v) * 1024;
      } else {
        params.trackers.push_back(v);
      }
    } else if (a.starts_with("-")) {
      print_error("unknown option '" + std::string(a) + "'");
      return kExitBadInput;
    } else if (params.source.empty()) {
      params.source = a;
    } else {
      print_error("create takes one source");
      return kExitBadInput;
    }
  }
  if (params.source.empty() || out.empty()) {
    print_error("create: need a source and -o FILE.torrent (see 'tessera-cli create --help')");
    return kExitBadInput;
  }
  auto data = create_torrent(params);
  if (!data) {
    print_error(data.error());
    return kExitBadInput;
  }
  if (auto w = write_file_atomically(out, *data); !w) {
    print_error(w.error());
    return kExitFailure;
  }
  auto info = parse_torrent_info(*data);
  if (info) {
    std::printf("%s: %s in %zu file(s), %u pieces of %s, info-hash %s\n", out.c_str(), human_size(info->total_size).c_str(),
                info->files.size(), info->piece_count, human_size(info->piece_length).c_str(), info->info_hash.c_str());
  }
  return kExitOk;
}

}  // namespace tessera::cli
