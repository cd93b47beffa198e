// The engine's reasons in words for people: why a torrent is not moving, where a peer came from,
// why a peer left. One place, so the table, the tabs and their tooltips say the same.
#pragma once

#include <QString>

#include <string>

#include <tessera/status.hpp>

namespace tessera::gui {

// "Not moving: no known peer can be reached. 41 connection attempts failed; 3 peers known." —
// or "Held back by a download cap. …" when that is what limits it. Empty for StallReason::none.
QString stallExplanation(StallReason reason, const std::string& detail);
// Tracker, Incoming, Manual, DHT, PEX, LSD, Magnet link.
QString peerSourceText(PeerSource source);
// "Timed out", "Closed by the peer", ... (a short phrase, capitalised).
QString departureReasonText(DepartureReason reason);
// "just now", "42 s ago", "5 min ago", "2 h ago".
QString agoText(std::int64_t seconds);

}  // namespace tessera::gui
