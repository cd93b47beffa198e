// Plain data shared by the tracker protocols, the client and the announcer: what we tell a
// tracker (AnnounceParams) and what it tells us (AnnounceResult, ScrapeResult).
#pragma once

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hash/sha1.hpp"

namespace tessera::tracker {

enum class Event : std::uint8_t { none, started, completed, stopped };

// The HTTP spelling of an event ("started", ...); empty for none.
std::string_view event_name(Event e) noexcept;

struct AnnounceParams {
  Sha1Digest info_hash;
  std::array<std::uint8_t, 20> peer_id{};
  std::uint16_t port = 0;
  std::int64_t uploaded = 0, downloaded = 0, left = 0;
  Event event = Event::none;
  std::int32_t numwant = 200;
  std::uint32_t key = 0;  // lets a tracker recognise us across address changes
};

struct AnnounceResult {
  std::string warning;
  std::chrono::seconds interval{1800};
  std::chrono::seconds min_interval{0};  // 0: the tracker gave none
  std::optional<std::int64_t> seeders, leechers;
  std::vector<boost::asio::ip::tcp::endpoint> peers;
  std::string tracker_id;
};

struct ScrapeResult {
  std::optional<std::int64_t> seeders, leechers, completed;
};

// Bounds applied to what trackers ask for: a tracker asking for a 1 s interval must not make us
// hammer it, and one asking for a week must not make us forget it.
inline constexpr std::chrono::seconds kMinAnnounceInterval{60};
inline constexpr std::chrono::seconds kMaxAnnounceInterval{6 * 3600};

}  // namespace tessera::tracker
