// `tessera-cli info FILE.torrent [--json]`: what a torrent holds, or why it is refused.
#include <cstdio>
#include <ctime>
#include <string>
#include <utility>

#include "cli_common.hpp"
#include "commands.hpp"
#include "json_writer.hpp"
#include "tessera/magnet.hpp"
#include "tessera/torrent_info.hpp"

namespace tessera::cli {
namespace {

void out(const std::string& line) { std::fputs((line + "\n").c_str(), stdout); }

std::string utc_time(std::int64_t seconds) {
  const auto t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return std::to_string(seconds);
  char buf[64];
  if (std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) return std::to_string(seconds);
  return buf;
}

void print_text(const TorrentInfo& m) {
  auto field = [](const char* label, const std::string& value) {
    std::printf("%-15s%s\n", label, value.c_str());
  };
  field("Name:", m.name);
  field("Info-hash:", m.info_hash);
  field("Total size:", human_size(m.stream_size) + " (" + std::to_string(m.stream_size) + " bytes)");
  field("Piece length:", human_size(m.piece_length) + " (" + std::to_string(m.piece_length) + " bytes)");
  field("Pieces:", std::to_string(m.piece_count));
  field("Private:", m.is_private ? "yes" : "no");
  if (!m.created_by.empty()) field("Created by:", printable(m.created_by));
  if (m.creation_date) field("Created on:", utc_time(*m.creation_date));
  if (!m.comment.empty()) field("Comment:", printable(m.comment));

  std::size_t shown = 0;
  for (const TorrentInfoFile& f : m.files) shown += f.pad ? 0 : 1;
  out("");
  out("Files (" + std::to_string(shown) + "):");
  for (const TorrentInfoFile& f : m.files) {
    if (f.pad) continue;
    std::printf("  %12lld  %s\n", static_cast<long long>(f.size), f.path.c_str());
  }
  out("");
  if (m.trackers.empty()) {
    out("Trackers: none");
  } else {
    out("Trackers:");
    for (std::size_t t = 0; t < m.trackers.size(); ++t) {
      for (const std::string& url : m.trackers[t]) {
        std::printf("  tier %zu  %s\n", t + 1, printable(url).c_str());
      }
    }
  }
  if (!m.web_seeds.empty()) {
    out("");
    out("Web seeds:");
    for (const std::string& url : m.web_seeds) out("  " + printable(url));
  }
}

void print_json(const TorrentInfo& m) {
  std::string j = "{\n";
  j += "  \"name\": " + json_string(m.name) + ",\n";
  j += "  \"info_hash\": \"" + m.info_hash + "\",\n";
  j += "  \"total_size\": " + std::to_string(m.stream_size) + ",\n";
  j += "  \"piece_length\": " + std::to_string(m.piece_length) + ",\n";
  j += "  \"piece_count\": " + std::to_string(m.piece_count) + ",\n";
  j += std::string("  \"private\": ") + (m.is_private ? "true" : "false") + ",\n";
  j += std::string("  \"multi_file\": ") + (m.multi_file ? "true" : "false") + ",\n";
  j += "  \"created_by\": " + json_string(m.created_by) + ",\n";
  j += "  \"creation_date\": " + (m.creation_date ? std::to_string(*m.creation_date) : "null") + ",\n";
  j += "  \"comment\": " + json_string(m.comment) + ",\n";
  j += "  \"files\": [";
  for (std::size_t i = 0; i < m.files.size(); ++i) {
    const TorrentInfoFile& f = m.files[i];
    j += i == 0 ? "\n" : ",\n";
    j += "    {\"path\": " + json_string(f.path) + ", \"size\": " + std::to_string(f.size) +
         ", \"offset\": " + std::to_string(f.offset) + ", \"pad\": " + (f.pad ? "true" : "false") + "}";
  }
  j += m.files.empty() ? "],\n" : "\n  ],\n";
  j += "  \"trackers\": [";
  for (std::size_t t = 0; t < m.trackers.size(); ++t) {
    j += t == 0 ? "" : ", ";
    j += "[";
    for (std::size_t u = 0; u < m.trackers[t].size(); ++u) {
      j += (u == 0 ? "" : ", ") + json_string(m.trackers[t][u]);
    }
    j += "]";
  }
  j += "],\n  \"web_seeds\": [";
  for (std::size_t i = 0; i < m.web_seeds.size(); ++i) j += (i == 0 ? "" : ", ") + json_string(m.web_seeds[i]);
  j += "],\n  \"warnings\": [";
  for (std::size_t i = 0; i < m.warnings.size(); ++i) j += (i == 0 ? "" : ", ") + json_string(m.warnings[i]);
  j += "]\n}\n";
  std::fputs(j.c_str(), stdout);
}

}  // namespace

void print_info_help() {
  std::fputs(
      "Usage: tessera-cli info [--json] FILE.torrent\n"
      "       tessera-cli info [--json] 'magnet:?xt=urn:btih:...'\n"
      "\n"
      "Show what a torrent holds: name, info-hash, size, pieces, files and trackers.\n"
      "For a magnet link (quoted: it contains '&'), what the link holds: info-hash, name,\n"
      "trackers, peers, web seeds and the files it selects (BEP 53); anything in the link that\n"
      "cannot be used is named in a 'warning:' line.\n"
      "An invalid or dangerous torrent or link prints one 'error:' line and exits with status 2.\n"
      "\n"
      "Options:\n"
      "  --json       machine-readable output\n"
      "  -h, --help   show this help\n",
      stdout);
}

int run_info(std::span<const std::string_view> args) {
  bool json = false;
  std::string path;
  for (const std::string_view a : args) {
    if (a == "-h" || a == "--help") {
      print_info_help();
      return kExitOk;
    }
    if (a == "--json") {
      json = true;
    } else if (a.starts_with("-") && a != "-") {
      print_error("info: unknown option '" + std::string(a) + "' (see 'tessera-cli info --help')");
      return kExitBadInput;
    } else if (path.empty()) {
      path = std::string(a);
    } else {
      print_error("info: expected one torrent file or magnet link (see 'tessera-cli info --help')");
      return kExitBadInput;
    }
  }
  if (path.empty()) {
    print_error("info: no torrent file or magnet link given (see 'tessera-cli info --help')");
    return kExitBadInput;
  }
  if (is_magnet_link(path)) return show_magnet_info(path, json);
  auto data = read_torrent_bytes(path == "-" ? "/dev/stdin" : path);
  if (!data) {
    print_error(data.error());
    return kExitBadInput;
  }
  auto meta = parse_torrent_info(*data);
  if (!meta) {
    print_error(path + ": " + meta.error());
    return kExitBadInput;
  }
  for (const std::string& w : meta->warnings) std::fprintf(stderr, "warning: %s\n", printable(w).c_str());
  if (json) {
    print_json(*meta);
  } else {
    print_text(*meta);
  }
  return kExitOk;
}

}  // namespace tessera::cli
