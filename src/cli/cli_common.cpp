#include "cli_common.hpp"

#include <array>
#include <cstdio>
#include <cstring>

#include "tessera/magnet.hpp"
#include "tessera/torrent_info.hpp"

namespace tessera::cli {

std::string human_size(std::int64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  auto value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
    value /= 1024.0;
    ++unit;
  }
  std::array<char, 32> buf{};
  if (unit == 0) {
    std::snprintf(buf.data(), buf.size(), "%lld B", static_cast<long long>(bytes));
  } else {
    std::snprintf(buf.data(), buf.size(), "%.2f %s", value, kUnits[unit]);
  }
  return buf.data();
}

void print_error(std::string_view message) {
  const std::string line = "error: " + printable(message) + "\n";  // always exactly one line
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace tessera::cli

namespace tessera::cli {
std::string printable(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) c = '?';
  }
  return out;
}
std::optional<std::string> read_valid_torrent(const std::string& path) {
  if (is_magnet_link(path)) {
    // Otherwise the link would be taken for a file name and reported missing.
    print_error(
        "a magnet link holds no file list: give the .torrent file ('download' and 'seed' take "
        "magnet links and fetch the file list from peers)");
    return std::nullopt;
  }
  auto data = read_torrent_bytes(path);
  if (!data) {
    print_error(data.error());
    return std::nullopt;
  }
  if (auto info = parse_torrent_info(*data); !info) {
    print_error(path + ": " + info.error());
    return std::nullopt;
  }
  return std::move(*data);
}

}  // namespace tessera::cli
