#include "wire/peer_id.hpp"

#include <algorithm>
#include <optional>
#include <vector>

namespace tessera::wire {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

enum class VersionStyle : std::uint8_t {
  three,         // -XXabc?-  -> a.b.c
  four,          // -XXabcd-  -> a.b.c.d
  transmission,  // -TR3000- -> 3.00 up to 3.x, -TR4050- -> 4.0.5 from 4.0 on
};

struct ClientCode {
  std::string_view code;
  std::string_view name;
  VersionStyle style;
};

// Azureus-style codes seen in real swarms. Lookup is case-sensitive: "LT" and "lt" differ.
// clang-format off
constexpr ClientCode kClients[] = {
    {"AZ", "Vuze", VersionStyle::four},
    {"BI", "BiglyBT", VersionStyle::four},
    {"BT", "BitTorrent", VersionStyle::three},
    {"BW", "BitTorrent Web", VersionStyle::three},
    {"DE", "Deluge", VersionStyle::three},
    {"KT", "KTorrent", VersionStyle::three},
    {"LT", "libtorrent", VersionStyle::three},
    {"lt", "libtorrent (rakshasa)", VersionStyle::three},
    {"PI", "PicoTorrent", VersionStyle::three},
    {"qB", "qBittorrent", VersionStyle::four},
    {"SD", "Thunder", VersionStyle::four},
    {"TR", "Transmission", VersionStyle::transmission},
    {"TS", "Tessera", VersionStyle::three},
    {"UM", "µTorrent Mac", VersionStyle::three},
    {"UT", "µTorrent", VersionStyle::three},
    {"UW", "µTorrent Web", VersionStyle::three},
    {"XL", "Xunlei", VersionStyle::four},
};
// clang-format on

// One version character: 0-9, then A-Z (or a-z) for 10-35, as clients past 9 use letters.
std::optional<int> version_digit(std::uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  return std::nullopt;
}

bool is_printable(std::uint8_t c) {
  return c >= 0x20 && c < 0x7F;
}

std::optional<std::string> azureus_style(const PeerId& id) {
  if (id[0] != '-' || id[7] != '-') return std::nullopt;
  const std::string_view code(reinterpret_cast<const char*>(id.data()) + 1, 2);
  const auto* client = std::find_if(std::begin(kClients), std::end(kClients),
                                    [&](const ClientCode& c) { return c.code == code; });
  if (client == std::end(kClients)) return std::nullopt;
  int v[4];
  for (int i = 0; i < 4; ++i) {
    const auto d = version_digit(id[static_cast<std::size_t>(3 + i)]);
    // The last character is a build tag for some clients (Deluge 's', µTorrent 'W').
    if (!d && !(i == 3 && client->style != VersionStyle::four && is_printable(id[6]))) return std::nullopt;
    v[i] = d.value_or(0);
  }
  std::string out(client->name);
  out += ' ';
  switch (client->style) {
    case VersionStyle::three:
      out += std::to_string(v[0]) + '.' + std::to_string(v[1]) + '.' + std::to_string(v[2]);
      break;
    case VersionStyle::four:
      out += std::to_string(v[0]) + '.' + std::to_string(v[1]) + '.' + std::to_string(v[2]) + '.' +
             std::to_string(v[3]);
      break;
    case VersionStyle::transmission: {
      const std::string suffix = id[6] == 'Z' ? "+" : id[6] == 'X' ? " beta" : "";
      if (v[0] == 0 && v[1] == 0 && v[2] == 0) {  // -TR0006-: 0.6
        out += "0." + std::to_string(v[3]);
      } else if (v[0] == 0 && v[1] == 0) {  // -TR0072-: 0.72
        out += "0." + std::to_string(v[2]) + std::to_string(v[3]);
      } else if (v[0] <= 3) {  // -TR2940-: 2.94
        out += std::to_string(v[0]) + '.' + std::to_string(v[1]) + std::to_string(v[2]) + suffix;
      } else {  // -TR4050-: 4.0.5
        out += std::to_string(v[0]) + '.' + std::to_string(v[1]) + '.' + std::to_string(v[2]) + suffix;
      }
      break;
    }
  }
  return out;
}

// "7-4-3-" at `pos`: up to three decimal numbers, each ended by '-'.
std::optional<std::string> dashed_version(const PeerId& id, std::size_t pos) {
  std::vector<std::string> parts;
  while (parts.size() < 3 && pos < id.size()) {
    std::string number;
    while (pos < id.size() && id[pos] >= '0' && id[pos] <= '9' && number.size() < 3) {
      number += static_cast<char>(id[pos++]);
    }
    if (number.empty() || pos >= id.size() || id[pos] != '-') return std::nullopt;
    ++pos;
    parts.push_back(number);
  }
  if (parts.size() != 3) return std::nullopt;
  return parts[0] + '.' + parts[1] + '.' + parts[2];
}

}  // namespace

PeerId make_peer_id(std::string_view prefix, std::uint64_t random_seed) {
  static constexpr std::string_view kAlphabet =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  PeerId id{};
  const std::size_t n = std::min(prefix.size(), id.size());
  for (std::size_t i = 0; i < n; ++i) id[i] = static_cast<std::uint8_t>(prefix[i]);
  std::uint64_t state = random_seed;
  for (std::size_t i = n; i < id.size(); ++i) {
    id[i] = static_cast<std::uint8_t>(kAlphabet[splitmix64(state) % kAlphabet.size()]);
  }
  return id;
}

std::string client_name_from_peer_id(const PeerId& id) {
  if (auto name = azureus_style(id)) return *name;
  if (id[0] == 'M') {
    if (auto v = dashed_version(id, 1)) return "Mainline " + *v;
  }
  if (id[0] == 'A' && id[1] == '2' && id[2] == '-') {
    if (auto v = dashed_version(id, 3)) return "aria2 " + *v;
  }
  std::string shown;
  for (std::size_t i = 0; i < 8; ++i) shown += is_printable(id[i]) ? static_cast<char>(id[i]) : '?';
  return "Unknown (" + shown + ")";
}

}  // namespace tessera::wire
