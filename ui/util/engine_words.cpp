#include "util/engine_words.hpp"

#include <QCoreApplication>

namespace tessera::gui {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("EngineWords", text); }

// The engine's details are lower-case phrases without a full stop; shown as a sentence.
QString sentence(const std::string& detail) {
  QString s = QString::fromStdString(detail).trimmed();
  if (s.isEmpty()) return s;
  s[0] = s[0].toUpper();
  if (!s.endsWith(QLatin1Char('.'))) s += QLatin1Char('.');
  return s;
}

}  // namespace

QString stallExplanation(StallReason reason, const std::string& detail) {
  QString why;
  switch (reason) {
    case StallReason::none: return {};
    case StallReason::checking: why = tr("Not moving: waiting for the check of the data already on disk."); break;
    case StallReason::disk_error: why = tr("Not moving: stopped by a disk error."); break;
    case StallReason::no_peers_known: why = tr("Not moving: no peers known."); break;
    case StallReason::peers_unreachable: why = tr("Not moving: peers are known, but none can be reached."); break;
    case StallReason::all_choking: why = tr("Not moving: every peer with pieces we want is choking us."); break;
    case StallReason::nobody_has_wanted: why = tr("Not moving: no connected peer has the pieces we want."); break;
    case StallReason::download_cap: why = tr("Held back by a download cap."); break;
    case StallReason::no_metadata_source: why = tr("Not moving: no connected peer can send the metadata."); break;
  }
  const QString more = sentence(detail);
  return more.isEmpty() ? why : why + QLatin1Char(' ') + more;
}

QString peerSourceText(PeerSource source) {
  switch (source) {
    case PeerSource::tracker: return tr("Tracker");
    case PeerSource::incoming: return tr("Incoming");
    case PeerSource::manual: return tr("Manual");
    case PeerSource::dht: return tr("DHT");
    case PeerSource::pex: return tr("PEX");
    case PeerSource::lsd: return tr("LSD");
    case PeerSource::magnet: return tr("Magnet link");
  }
  return {};
}

QString departureReasonText(DepartureReason reason) {
  switch (reason) {
    case DepartureReason::protocol_violation: return tr("Broke the protocol");
    case DepartureReason::corrupt_data: return tr("Sent corrupt data (banned)");
    case DepartureReason::timed_out: return tr("Timed out");
    case DepartureReason::closed_by_peer: return tr("Closed by the peer");
    case DepartureReason::pruned: return tr("Dropped for a better peer");
    case DepartureReason::duplicate: return tr("Duplicate connection");
    case DepartureReason::not_useful: return tr("Both seeding");
    case DepartureReason::stopped: return tr("We stopped");
  }
  return {};
}

QString agoText(std::int64_t seconds) {
  if (seconds < 5) return tr("just now");
  if (seconds < 60) return tr("%1 s ago").arg(seconds);
  if (seconds < 3600) return tr("%1 min ago").arg(seconds / 60);
  if (seconds < 86400) return tr("%1 h ago").arg(seconds / 3600);
  return tr("%1 d ago").arg(seconds / 86400);
}

}  // namespace tessera::gui
