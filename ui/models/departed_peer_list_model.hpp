// "Peers that left": the shown torrent's recently departed peers (newest first, as the engine
// keeps them), each with where it came from, why it left (the engine's exact cause in the
// tooltip and the Detail column), what went each way, and how long ago. Rows are greyed: these
// are history, not connections.
#pragma once

#include <tessera/status.hpp>

#include "models/incremental_table_model.hpp"

namespace tessera::gui {

class DepartedPeerListModel : public IncrementalTableModel {
  Q_OBJECT

 public:
  enum Column : int {
    AddressColumn,
    ClientColumn,
    SourceColumn,
    ReasonColumn,
    DownloadedColumn,
    UploadedColumn,
    LeftColumn,
    DetailColumn,
    ColumnCount
  };
  enum Role : int { SortRole = Qt::UserRole + 1 };

  explicit DepartedPeerListModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  // The departures of `torrent`; a different torrent than last time replaces every row.
  void setPeers(TorrentId torrent, const std::vector<DepartedPeer>& peers);
  void clear();

 private:
  struct Row {
    std::string key;
    DepartedPeer info;
  };
  // One departure stays one row while it ages: keyed by what never changes about it, plus a count
  // for identical departures of the same peer.
  static std::vector<std::pair<std::string, const DepartedPeer*>> keyed(const std::vector<DepartedPeer>& peers);
  static std::uint32_t update(Row& row, const DepartedPeer& peer);

  TorrentId torrent_ = 0;
  std::vector<Row> rows_;
  std::unordered_map<std::string, int> index_;
};

}  // namespace tessera::gui
