// Options of `tessera-cli download` and `tessera-cli seed`, parsed from the command line.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::cli {

struct TransferOptions {
  std::vector<std::string> sources;  // .torrent files and magnet links, in the order given
  std::string dir;
  std::string listen = "0.0.0.0:6881";
  std::vector<std::string> peers;
  bool keep_seeding = false;
  bool trackers = true;
  bool dht = true, pex = true, lsd = true;
  std::vector<std::string> dht_bootstrap;  // empty: the engine's defaults
  std::optional<std::int64_t> max_metadata_size;  // bytes; nullopt: the engine's default
  std::string log_level = "warn";
  std::int64_t dl_limit_kib = 0;
  std::int64_t ul_limit_kib = 0;
  double stop_at_ratio = 0;  // 0: seed on
  std::optional<std::string> state_dir;  // nullopt: the default; "": none
};

// Either the options, or the exit code to leave with at once (help printed: 0; bad usage,
// reported in one `error:` line: 2).
struct ParsedTransfer {
  std::optional<TransferOptions> options;
  int exit_code = 0;
};
ParsedTransfer parse_transfer_options(std::span<const std::string_view> args, bool seed_command);

void print_transfer_help(bool seed_command);

// Where the CLI keeps resume data unless told: $XDG_DATA_HOME/tessera/cli (or ~/.local/share/...).
std::string default_state_dir();

// A cap in KiB/s: digits only, 0 = unlimited, at most ~1 TiB/s.
std::optional<std::int64_t> parse_kib(std::string_view text);

}  // namespace tessera::cli
