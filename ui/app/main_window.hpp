// The main window: toolbar and menus, the status sidebar, the torrent table, the details tabs and
// the status bar; plus the tray icon. It turns each snapshot into model updates and each user
// action into a session command — never waiting on the engine.
#pragma once

#include <QMainWindow>

#include <memory>
#include <optional>
#include <set>

#include "app/preferences.hpp"
#include "dialogs/preferences_dialog.hpp"
#include "models/speed_history.hpp"
#include "session/session_client.hpp"

class QAction;
class QLineEdit;
class QMenu;
class QSettings;
class QSplitter;
class QSystemTrayIcon;
class QTimer;

namespace tessera::gui {

class DetailsPanel;
class HintTreeView;
class SessionBridge;
class StatusSidebar;
class TorrentAdder;
class TorrentFilterProxy;
class TorrentListModel;
class TransferStatusBar;

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
  const Preferences& preferences() const { return prefs_; }
  QAction* action(const QString& objectName) const;

  // Selects the torrent now, or as soon as it shows up in a snapshot.
  void selectTorrent(TorrentId id);
  std::vector<TorrentId> selectedTorrents() const;

  // Saves the preferences and applies them to the running session at once.
  void applyPreferences(const Preferences& prefs);
  PreferencesDialog* showPreferences(PreferencesDialog::Page page = PreferencesDialog::SpeedPage);
  // Arguments from the command line or a second launch: torrents to add, --demo.
  void handleArguments(const QStringList& arguments);
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
  void showEvent(QShowEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void createActions();
  void createMenus();
  void createToolBar();
  void createTray();
  void restoreWindowState();
  void onSnapshot(const std::shared_ptr<const SessionSnapshot>& snapshot);
  void onEvent(const SessionEvent& event);
  void onCurrentChanged();
  void updateActions();
  void updateEmptyHint();
  void openTorrentFiles();
  void startSelected();
  void pauseSelected();
  void startAll(bool start);
  void removeSelected(bool withData);
  void openFolder();
  void recheckSelected();
  void editTorrentLimits();
  void copySelected(bool infoHash);
  void setAltSpeed(bool enabled);
  void showTableMenu(const QPoint& pos);
  void about();

  SessionClient& session_;
  QSettings& settings_;
  Preferences prefs_;
  QString stateDir_;
  QString portNote_;
  SpeedHistory history_;
  TorrentListModel* model_;
  TorrentFilterProxy* proxy_;
  HintTreeView* table_;
  StatusSidebar* sidebar_;
  DetailsPanel* details_;
  QSplitter* hSplit_;
  QSplitter* vSplit_;
  QLineEdit* search_;
  TransferStatusBar* transfer_;
  TorrentAdder* adder_;
  QSystemTrayIcon* tray_ = nullptr;
  QMenu* trayMenu_ = nullptr;
  QTimer* freeSpaceTimer_;
  std::optional<TorrentId> pendingSelection_;
  std::set<TorrentId> seenDownloading_;
  std::shared_ptr<const SessionSnapshot> latest_;
  bool quitting_ = false;
  bool toldAboutTray_ = false;
  bool fitNameColumn_ = false;  // first start: the name column takes the width the others leave

  QAction* addAction_;
  QAction* startAction_;
  QAction* pauseAction_;
  QAction* startAllAction_;
  QAction* pauseAllAction_;
  QAction* removeAction_;
  QAction* removeDataAction_;
  QAction* openFolderAction_;
  QAction* recheckAction_;
  QAction* limitsAction_;
  QAction* copyNameAction_;
  QAction* copyHashAction_;
  QAction* prefsAction_;
  QAction* altSpeedAction_;
  QAction* demoAction_;
  QAction* sidebarAction_;
  QAction* detailsAction_;
  QAction* aboutAction_;
  QAction* quitAction_;
};

}  // namespace tessera::gui
