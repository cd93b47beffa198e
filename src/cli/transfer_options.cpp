#include "transfer_options.hpp"

#include <cstdio>
#include <cstdlib>

#include "cli_common.hpp"
#include "tessera/host_port.hpp"

namespace tessera::cli {
namespace {

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

}  // namespace

std::string default_state_dir() {
  // Kept apart from the GUI's list so the two do not pick up each other's torrents.
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && xdg[0] == '/') {
    return std::string(xdg) + "/tessera/cli";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0') {
    return std::string(home) + "/.local/share/tessera/cli";
  }
  return {};
}

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

void print_transfer_help(bool seed_command) {
  if (seed_command) {
    std::fputs(
        "Usage: tessera-cli seed SOURCE -d DIR [options]\n"
        "\n"
        "SOURCE is a .torrent file or a magnet link (in quotes). Check the data in DIR, then seed\n"
        "it until interrupted (SIGINT/SIGTERM) or, with --stop-at-ratio, until every torrent has\n"
        "reached that share ratio; the trackers are told we stopped on the way out. Missing\n"
        "pieces are downloaded. For a magnet link the metadata (the file list) is fetched from\n"
        "peers first, so some peer must have it: the link's x.pe peers, its trackers, --peer.\n",
        stdout);
  } else {
    std::fputs(
        "Usage: tessera-cli download SOURCE... -o DIR [options]\n"
        "\n"
        "Each SOURCE is a .torrent file or a magnet link (in quotes: it contains '&'); they may be\n"
        "mixed. Download into DIR (data already there is checked and kept). Exits 0 once every\n"
        "piece is verified, or keeps seeding with --seed. For a magnet link the metadata (the file\n"
        "list) is fetched from peers first: the link's x.pe peers, its trackers (tr), --peer, the\n"
        "DHT; files it selects (so=) are the only ones downloaded. The .torrent made from it is\n"
        "kept in the state folder.\n",
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
      "  --no-dht             do not use the DHT to find peers\n"
      "  --dht-bootstrap ADDR:PORT  a DHT node to start from (repeatable); given, it replaces\n"
      "                       the public routers\n"
      "  --no-pex             no peer exchange with connected peers\n"
      "  --no-lsd             no local service discovery (multicast on the local network)\n"
      "  --max-metadata-size KIB  largest metadata a magnet link's peers may send, in KiB\n"
      "                       (default 8192)\n"
      "  --state-dir DIR      where resume data is kept, so an interrupted run continues where\n"
      "                       it stopped (default $XDG_DATA_HOME/tessera/cli)\n"
      "  --no-state           keep no resume data (existing data is checked by hashing)\n"
      "  --log-level LEVEL    trace, debug, info, warn (default), error, off\n"
      "  -h, --help           show this help\n"
      "\n"
      "While running, lines on stdin change the caps at once: 'dl-limit KIB', 'ul-limit KIB'.\n",
      stdout);
}

ParsedTransfer parse_transfer_options(std::span<const std::string_view> args, bool seed_command) {
  const auto fail = [] { return ParsedTransfer{std::nullopt, kExitBadInput}; };
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
      return ParsedTransfer{std::nullopt, kExitOk};
    } else if (a == "-o" || a == "-d" || a == "--dir" || a == "--output") {
      auto v = value("-o/-d");
      if (!v) return fail();
      o.dir = *v;
    } else if (a == "--listen") {
      auto v = value("--listen");
      if (!v) return fail();
      o.listen = *v;
    } else if (a == "--peer") {
      auto v = value("--peer");
      if (!v) return fail();
      o.peers.push_back(*v);
    } else if (a == "--dl-limit" || a == "--ul-limit") {
      auto v = value(a == "--dl-limit" ? "--dl-limit" : "--ul-limit");
      if (!v) return fail();
      const auto kib = parse_kib(*v);
      if (!kib) {
        print_error(std::string(a) + ": expected KiB/s as a whole number (0 = unlimited), got '" + *v + "'");
        return fail();
      }
      (a == "--dl-limit" ? o.dl_limit_kib : o.ul_limit_kib) = *kib;
    } else if (a == "--seed") {
      o.keep_seeding = true;
    } else if (a == "--stop-at-ratio") {
      auto v = value("--stop-at-ratio");
      if (!v) return fail();
      const auto ratio = parse_ratio(*v);
      if (!ratio) {
        print_error("--stop-at-ratio: expected a ratio such as 1 or 2.5 (0 = never), got '" + *v + "'");
        return fail();
      }
      o.stop_at_ratio = *ratio;
    } else if (a == "--state-dir") {
      auto v = value("--state-dir");
      if (!v) return fail();
      o.state_dir = *v;
    } else if (a == "--no-state") {
      o.state_dir = std::string();
    } else if (a == "--no-trackers") {
      o.trackers = false;
    } else if (a == "--no-dht") {
      o.dht = false;
    } else if (a == "--no-pex") {
      o.pex = false;
    } else if (a == "--no-lsd") {
      o.lsd = false;
    } else if (a == "--dht-bootstrap") {
      auto v = value("--dht-bootstrap");
      if (!v) return fail();
      const auto hp = parse_host_port(*v);
      if (!hp || hp->port == 0 || hp->host.empty()) {
        print_error("--dht-bootstrap: expected a node as ADDR:PORT (port 1-65535), got '" + *v + "'");
        return fail();
      }
      o.dht_bootstrap.push_back(*v);
    } else if (a == "--max-metadata-size") {
      auto v = value("--max-metadata-size");
      if (!v) return fail();
      const auto kib = parse_kib(*v);
      // At least one 16 KiB metadata piece; at most 1 GiB, far beyond any real torrent.
      if (!kib || *kib < 16 || *kib > (std::int64_t{1} << 20)) {
        print_error("--max-metadata-size: expected KiB from 16 to 1048576, got '" + *v + "'");
        return fail();
      }
      o.max_metadata_size = *kib * 1024;
    } else if (a == "--log-level") {
      auto v = value("--log-level");
      if (!v) return fail();
      o.log_level = *v;
    } else if (a.starts_with("-")) {
      print_error("unknown option '" + std::string(a) + "'");
      return fail();
    } else {
      o.sources.emplace_back(a);
    }
  }
  const char* cmd = seed_command ? "seed" : "download";
  if (o.sources.empty() || o.dir.empty()) {
    print_error(std::string(cmd) + ": need a torrent file or magnet link and a folder (see 'tessera-cli " + cmd +
                " --help')");
    return fail();
  }
  if (o.stop_at_ratio > 0 && !o.keep_seeding) {
    print_error("--stop-at-ratio: a download without --seed stops when complete; add --seed");
    return fail();
  }
  if (!o.dht && !o.dht_bootstrap.empty()) {
    print_error("--dht-bootstrap: the DHT is off (--no-dht)");
    return fail();
  }
  return ParsedTransfer{std::move(o), kExitOk};
}

}  // namespace tessera::cli
