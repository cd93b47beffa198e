// The tabs under the torrent table, for the selected torrent: General, Trackers, Peers, Files, Speed.
#pragma once

#include <QTabWidget>

#include <tessera/status.hpp>

class QSettings;

namespace tessera::gui {

class FileTreeModel;
class GeneralTab;
class DetailTorrents;
class HintTreeView;
class PeerListModel;
class PeersTab;
class SessionClient;
class SpeedGraphWidget;
class SpeedHistory;
class TrackerListModel;

class DetailsPanel : public QTabWidget {
  Q_OBJECT

 public:
  enum Tab : int { GeneralTabIndex, TrackersTabIndex, PeersTabIndex, FilesTabIndex, SpeedTabIndex };

  DetailsPanel(SessionClient& session, DetailTorrents& detailTorrents, const SpeedHistory& history,
               QWidget* parent = nullptr);

  // 0: nothing selected.
  void setTorrent(TorrentId id);
  TorrentId torrent() const { return torrent_; }
  void applySnapshot(const SessionSnapshot& snapshot);

  void saveState(QSettings& settings) const;
  void restoreState(QSettings& settings);

  PeerListModel& peerModel() const;
  PeersTab& peersTab() const { return *peersTab_; }
  TrackerListModel& trackerModel() const { return *trackers_; }
  FileTreeModel& fileModel() const { return *files_; }
  HintTreeView& peerView() const;
  HintTreeView& fileView() const { return *fileView_; }
  GeneralTab& generalTab() const { return *general_; }

 private:
  void showFileMenu(const QPoint& pos);
  void updateHints();

  SessionClient& session_;
  DetailTorrents& detailTorrents_;
  TorrentId torrent_ = 0;
  bool filesLoaded_ = false;
  GeneralTab* general_;
  TrackerListModel* trackers_;
  PeersTab* peersTab_;
  FileTreeModel* files_;
  HintTreeView* trackerView_;
  HintTreeView* fileView_;
  SpeedGraphWidget* graph_;
};

}  // namespace tessera::gui
