// The Peers tab: the connected peers (with where each came from), a line on how many peers are
// known and how connecting goes, and — with "Show peers that left" ticked — the recent
// departures below, greyed, each with why it left.
#pragma once

#include <QWidget>

#include <tessera/status.hpp>

class QCheckBox;
class QLabel;
class QSettings;
class QSortFilterProxyModel;
class QSplitter;

namespace tessera::gui {

class DepartedPeerListModel;
class HintTreeView;
class PeerListModel;

class PeersTab : public QWidget {
  Q_OBJECT

 public:
  explicit PeersTab(QWidget* parent = nullptr);

  // nullptr: no torrent shown.
  void showTorrent(const TorrentStatus* status);
  void setEmptyHints(bool torrentShown);

  void saveState(QSettings& settings) const;
  void restoreState(QSettings& settings);

  PeerListModel& peerModel() const { return *peers_; }
  DepartedPeerListModel& departedModel() const { return *departed_; }
  HintTreeView& peerView() const { return *peerView_; }
  HintTreeView& departedView() const { return *departedView_; }
  QCheckBox& showDepartedBox() const { return *showDeparted_; }
  QString summaryText() const;

  // "12 peers known (Tracker 10, PEX 2) · 3 connection attempts failed in a row".
  static QString summaryOf(const TorrentStatus& status);

 private:
  PeerListModel* peers_;
  DepartedPeerListModel* departed_;
  QSortFilterProxyModel* peerProxy_;
  QSortFilterProxyModel* departedProxy_;
  HintTreeView* peerView_;
  HintTreeView* departedView_;
  QWidget* departedPane_;
  QSplitter* split_;
  QLabel* summary_;
  QCheckBox* showDeparted_;
};

}  // namespace tessera::gui
