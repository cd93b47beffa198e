#include "models/departed_peer_list_model.hpp"

#include <QApplication>
#include <QFont>
#include <QPalette>

#include <map>

#include "util/engine_words.hpp"
#include "util/format.hpp"

namespace tessera::gui {
namespace {

constexpr std::uint32_t bit(int column) { return IncrementalTableModel::columnBit(column); }

std::string baseKey(const DepartedPeer& p) {
  return p.address + '|' + std::to_string(static_cast<int>(p.reason)) + '|' + p.detail + '|' +
         std::to_string(p.downloaded) + '|' + std::to_string(p.uploaded);
}

// The engine's detail, unless it only says the reason again ("both seeding").
QString detailText(const DepartedPeer& p) {
  const QString detail = QString::fromStdString(p.detail);
  if (detail.compare(QLatin1String(to_string(p.reason)), Qt::CaseInsensitive) == 0 ||
      detail.compare(departureReasonText(p.reason), Qt::CaseInsensitive) == 0) {
    return {};
  }
  return detail;
}

// History, not connections: text halfway to the background, readable in light and dark themes
// alike (the palette's disabled colour is too faint to read).
QColor mutedText() {
  const QPalette palette = QApplication::palette();
  const QColor text = palette.color(QPalette::Text);
  const QColor base = palette.color(QPalette::Base);
  return QColor::fromRgbF((text.redF() * 3 + base.redF() * 2) / 5, (text.greenF() * 3 + base.greenF() * 2) / 5,
                          (text.blueF() * 3 + base.blueF() * 2) / 5);
}

}  // namespace

DepartedPeerListModel::DepartedPeerListModel(QObject* parent) : IncrementalTableModel(parent) {}

int DepartedPeerListModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int DepartedPeerListModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant DepartedPeerListModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= static_cast<int>(rows_.size())) return {};
  const DepartedPeer& p = rows_[static_cast<std::size_t>(index.row())].info;
  switch (role) {
    case Qt::DisplayRole:
      switch (index.column()) {
        case AddressColumn: return QString::fromStdString(p.address);
        case ClientColumn: return QString::fromStdString(p.client);
        case SourceColumn: return peerSourceText(p.source);
        case ReasonColumn: return departureReasonText(p.reason);
        case DownloadedColumn: return p.downloaded > 0 ? formatSize(p.downloaded) : QString();
        case UploadedColumn: return p.uploaded > 0 ? formatSize(p.uploaded) : QString();
        case LeftColumn: return agoText(p.seconds_ago);
        case DetailColumn: return detailText(p);
        default: return {};
      }
    case SortRole:
      switch (index.column()) {
        case DownloadedColumn: return QVariant::fromValue<qint64>(p.downloaded);
        case UploadedColumn: return QVariant::fromValue<qint64>(p.uploaded);
        case LeftColumn: return QVariant::fromValue<qint64>(p.seconds_ago);
        default: return data(index, Qt::DisplayRole);
      }
    case Qt::TextAlignmentRole:
      switch (index.column()) {
        case DownloadedColumn:
        case UploadedColumn: return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        default: return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
      }
    case Qt::ForegroundRole: return mutedText();
    case Qt::FontRole: {
      QFont font;
      font.setItalic(true);
      return font;
    }
    case Qt::ToolTipRole:
      if (index.column() == ReasonColumn || index.column() == DetailColumn) {
        const QString detail = detailText(p);
        return detail.isEmpty() ? departureReasonText(p.reason)
                                : wrappedToolTip(tr("%1: %2").arg(departureReasonText(p.reason), detail));
      }
      return {};
    default: return {};
  }
}

QVariant DepartedPeerListModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal) return {};
  if (role == Qt::DisplayRole) {
    switch (section) {
      case AddressColumn: return tr("Address");
      case ClientColumn: return tr("Client");
      case SourceColumn: return tr("Source");
      case ReasonColumn: return tr("Why It Left");
      case DownloadedColumn: return tr("Downloaded");
      case UploadedColumn: return tr("Uploaded");
      case LeftColumn: return tr("Left");
      case DetailColumn: return tr("Detail");
      default: return {};
    }
  }
  if (role == Qt::ToolTipRole) {
    switch (section) {
      case ReasonColumn: return tr("Who ended the connection and why: it timed out or closed it, or we dropped it");
      case DownloadedColumn: return tr("Data we got from this peer on that connection");
      case UploadedColumn: return tr("Data we sent it on that connection");
      case DetailColumn: return tr("The exact cause, as the engine saw it");
      default: return {};
    }
  }
  return {};
}

std::vector<std::pair<std::string, const DepartedPeer*>> DepartedPeerListModel::keyed(
    const std::vector<DepartedPeer>& peers) {
  std::vector<std::pair<std::string, const DepartedPeer*>> out;
  out.reserve(peers.size());
  std::map<std::string, int> seen;
  // Oldest first, so a new departure at the top does not renumber the older identical ones.
  for (auto it = peers.rbegin(); it != peers.rend(); ++it) {
    std::string key = baseKey(*it);
    const int n = seen[key]++;
    out.emplace_back(key + '#' + std::to_string(n), &*it);
  }
  return out;
}

std::uint32_t DepartedPeerListModel::update(Row& row, const DepartedPeer& p) {
  std::uint32_t changed = 0;
  if (row.info.seconds_ago != p.seconds_ago && agoText(row.info.seconds_ago) != agoText(p.seconds_ago)) {
    changed |= bit(LeftColumn);
  }
  if (row.info.client != p.client) changed |= bit(ClientColumn);
  row.info = p;
  return changed;
}

void DepartedPeerListModel::setPeers(TorrentId torrent, const std::vector<DepartedPeer>& peers) {
  if (torrent != torrent_) {
    clearRows(rows_, index_);
    torrent_ = torrent;
  }
  using Item = std::pair<std::string, const DepartedPeer*>;
  syncRows(
      rows_, index_, keyed(peers), [](const Item& item) { return item.first; }, [](const Row& r) { return r.key; },
      [](const Item& item) { return Row{item.first, *item.second}; },
      [](Row& row, const Item& item) { return update(row, *item.second); });
}

void DepartedPeerListModel::clear() {
  clearRows(rows_, index_);
  torrent_ = 0;
}

}  // namespace tessera::gui
