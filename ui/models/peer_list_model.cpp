#include "models/peer_list_model.hpp"

#include "util/engine_words.hpp"
#include "util/format.hpp"

namespace tessera::gui {
namespace {

constexpr std::uint32_t bit(int column) { return IncrementalTableModel::columnBit(column); }

// "127.0.0.2:6881" sorts as numbers, not text (so .10 comes after .9).
QString addressSortKey(const std::string& address) {
  QString key;
  const QString text = QString::fromStdString(address);
  const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
  const QString host = colon > 0 ? text.left(colon) : text;
  const QString port = colon > 0 ? text.mid(colon + 1) : QString();
  const QStringList octets = host.split(QLatin1Char('.'));
  if (octets.size() == 4) {
    for (const QString& o : octets) key += o.rightJustified(3, QLatin1Char('0'));
  } else {
    key = host;  // IPv6: text order is good enough
  }
  return key + QLatin1Char(':') + port.rightJustified(5, QLatin1Char('0'));
}

}  // namespace

PeerListModel::PeerListModel(QObject* parent) : IncrementalTableModel(parent) {}

int PeerListModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int PeerListModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString PeerListModel::flagsOf(const PeerInfo& p) {
  QString f;
  if (p.am_interested) f += p.peer_choking ? QLatin1Char('d') : QLatin1Char('D');
  if (p.peer_interested) f += p.am_choking ? QLatin1Char('u') : QLatin1Char('U');
  if (!p.peer_choking && !p.am_interested) f += QLatin1Char('K');
  if (!p.am_choking && !p.peer_interested) f += QLatin1Char('?');
  if (p.choke_reason == "optimistic") f += QLatin1Char('O');
  if (p.snubbed) f += QLatin1Char('S');
  if (p.incoming) f += QLatin1Char('I');
  if (p.fast_extension) f += QLatin1Char('F');
  return f;
}

QString PeerListModel::flagsLegend() {
  return tr("<table>"
            "<tr><td><b>D</b></td><td>downloading from them (interested, they unchoke us)</td></tr>"
            "<tr><td><b>d</b></td><td>we want their data, but they choke us</td></tr>"
            "<tr><td><b>U</b></td><td>uploading to them (interested, we unchoke them)</td></tr>"
            "<tr><td><b>u</b></td><td>they want our data, but we choke them</td></tr>"
            "<tr><td><b>K</b></td><td>they unchoke us, but we want nothing from them</td></tr>"
            "<tr><td><b>?</b></td><td>we unchoke them, but they want nothing from us</td></tr>"
            "<tr><td><b>O</b></td><td>optimistic unchoke</td></tr>"
            "<tr><td><b>S</b></td><td>snubbed: unchoked us but sent nothing for a minute</td></tr>"
            "<tr><td><b>I</b></td><td>incoming connection</td></tr>"
            "<tr><td><b>F</b></td><td>supports the Fast extension</td></tr>"
            "</table>");
}

QVariant PeerListModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= static_cast<int>(rows_.size())) return {};
  const Row& row = rows_[static_cast<std::size_t>(index.row())];
  const PeerInfo& p = row.info;
  switch (role) {
    case Qt::DisplayRole:
      switch (index.column()) {
        case AddressColumn: return QString::fromStdString(p.address);
        case ClientColumn: return QString::fromStdString(p.client);
        case SourceColumn: return peerSourceText(p.source);
        case FlagsColumn: return row.flags;
        case ProgressColumn: return formatPercent(p.progress);
        case DownRateColumn: return formatRateOrBlank(p.down_rate);
        case UpRateColumn: return formatRateOrBlank(p.up_rate);
        case DownloadedColumn: return p.downloaded > 0 ? formatSize(p.downloaded) : QString();
        case UploadedColumn: return p.uploaded > 0 ? formatSize(p.uploaded) : QString();
        case ChokeReasonColumn: return QString::fromStdString(p.choke_reason);
        default: return {};
      }
    case SortRole:
      switch (index.column()) {
        case AddressColumn: return addressSortKey(p.address);
        case ClientColumn: return QString::fromStdString(p.client);
        case SourceColumn: return peerSourceText(p.source);
        case FlagsColumn: return row.flags;
        case ProgressColumn: return p.progress;
        case DownRateColumn: return QVariant::fromValue<qint64>(p.down_rate);
        case UpRateColumn: return QVariant::fromValue<qint64>(p.up_rate);
        case DownloadedColumn: return QVariant::fromValue<qint64>(p.downloaded);
        case UploadedColumn: return QVariant::fromValue<qint64>(p.uploaded);
        case ChokeReasonColumn: return QString::fromStdString(p.choke_reason);
        default: return {};
      }
    case ProgressRole: return p.progress;
    case Qt::TextAlignmentRole:
      switch (index.column()) {
        case AddressColumn:
        case ClientColumn:
        case SourceColumn:
        case FlagsColumn:
        case ChokeReasonColumn: return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
        case ProgressColumn: return QVariant::fromValue(Qt::AlignCenter);
        default: return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
      }
    case Qt::ToolTipRole:
      if (index.column() == FlagsColumn) return flagsLegend();
      if (index.column() == AddressColumn) {
        return p.incoming ? tr("%1 (connected to us)").arg(QString::fromStdString(p.address))
                          : tr("%1 (we connected)").arg(QString::fromStdString(p.address));
      }
      return {};
    default: return {};
  }
}

QVariant PeerListModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal) return {};
  if (role == Qt::DisplayRole) {
    switch (section) {
      case AddressColumn: return tr("Address");
      case ClientColumn: return tr("Client");
      case SourceColumn: return tr("Source");
      case FlagsColumn: return tr("Flags");
      case ProgressColumn: return tr("Progress");
      case DownRateColumn: return tr("Down Speed");
      case UpRateColumn: return tr("Up Speed");
      case DownloadedColumn: return tr("Downloaded");
      case UploadedColumn: return tr("Uploaded");
      case ChokeReasonColumn: return tr("Choker");
      default: return {};
    }
  }
  if (role == Qt::ToolTipRole) {
    if (section == FlagsColumn) return flagsLegend();
    if (section == ChokeReasonColumn) {
      return tr("Why our choker unchokes or chokes this peer: its rank by transfer rate, an optimistic "
                "unchoke, snubbed, not interested, ...");
    }
    if (section == ProgressColumn) return tr("Share of the torrent this peer has");
    if (section == SourceColumn) {
      return tr("Where we heard of this peer: a tracker, it connected to us (incoming), added by hand, the DHT, "
                "peer exchange (PEX), local discovery (LSD) or the magnet link");
    }
  }
  return {};
}

std::uint32_t PeerListModel::update(Row& row, const PeerInfo& p) {
  std::uint32_t changed = 0;
  PeerInfo& o = row.info;
  if (o.client != p.client) changed |= bit(ClientColumn);
  if (o.source != p.source) changed |= bit(SourceColumn);
  if (o.progress != p.progress) changed |= bit(ProgressColumn);
  if (o.down_rate != p.down_rate) changed |= bit(DownRateColumn);
  if (o.up_rate != p.up_rate) changed |= bit(UpRateColumn);
  if (o.downloaded != p.downloaded) changed |= bit(DownloadedColumn);
  if (o.uploaded != p.uploaded) changed |= bit(UploadedColumn);
  if (o.choke_reason != p.choke_reason) changed |= bit(ChokeReasonColumn) | bit(FlagsColumn);
  o = p;
  if (QString flags = flagsOf(p); flags != row.flags) {
    row.flags = std::move(flags);
    changed |= bit(FlagsColumn);
  }
  return changed;
}

void PeerListModel::setPeers(TorrentId torrent, const std::vector<PeerInfo>& peers) {
  if (torrent != torrent_) {
    clearRows(rows_, index_);
    torrent_ = torrent;
  }
  syncRows(
      rows_, index_, peers, [](const PeerInfo& p) { return p.address; },
      [](const Row& r) { return r.info.address; },
      [](const PeerInfo& p) { return Row{p, flagsOf(p)}; }, [](Row& row, const PeerInfo& p) { return update(row, p); });
}

void PeerListModel::clear() {
  clearRows(rows_, index_);
  torrent_ = 0;
}

}  // namespace tessera::gui
