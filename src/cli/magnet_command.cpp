// Magnet links in tessera-cli: `info MAGNET` shows what a link holds, `magnet FILE.torrent`
// prints a torrent's link.
#include <cstdio>
#include <string>

#include "cli_common.hpp"
#include "commands.hpp"
#include "json_writer.hpp"
#include "tessera/magnet.hpp"
#include "tessera/torrent_info.hpp"

namespace tessera::cli {
namespace {

std::string range_text(const MagnetFileRange& r) {
  std::string out = std::to_string(r.first);
  if (r.last != r.first) out.append(1, '-').append(std::to_string(r.last));
  return out;
}

void print_list(const char* title, const std::vector<std::string>& items) {
  if (items.empty()) {
    std::printf("%s: none\n", title);
    return;
  }
  std::printf("%s:\n", title);
  for (const std::string& item : items) std::printf("  %s\n", printable(item).c_str());
}

void print_text(const MagnetInfo& m) {
  auto field = [](const char* label, const std::string& value) {
    std::printf("%-15s%s\n", label, value.c_str());
  };
  field("Name:", m.name.empty() ? "(not given)" : printable(m.name));
  field("Info-hash:", m.info_hash);
  if (m.selected_files.empty()) {
    field("Files:", "all (names and sizes come with the metadata)");
  } else {
    std::string ranges;
    for (const MagnetFileRange& r : m.selected_files) ranges += (ranges.empty() ? "" : ", ") + range_text(r);
    field("Files:", "only " + ranges + " (positions in the torrent's file list, from 0)");
  }
  std::fputs("\n", stdout);
  print_list("Trackers", m.trackers);
  print_list("Peers", m.peers);
  print_list("Web seeds", m.web_seeds);
}

std::string json_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "" : ", ") + json_string(items[i]);
  return out + "]";
}

void print_json(const MagnetInfo& m) {
  std::string j = "{\n";
  j += "  \"info_hash\": \"" + m.info_hash + "\",\n";
  j += "  \"name\": " + json_string(m.name) + ",\n";
  j += "  \"trackers\": " + json_list(m.trackers) + ",\n";
  j += "  \"peers\": " + json_list(m.peers) + ",\n";
  j += "  \"web_seeds\": " + json_list(m.web_seeds) + ",\n";
  // null: the link selects no files, so every file is wanted.
  j += "  \"selected_files\": ";
  if (m.selected_files.empty()) {
    j += "null";
  } else {
    j += "[";
    for (std::size_t i = 0; i < m.selected_files.size(); ++i) {
      j += (i == 0 ? "{\"first\": " : ", {\"first\": ") + std::to_string(m.selected_files[i].first) +
           ", \"last\": " + std::to_string(m.selected_files[i].last) + "}";
    }
    j += "]";
  }
  j += ",\n  \"warnings\": " + json_list(m.warnings) + "\n}\n";
  std::fputs(j.c_str(), stdout);
}

}  // namespace

int show_magnet_info(std::string_view link, bool json) {
  auto info = parse_magnet(link);
  if (!info) {
    print_error(info.error());
    return kExitBadInput;
  }
  for (const std::string& w : info->warnings) std::fprintf(stderr, "warning: %s\n", printable(w).c_str());
  if (json) {
    print_json(*info);
  } else {
    print_text(*info);
  }
  return kExitOk;
}

void print_magnet_help() {
  std::fputs(
      "Usage: tessera-cli magnet FILE.torrent\n"
      "\n"
      "Print the torrent's magnet link: its info-hash, name (dn), every tracker (tr) and web\n"
      "seed (ws). An invalid torrent prints one 'error:' line and exits with status 2.\n"
      "\n"
      "Options:\n"
      "  -h, --help   show this help\n",
      stdout);
}

int run_magnet(std::span<const std::string_view> args) {
  std::string path;
  for (const std::string_view a : args) {
    if (a == "-h" || a == "--help") {
      print_magnet_help();
      return kExitOk;
    }
    if (a.starts_with("-") && a != "-") {
      print_error("magnet: unknown option '" + std::string(a) + "' (see 'tessera-cli magnet --help')");
      return kExitBadInput;
    }
    if (!path.empty()) {
      print_error("magnet: expected one torrent file (see 'tessera-cli magnet --help')");
      return kExitBadInput;
    }
    path = std::string(a);
  }
  if (path.empty()) {
    print_error("magnet: no torrent file given (see 'tessera-cli magnet --help')");
    return kExitBadInput;
  }
  auto data = read_torrent_bytes(path == "-" ? "/dev/stdin" : path);
  if (!data) {
    print_error(data.error());
    return kExitBadInput;
  }
  auto info = parse_torrent_info(*data);
  if (!info) {
    print_error(path + ": " + info.error());
    return kExitBadInput;
  }
  const std::string link = magnet_uri(*info) + "\n";
  std::fputs(link.c_str(), stdout);
  return kExitOk;
}

}  // namespace tessera::cli
