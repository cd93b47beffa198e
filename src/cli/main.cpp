// tessera-cli: the engine without a GUI.
#include <cstdio>
#include <string_view>
#include <vector>

#include "cli_common.hpp"
#include "commands.hpp"
#include "tessera/version.hpp"

namespace {

void print_main_help() {
  std::fputs(
      "Usage: tessera-cli <command> [options]\n"
      "\n"
      "Commands:\n"
      "  info FILE.torrent   show what a torrent holds\n"
      "  info MAGNET         show what a magnet link holds (quote it: it contains '&')\n"
      "  magnet FILE.torrent            print the torrent's magnet link\n"
      "  download SOURCE... -o DIR      download .torrent files or magnet links (and\n"
      "                                 optionally keep seeding)\n"
      "  seed SOURCE -d DIR             check the data and seed it (a .torrent or a magnet link)\n"
      "  check FILE.torrent -d DIR      hash the data and report how much is verified\n"
      "  create SOURCE -o FILE.torrent  make a torrent from a file or folder\n"
      "  help [COMMAND]      show help for a command\n"
      "\n"
      "Options:\n"
      "  -h, --help          show this help\n"
      "  -V, --version       show the version\n"
      "\n"
      "Exit status: 0 success, 1 the operation failed, 2 invalid input.\n",
      stdout);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tessera::cli;
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) {
    print_main_help();
    return kExitBadInput;
  }
  const std::string_view command = args[0];
  const std::span<const std::string_view> rest(args.begin() + 1, args.end());
  if (command == "-h" || command == "--help") {
    print_main_help();
    return kExitOk;
  }
  if (command == "-V" || command == "--version") {
    std::printf("tessera-cli %s\n", tessera::kVersion);
    return kExitOk;
  }
  if (command == "help") {
    if (rest.empty()) {
      print_main_help();
    } else if (rest[0] == "info") {
      print_info_help();
    } else if (rest[0] == "download") {
      print_download_help();
    } else if (rest[0] == "seed") {
      print_seed_help();
    } else if (rest[0] == "check") {
      print_check_help();
    } else if (rest[0] == "create") {
      print_create_help();
    } else if (rest[0] == "magnet") {
      print_magnet_help();
    } else {
      print_error("help: unknown command '" + std::string(rest[0]) + "'");
      return kExitBadInput;
    }
    return kExitOk;
  }
  if (command == "info") return run_info(rest);
  if (command == "download") return run_download(rest);
  if (command == "seed") return run_seed(rest);
  if (command == "check") return run_check(rest);
  if (command == "create") return run_create(rest);
  if (command == "magnet") return run_magnet(rest);
  print_error("unknown command '" + std::string(command) + "' (see 'tessera-cli --help')");
  return kExitBadInput;
}
