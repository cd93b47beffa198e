// The Peers tab: one row per connected peer of the shown torrent (with where we heard of it),
// keyed by address and updated incrementally like the torrent table.
#pragma once

#include <tessera/status.hpp>

#include "models/incremental_table_model.hpp"

namespace tessera::gui {

class PeerListModel : public IncrementalTableModel {
  Q_OBJECT

 public:
  enum Column : int {
    AddressColumn,
    ClientColumn,
    SourceColumn,
    FlagsColumn,
    ProgressColumn,
    DownRateColumn,
    UpRateColumn,
    DownloadedColumn,
    UploadedColumn,
    ChokeReasonColumn,
    ColumnCount
  };
  enum Role : int { SortRole = Qt::UserRole + 1, ProgressRole };

  explicit PeerListModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  // The peers of `torrent`; a different torrent than last time replaces every row.
  void setPeers(TorrentId torrent, const std::vector<PeerInfo>& peers);
  void clear();

  // qBittorrent-style letters: D d U u K ? O S I F.
  static QString flagsOf(const PeerInfo& peer);
  static QString flagsLegend();

 private:
  struct Row {
    PeerInfo info;
    QString flags;
  };
  static std::uint32_t update(Row& row, const PeerInfo& peer);

  TorrentId torrent_ = 0;
  std::vector<Row> rows_;
  std::unordered_map<std::string, int> index_;
};

}  // namespace tessera::gui
