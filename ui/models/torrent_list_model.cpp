#include "models/torrent_list_model.hpp"

#include <QColor>

#include <cmath>
#include <limits>

#include "util/engine_words.hpp"
#include "util/format.hpp"
#include "util/icons.hpp"

namespace tessera::gui {
namespace {

constexpr std::uint32_t bit(int column) { return IncrementalTableModel::columnBit(column); }

template <class T>
bool assign(T& field, const T& value) {
  if (field == value) return false;
  field = value;
  return true;
}

QString swarmText(int connected, const std::optional<std::int64_t>& swarm) {
  if (!swarm) return QString::number(connected);
  return QStringLiteral("%1 (%2)").arg(connected).arg(*swarm);
}

// Ratio shown with two decimals: only a change there is worth a repaint.
std::int64_t ratioKey(double ratio) {
  return std::isinf(ratio) ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(ratio * 100.0);
}

}  // namespace

bool TorrentRow::matches(StatusFilter filter) const {
  switch (filter) {
    case StatusFilter::all: return true;
    case StatusFilter::downloading:
      // A magnet link fetching its metadata is on its way to downloading.
      return state == TorrentState::downloading || state == TorrentState::fetching_metadata ||
             (state == TorrentState::checking && progress < 1.0);
    case StatusFilter::seeding: return state == TorrentState::seeding;
    case StatusFilter::completed: return progress >= 1.0 && state != TorrentState::error;
    case StatusFilter::paused: return state == TorrentState::paused;
    case StatusFilter::errored: return state == TorrentState::error;
  }
  return false;
}

TorrentListModel::TorrentListModel(QObject* parent) : IncrementalTableModel(parent) {}

int TorrentListModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int TorrentListModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString TorrentListModel::statusText(const TorrentRow& row) {
  switch (row.state) {
    case TorrentState::checking: return tr("Checking %1").arg(formatPercent(row.checkProgress));
    case TorrentState::downloading: return row.downRate > 0 ? tr("Downloading") : tr("Stalled");
    case TorrentState::seeding: return tr("Seeding");
    case TorrentState::paused:
      if (row.stoppedAtRatio) return tr("Stopped at ratio");
      return row.progress >= 1.0 ? tr("Completed") : tr("Paused");
    case TorrentState::error: return tr("Error: %1").arg(row.error);
    case TorrentState::fetching_metadata: return tr("Fetching metadata");
  }
  return {};
}

QString TorrentListModel::statusToolTip(const TorrentRow& row) {
  if (row.state == TorrentState::error) return row.error;
  if (!row.stallText.isEmpty()) return row.stallText;
  if (row.state == TorrentState::paused && row.stoppedAtRatio) {
    return tr("It reached its share-ratio limit of %1 and was stopped. Start it to seed on regardless.")
        .arg(formatRatio(row.ratioLimit));
  }
  return {};
}

QVariant TorrentListModel::data(const QModelIndex& index, int role) const {
  const TorrentRow* row = rowAt(index.row());
  if (row == nullptr) return {};
  const int column = index.column();
  switch (role) {
    case Qt::DisplayRole:
      switch (column) {
        case NameColumn: return row->name;
        case SizeColumn: return formatSize(row->wantedSize);
        case ProgressColumn:
          return formatPercent(row->state == TorrentState::checking ? row->checkProgress : row->progress);
        case StatusColumn: return statusText(*row);
        case SeedsColumn: return swarmText(row->seedsConnected, row->swarmSeeds);
        case PeersColumn: return swarmText(row->leechersConnected, row->swarmLeechers);
        case DownRateColumn: return formatRateOrBlank(row->downRate);
        case UpRateColumn: return formatRateOrBlank(row->upRate);
        case EtaColumn: return row->state == TorrentState::downloading ? formatEta(row->eta) : QString();
        case RatioColumn: return formatRatio(row->ratio);
        case AddedOnColumn: return formatDateTime(row->addedAt);
        default: return {};
      }
    case SortRole:
      switch (column) {
        case NameColumn: return row->name;
        case SizeColumn: return QVariant::fromValue<qint64>(row->wantedSize);
        case ProgressColumn: return row->progress;
        case StatusColumn: return static_cast<int>(row->state) * 2 + (row->downRate > 0 ? 0 : 1);
        case SeedsColumn: return row->seedsConnected;
        case PeersColumn: return row->leechersConnected;
        case DownRateColumn: return QVariant::fromValue<qint64>(row->downRate);
        case UpRateColumn: return QVariant::fromValue<qint64>(row->upRate);
        case EtaColumn:
          return QVariant::fromValue<qint64>(row->state == TorrentState::downloading && row->eta
                                                 ? *row->eta
                                                 : std::numeric_limits<qint64>::max());
        case RatioColumn: return row->ratio;
        case AddedOnColumn: return QVariant::fromValue<qint64>(row->addedAt);
        default: return {};
      }
    case Qt::TextAlignmentRole:
      switch (column) {
        case NameColumn:
        case StatusColumn:
        case AddedOnColumn: return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
        case ProgressColumn: return QVariant::fromValue(Qt::AlignCenter);
        default: return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
      }
    case Qt::DecorationRole:
      if (column == NameColumn) return stateIcon(row->state, row->progress >= 1.0);
      return {};
    case Qt::ToolTipRole:
      if (column == NameColumn) return QStringLiteral("%1\n%2").arg(row->name, row->savePath);
      if (column == StatusColumn) {
        const QString tip = statusToolTip(*row);
        return tip.isEmpty() ? QVariant() : QVariant(wrappedToolTip(tip));
      }
      if (column == SizeColumn && row->wantedSize != row->totalSize) {
        return tr("%1 selected of %2").arg(formatSize(row->wantedSize), formatSize(row->totalSize));
      }
      return {};
    case Qt::ForegroundRole:
      if (column == StatusColumn && row->state == TorrentState::error) return QColor(0xc0, 0x39, 0x2b);
      return {};
    case ProgressRole: return row->state == TorrentState::checking ? row->checkProgress : row->progress;
    case StateRole: return static_cast<int>(row->state);
    case IdRole: return QVariant::fromValue<quint32>(row->id);
    default: return {};
  }
}

QVariant TorrentListModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal) return {};
  if (role == Qt::DisplayRole) {
    switch (section) {
      case NameColumn: return tr("Name");
      case SizeColumn: return tr("Size");
      case ProgressColumn: return tr("Progress");
      case StatusColumn: return tr("Status");
      case SeedsColumn: return tr("Seeds");
      case PeersColumn: return tr("Peers");
      case DownRateColumn: return tr("Down");
      case UpRateColumn: return tr("Up");
      case EtaColumn: return tr("ETA");
      case RatioColumn: return tr("Ratio");
      case AddedOnColumn: return tr("Added On");
      default: return {};
    }
  }
  if (role == Qt::ToolTipRole) {
    switch (section) {
      case SeedsColumn: return tr("Seeds connected (seeds in the swarm, as trackers report)");
      case PeersColumn: return tr("Leechers connected (leechers in the swarm, as trackers report)");
      case SizeColumn: return tr("Size of the selected files");
      case RatioColumn: return tr("Share ratio: uploaded / downloaded");
      case DownRateColumn: return tr("Download rate");
      case UpRateColumn: return tr("Upload rate");
      case EtaColumn: return tr("Time left at the current rate");
      default: return {};
    }
  }
  return {};
}

std::uint32_t TorrentListModel::update(TorrentRow& row, const TorrentStatus& s) {
  std::uint32_t changed = 0;
  if (assign(row.name, QString::fromStdString(s.name))) changed |= bit(NameColumn);
  if (row.infoHash.isEmpty()) row.infoHash = QString::fromStdString(s.info_hash);
  if (row.savePath.size() != static_cast<qsizetype>(s.save_path.size()) ||
      row.savePath != QString::fromStdString(s.save_path)) {
    row.savePath = QString::fromStdString(s.save_path);
    changed |= bit(NameColumn);  // its tooltip
  }
  if (assign(row.totalSize, s.total_size)) changed |= bit(SizeColumn);
  if (assign(row.wantedSize, s.wanted_size)) changed |= bit(SizeColumn);
  if (assign(row.haveBytes, s.have_bytes)) changed |= bit(RatioColumn);
  const bool wasComplete = row.progress >= 1.0;
  const bool wasStalled = row.downRate <= 0;
  if (assign(row.progress, s.progress)) {
    changed |= bit(ProgressColumn);
    if (wasComplete != (row.progress >= 1.0)) changed |= bit(NameColumn) | bit(StatusColumn);
  }
  if (assign(row.checkProgress, s.check_progress) && s.state == TorrentState::checking) {
    changed |= bit(ProgressColumn) | bit(StatusColumn);
  }
  if (assign(row.state, s.state)) {
    changed |= bit(NameColumn) | bit(ProgressColumn) | bit(StatusColumn) | bit(EtaColumn);
  }
  if (row.error.size() != static_cast<qsizetype>(s.error.size()) || row.error != QString::fromStdString(s.error)) {
    row.error = QString::fromStdString(s.error);
    changed |= bit(StatusColumn);
  }
  if (assign(row.seedsConnected, s.seeds_connected)) changed |= bit(SeedsColumn);
  if (assign(row.swarmSeeds, s.swarm_seeds)) changed |= bit(SeedsColumn);
  if (assign(row.leechersConnected, s.leechers_connected)) changed |= bit(PeersColumn);
  if (assign(row.swarmLeechers, s.swarm_leechers)) changed |= bit(PeersColumn);
  if (assign(row.downRate, s.down_rate)) {
    changed |= bit(DownRateColumn);
    if (wasStalled != (row.downRate <= 0)) changed |= bit(StatusColumn);
  }
  if (assign(row.upRate, s.up_rate)) changed |= bit(UpRateColumn);
  if (assign(row.eta, s.eta_s)) changed |= bit(EtaColumn);
  // All-time totals when the engine keeps them, else this session's.
  const std::int64_t uploaded = std::max(s.all_time_uploaded, s.uploaded);
  const std::int64_t downloaded = std::max(s.all_time_downloaded, s.downloaded);
  const double ratio = shareRatio(uploaded, downloaded, s.have_bytes);
  if (ratioKey(ratio) != ratioKey(row.ratio)) changed |= bit(RatioColumn);
  row.ratio = ratio;
  if (assign(row.addedAt, s.added_at)) changed |= bit(AddedOnColumn);
  row.downloadLimit = s.download_limit;
  row.uploadLimit = s.upload_limit;
  row.ownRatioLimit = s.own_ratio_limit;
  // Both show in the status column's text or tooltip.
  if (assign(row.ratioLimit, s.ratio_limit)) changed |= bit(StatusColumn);
  if (assign(row.stoppedAtRatio, s.stopped_at_ratio)) changed |= bit(StatusColumn);
  // Words made only when the reason changes: most snapshots bring the same one.
  if (row.stall != s.stall || row.stallDetail != s.stall_detail) {
    row.stall = s.stall;
    row.stallDetail = s.stall_detail;
    row.stallText = stallExplanation(s.stall, s.stall_detail);
    changed |= bit(StatusColumn);
  }
  return changed;
}

void TorrentListModel::applySnapshot(const SessionSnapshot& snapshot) {
  syncRows(
      rows_, index_, snapshot.torrents, [](const TorrentStatus& s) { return s.id; },
      [](const TorrentRow& r) { return r.id; },
      [](const TorrentStatus& s) {
        TorrentRow row;
        row.id = s.id;
        update(row, s);
        return row;
      },
      [](TorrentRow& row, const TorrentStatus& s) { return update(row, s); });
  recount();
}

void TorrentListModel::recount() {
  std::array<int, kStatusFilterCount> counts{};
  for (const TorrentRow& row : rows_) {
    for (int f = 0; f < kStatusFilterCount; ++f) {
      if (row.matches(static_cast<StatusFilter>(f))) ++counts[static_cast<std::size_t>(f)];
    }
  }
  if (counts != counts_) {
    counts_ = counts;
    emit countsChanged();
  }
}

const TorrentRow* TorrentListModel::rowAt(int row) const {
  if (row < 0 || row >= static_cast<int>(rows_.size())) return nullptr;
  return &rows_[static_cast<std::size_t>(row)];
}

const TorrentRow* TorrentListModel::find(TorrentId id) const { return rowAt(rowOf(id)); }

int TorrentListModel::rowOf(TorrentId id) const {
  auto it = index_.find(id);
  return it == index_.end() ? -1 : it->second;
}

}  // namespace tessera::gui
