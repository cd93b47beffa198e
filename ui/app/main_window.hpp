// The main window: lays out the toolbar and menus, the status sidebar, the torrent table, the
// details tabs and the status bar, and wires the parts that do the work — the torrent actions,
// the tray and event notifications, the window-state keeper and the sources of new torrents. Each
// snapshot goes to the models and views; nothing here waits on the engine.
#pragma once

#include <QMainWindow>

#include <memory>
#include <optional>

#include "app/preferences.hpp"
#include "dialogs/preferences_dialog.hpp"
#include "models/speed_history.hpp"
#include "session/session_client.hpp"

class QAction;
class QLineEdit;
class QSettings;
class QSplitter;
class QTimer;

namespace tessera::gui {

class DetailTorrents;
class DetailsPanel;
class MagnetFileChoice;
class EventNotifier;
class HintTreeView;
class SessionBridge;
class StatusSidebar;
class TorrentActions;
class TorrentAdder;
class TorrentFilterProxy;
class TorrentIntake;
class TorrentListModel;
class TransferStatusBar;
class TrayIcon;
class WindowStateKeeper;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  MainWindow(SessionClient& session, SessionBridge& bridge, QSettings& settings, const Preferences& prefs,
             QString stateDir, QWidget* parent = nullptr);
  ~MainWindow() override;

  TorrentListModel& torrentModel() const { return *model_; }
  TorrentFilterProxy& torrentProxy() const { return *proxy_; }
  HintTreeView& torrentView() const { return *table_; }
  DetailsPanel& details() const { return *details_; }
  StatusSidebar& sidebar() const { return *sidebar_; }
  TransferStatusBar& transferStatus() const { return *transfer_; }
  TorrentAdder& adder() const { return *adder_; }
  TorrentIntake& intake() const { return *intake_; }
  TorrentActions& torrentActions() const { return *actions_; }
  MagnetFileChoice& magnetFileChoice() const { return *fileChoice_; }
  const Preferences& preferences() const { return prefs_; }
  QAction* action(const QString& objectName) const;

  // Selects the torrent now, or as soon as it shows up in a snapshot.
  void selectTorrent(TorrentId id);
  std::vector<TorrentId> selectedTorrents() const;

  // Saves the preferences and applies them to the running session at once.
  void applyPreferences(const Preferences& prefs);
  PreferencesDialog* showPreferences(PreferencesDialog::Page page = PreferencesDialog::SpeedPage);
  void bringToFront();
  void showError(const QString& message);
  void showMessage(const QString& message);
  void setListenPortNote(const QString& note);
  // Persists window geometry, splitters, column layout (also done on close).
  void saveWindowState();

 signals:
  void demoRequested();
  void errorShown(const QString& message);

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void createAppActions();
  void createMenus();
  void createToolBar();
  void onSnapshot(const std::shared_ptr<const SessionSnapshot>& snapshot);
  void onCurrentChanged();
  void updateEmptyHint();
  void setAltSpeed(bool enabled);
  void about();

  SessionClient& session_;
  QSettings& settings_;
  Preferences prefs_;
  QString stateDir_;
  QString portNote_;
  SpeedHistory history_;
  std::unique_ptr<DetailTorrents> detailTorrents_;
  TorrentListModel* model_;
  TorrentFilterProxy* proxy_;
  HintTreeView* table_;
  StatusSidebar* sidebar_;
  DetailsPanel* details_;
  QSplitter* hSplit_;
  QSplitter* vSplit_;
  QLineEdit* search_ = nullptr;
  TransferStatusBar* transfer_;
  TorrentAdder* adder_;
  TorrentActions* actions_;
  TorrentIntake* intake_;
  MagnetFileChoice* fileChoice_;
  TrayIcon* tray_ = nullptr;
  EventNotifier* notifier_ = nullptr;
  WindowStateKeeper* stateKeeper_ = nullptr;
  QTimer* freeSpaceTimer_;
  std::optional<TorrentId> pendingSelection_;
  std::shared_ptr<const SessionSnapshot> latest_;
  bool quitting_ = false;

  QAction* prefsAction_ = nullptr;
  QAction* altSpeedAction_ = nullptr;
  QAction* demoAction_ = nullptr;
  QAction* sidebarAction_ = nullptr;
  QAction* detailsAction_ = nullptr;
  QAction* aboutAction_ = nullptr;
  QAction* quitAction_ = nullptr;
};

}  // namespace tessera::gui
