// The torrent table: one row per torrent, kept in step with each snapshot incrementally — rows are
// inserted and removed, and dataChanged names only the rows and columns whose text changed — so
// selection, sorting and scroll position survive every update.
#pragma once


#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <tessera/status.hpp>

#include "models/incremental_table_model.hpp"

namespace tessera::gui {

// The sidebar's categories. A torrent can be in several (a seeding torrent is also completed).
enum class StatusFilter : int { all, downloading, seeding, completed, paused, errored };
inline constexpr int kStatusFilterCount = 6;

// What the table shows of a torrent (peers, trackers, files stay in the snapshot).
struct TorrentRow {
  TorrentId id = 0;
  QString name;
  QString infoHash;  // hex
  QString savePath;
  TorrentState state = TorrentState::checking;
  QString error;
  double progress = 0;
  double checkProgress = 0;
  std::int64_t totalSize = 0;
  std::int64_t wantedSize = 0;
  std::int64_t haveBytes = 0;
  int seedsConnected = 0;
  int leechersConnected = 0;
  std::optional<std::int64_t> swarmSeeds, swarmLeechers;
  std::int64_t downRate = 0, upRate = 0;
  std::optional<std::int64_t> eta;
  double ratio = 0;
  std::int64_t addedAt = 0;
  std::int64_t downloadLimit = 0, uploadLimit = 0;
  double ratioLimit = 0;        // in effect (0: none)
  std::optional<double> ownRatioLimit;  // the torrent's own rule (unset: it follows the session's)
  bool stoppedAtRatio = false;
  StallReason stall = StallReason::none;
  std::string stallDetail;
  QString stallText;            // why it is not moving, in words (empty: it moves, or needn't)

  bool matches(StatusFilter filter) const;
};

class TorrentListModel : public IncrementalTableModel {
  Q_OBJECT

 public:
  enum Column : int {
    NameColumn,
    SizeColumn,
    ProgressColumn,
    StatusColumn,
    SeedsColumn,
    PeersColumn,
    DownRateColumn,
    UpRateColumn,
    EtaColumn,
    RatioColumn,
    AddedOnColumn,
    ColumnCount
  };
  enum Role : int {
    SortRole = Qt::UserRole + 1,  // raw value for sorting (numbers as numbers)
    ProgressRole,                 // double 0..1 for the progress bar
    StateRole,                    // int(TorrentState)
    IdRole,                       // TorrentId
  };

  explicit TorrentListModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  // Brings the rows in line with the snapshot: new torrents appended, gone ones removed, and
  // dataChanged for the changed cells of the rest.
  void applySnapshot(const SessionSnapshot& snapshot);

  const TorrentRow* rowAt(int row) const;
  const TorrentRow* find(TorrentId id) const;
  int rowOf(TorrentId id) const;  // -1 if absent
  int countFor(StatusFilter filter) const { return counts_[static_cast<std::size_t>(filter)]; }

  // The status column's text, shared with tooltips and the details pane.
  static QString statusText(const TorrentRow& row);
  // What the status column's tooltip adds: the error, why it is not moving, or that it was stopped
  // at its share ratio. Empty when there is nothing to add.
  static QString statusToolTip(const TorrentRow& row);

 signals:
  // After each snapshot, when any sidebar count changed.
  void countsChanged();

 private:
  // Copies the snapshot's fields into `row`; returns a bit per changed column.
  static std::uint32_t update(TorrentRow& row, const TorrentStatus& status);
  void recount();

  std::vector<TorrentRow> rows_;
  std::unordered_map<TorrentId, int> index_;  // id -> row
  std::array<int, kStatusFilterCount> counts_{};
};

}  // namespace tessera::gui
