// The Trackers tab: one row per tracker URL of the shown torrent, by tier.
#pragma once

#include <tessera/status.hpp>

#include "models/incremental_table_model.hpp"

namespace tessera::gui {

class TrackerListModel : public IncrementalTableModel {
  Q_OBJECT

 public:
  enum Column : int {
    UrlColumn,
    TierColumn,
    StatusColumn,
    SeedsColumn,
    LeechersColumn,
    NextAnnounceColumn,
    MessageColumn,
    ColumnCount
  };

  explicit TrackerListModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  void setTrackers(TorrentId torrent, const std::vector<TrackerInfo>& trackers);
  void clear();

 private:
  static std::string keyOf(const TrackerInfo& t) { return std::to_string(t.tier) + ' ' + t.url; }
  static std::uint32_t update(TrackerInfo& row, const TrackerInfo& t);

  TorrentId torrent_ = 0;
  std::vector<TrackerInfo> rows_;
  std::unordered_map<std::string, int> index_;
};

}  // namespace tessera::gui
