// The commands on torrents — Add (a file, a magnet link or URL), Start and Pause (selected or all),
// Remove (with data), Open Folder, Recheck, Limits (speed caps, share ratio), Copy name, info-hash
// or magnet link — enabled by what the
// selection allows, and the torrent table's context menu that offers them. Each turns into session
// commands; none waits on the engine.
#pragma once

#include <QObject>

#include <functional>
#include <vector>

#include <tessera/status.hpp>

class QAbstractItemView;
class QAction;
class QSettings;
class QWidget;

namespace tessera::gui {

class SessionClient;
class TorrentAdder;
class TorrentListModel;

class TorrentActions : public QObject {
  Q_OBJECT

 public:
  // The actions are children of `window` (found there by object name) and use it for dialogs.
  // `sessionRatio` gives the session's share-ratio limit (0: none), for the limits dialog.
  TorrentActions(SessionClient& session, const TorrentListModel& model, QAbstractItemView& table,
                 TorrentAdder& adder, QSettings& settings, std::function<double()> sessionRatio, QWidget& window);

  QAction* add() const { return add_; }
  QAction* addLink() const { return addLink_; }
  QAction* start() const { return start_; }
  QAction* pause() const { return pause_; }
  QAction* startAll() const { return startAll_; }
  QAction* pauseAll() const { return pauseAll_; }
  QAction* remove() const { return remove_; }
  QAction* removeWithData() const { return removeData_; }
  QAction* openFolder() const { return openFolder_; }
  QAction* recheck() const { return recheck_; }
  QAction* limits() const { return limits_; }
  QAction* copyName() const { return copyName_; }
  QAction* copyHash() const { return copyHash_; }
  QAction* copyMagnet() const { return copyMagnet_; }

  std::vector<TorrentId> selectedTorrents() const;
  // What the selection allows; call after each snapshot and selection change.
  void updateEnabled();
  void openSelectedFolder();
  // File ▸ Add Magnet or URL… (not waited for; tests find the dialog by its type).
  void openAddLinkDialog();
  // The selected torrents' magnet links, one a line.
  QString selectedMagnetLinks() const;

 signals:
  void errorOccurred(const QString& message);

 private:
  void createActions();
  void openTorrentFiles();
  void startSelected();
  void pauseSelected();
  void startAllTorrents(bool start);
  void removeSelected(bool withData);
  void recheckSelected();
  void editLimits();
  void copySelected(bool infoHash);
  void showContextMenu(const QPoint& pos);

  SessionClient& session_;
  const TorrentListModel& model_;
  QAbstractItemView& table_;
  TorrentAdder& adder_;
  QSettings& settings_;
  std::function<double()> sessionRatio_;
  QWidget& window_;

  QAction* add_ = nullptr;
  QAction* addLink_ = nullptr;
  QAction* start_ = nullptr;
  QAction* pause_ = nullptr;
  QAction* startAll_ = nullptr;
  QAction* pauseAll_ = nullptr;
  QAction* remove_ = nullptr;
  QAction* removeData_ = nullptr;
  QAction* openFolder_ = nullptr;
  QAction* recheck_ = nullptr;
  QAction* limits_ = nullptr;
  QAction* copyName_ = nullptr;
  QAction* copyHash_ = nullptr;
  QAction* copyMagnet_ = nullptr;
};

}  // namespace tessera::gui
