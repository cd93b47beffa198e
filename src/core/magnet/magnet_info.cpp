// The public view of magnet links (tessera/magnet.hpp), over the pure parser.
#include <algorithm>

#include "magnet/magnet_uri.hpp"
#include "tessera/magnet.hpp"

namespace tessera {

bool is_magnet_link(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return false;
  constexpr std::string_view kScheme = "magnet:";
  const std::string_view head = text.substr(first, kScheme.size());
  return head.size() == kScheme.size() &&
         std::equal(head.begin(), head.end(), kScheme.begin(), [](char a, char b) {
           return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
         });
}

expected<MagnetInfo, std::string> parse_magnet(std::string_view uri) {
  auto parsed = magnet::parse_magnet_uri(uri);
  if (!parsed) return unexpected(std::move(parsed.error().message));
  MagnetInfo info;
  info.info_hash = parsed->info_hash.hex();
  info.name = std::move(parsed->name);
  info.trackers = std::move(parsed->trackers);
  for (const magnet::PeerAddress& p : parsed->peers) info.peers.push_back(magnet::format_peer_address(p));
  info.web_seeds = std::move(parsed->web_seeds);
  for (const magnet::FileRange& r : parsed->selected_files) info.selected_files.push_back({r.first, r.last});
  info.warnings = std::move(parsed->warnings);
  return info;
}

namespace {

std::string make_bounded_uri(magnet::Magnet m) {
  // Within what parse_magnet reads, so the link Tessera makes is one Tessera takes: a torrent
  // with thousands of trackers gives its first ones.
  if (m.trackers.size() > magnet::kMaxTrackers) m.trackers.resize(magnet::kMaxTrackers);
  if (m.web_seeds.size() > magnet::kMaxWebSeeds) m.web_seeds.resize(magnet::kMaxWebSeeds);
  std::string uri = magnet::make_magnet_uri(m);
  while (uri.size() > magnet::kMaxUriBytes && !(m.trackers.empty() && m.web_seeds.empty())) {
    if (!m.web_seeds.empty()) {
      m.web_seeds.pop_back();
    } else {
      m.trackers.pop_back();
    }
    uri = magnet::make_magnet_uri(m);
  }
  return uri;
}

void add_tracker_once(std::vector<std::string>& trackers, const std::string& url) {
  if (std::find(trackers.begin(), trackers.end(), url) == trackers.end()) trackers.push_back(url);
}

}  // namespace

std::string magnet_uri(const TorrentInfo& torrent) {
  magnet::Magnet m;
  if (auto hash = Sha1Digest::from_hex(torrent.info_hash)) m.info_hash = *hash;
  m.name = torrent.name;
  // Tiers flattened in order: a magnet link has no tiers, and a URL in two tiers is one tracker.
  for (const auto& tier : torrent.trackers) {
    for (const std::string& url : tier) add_tracker_once(m.trackers, url);
  }
  m.web_seeds = torrent.web_seeds;
  return make_bounded_uri(std::move(m));
}

std::string magnet_uri(std::string_view info_hash_hex, std::string_view name,
                       const std::vector<std::string>& trackers) {
  auto hash = Sha1Digest::from_hex(info_hash_hex);
  if (!hash) return {};
  magnet::Magnet m;
  m.info_hash = *hash;
  m.name = std::string(name);
  for (const std::string& url : trackers) add_tracker_once(m.trackers, url);
  return make_bounded_uri(std::move(m));
}

bool magnet_selects_file(const MagnetInfo& magnet, std::uint32_t index) {
  if (magnet.selected_files.empty()) return true;
  return std::any_of(magnet.selected_files.begin(), magnet.selected_files.end(),
                     [&](const MagnetFileRange& r) { return index >= r.first && index <= r.last; });
}

}  // namespace tessera
