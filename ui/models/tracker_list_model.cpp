#include "models/tracker_list_model.hpp"

#include <QColor>

#include "util/format.hpp"

namespace tessera::gui {
namespace {

constexpr std::uint32_t bit(int column) { return IncrementalTableModel::columnBit(column); }

QString count(const std::optional<std::int64_t>& n) { return n ? QString::number(*n) : QString(); }

QString stateText(const std::string& state) {
  if (state == "working") return TrackerListModel::tr("Working");
  if (state == "announcing") return TrackerListModel::tr("Announcing…");
  if (state == "error") return TrackerListModel::tr("Not working");
  if (state == "idle") return TrackerListModel::tr("Not contacted yet");
  return QString::fromStdString(state);
}

}  // namespace

TrackerListModel::TrackerListModel(QObject* parent) : IncrementalTableModel(parent) {}

int TrackerListModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int TrackerListModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant TrackerListModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= static_cast<int>(rows_.size())) return {};
  const TrackerInfo& t = rows_[static_cast<std::size_t>(index.row())];
  const QString message = QString::fromStdString(t.message.empty() ? t.warning : t.message);
  switch (role) {
    case Qt::DisplayRole:
      switch (index.column()) {
        case UrlColumn: return QString::fromStdString(t.url);
        case TierColumn: return static_cast<qulonglong>(t.tier + 1);
        case StatusColumn: return stateText(t.state);
        case SeedsColumn: return count(t.seeders);
        case LeechersColumn: return count(t.leechers);
        case NextAnnounceColumn:
          return t.next_announce_in_s ? formatDuration(std::max<std::int64_t>(0, *t.next_announce_in_s)) : QString();
        case MessageColumn: return message;
        default: return {};
      }
    case Qt::ToolTipRole:
      if (index.column() == MessageColumn || index.column() == StatusColumn) return message;
      if (index.column() == UrlColumn) return QString::fromStdString(t.url);
      return {};
    case Qt::ForegroundRole:
      if (index.column() == StatusColumn && t.state == "error") return QColor(0xc0, 0x39, 0x2b);
      return {};
    case Qt::TextAlignmentRole:
      switch (index.column()) {
        case TierColumn:
        case SeedsColumn:
        case LeechersColumn:
        case NextAnnounceColumn: return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        default: return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
      }
    default: return {};
  }
}

QVariant TrackerListModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case UrlColumn: return tr("URL");
    case TierColumn: return tr("Tier");
    case StatusColumn: return tr("Status");
    case SeedsColumn: return tr("Seeds");
    case LeechersColumn: return tr("Leechers");
    case NextAnnounceColumn: return tr("Next Announce");
    case MessageColumn: return tr("Message");
    default: return {};
  }
}

std::uint32_t TrackerListModel::update(TrackerInfo& row, const TrackerInfo& t) {
  std::uint32_t changed = 0;
  if (row.state != t.state) changed |= bit(StatusColumn);
  if (row.seeders != t.seeders) changed |= bit(SeedsColumn);
  if (row.leechers != t.leechers) changed |= bit(LeechersColumn);
  if (row.next_announce_in_s != t.next_announce_in_s) changed |= bit(NextAnnounceColumn);
  if (row.message != t.message || row.warning != t.warning) changed |= bit(MessageColumn) | bit(StatusColumn);
  row = t;
  return changed;
}

void TrackerListModel::setTrackers(TorrentId torrent, const std::vector<TrackerInfo>& trackers) {
  if (torrent != torrent_) {
    clearRows(rows_, index_);
    torrent_ = torrent;
  }
  syncRows(
      rows_, index_, trackers, [](const TrackerInfo& t) { return keyOf(t); }, [](const TrackerInfo& t) { return keyOf(t); },
      [](const TrackerInfo& t) { return t; }, [](TrackerInfo& row, const TrackerInfo& t) { return update(row, t); });
}

void TrackerListModel::clear() {
  clearRows(rows_, index_);
  torrent_ = 0;
}

}  // namespace tessera::gui
