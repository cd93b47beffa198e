#include "app/main_window.hpp"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>

#include <tessera/version.hpp>

#include "app/event_notifier.hpp"
#include "app/log_setup.hpp"
#include "app/magnet_file_choice.hpp"
#include "app/torrent_actions.hpp"
#include "app/torrent_adder.hpp"
#include "app/torrent_intake.hpp"
#include "app/tray_icon.hpp"
#include "app/window_state.hpp"
#include "models/torrent_filter_proxy.hpp"
#include "models/torrent_list_model.hpp"
#include "session/detail_torrents.hpp"
#include "session/session_bridge.hpp"
#include "util/format.hpp"
#include "util/icons.hpp"
#include "util/make_action.hpp"
#include "widgets/details_panel.hpp"
#include "widgets/hint_tree_view.hpp"
#include "widgets/progress_bar_delegate.hpp"
#include "widgets/status_sidebar.hpp"
#include "widgets/transfer_status_bar.hpp"

namespace tessera::gui {

MainWindow::MainWindow(SessionClient& session, SessionBridge& bridge, QSettings& settings, const Preferences& prefs,
                       QString stateDir, QWidget* parent)
    : QMainWindow(parent), session_(session), settings_(settings), prefs_(prefs), stateDir_(std::move(stateDir)) {
  setWindowTitle(QStringLiteral("Tessera"));
  setWindowIcon(appIcon());

  model_ = new TorrentListModel(this);
  proxy_ = new TorrentFilterProxy(this);
  proxy_->setSourceModel(model_);

  table_ = new HintTreeView(this);
  table_->setModel(proxy_);
  table_->setRootIsDecorated(false);
  table_->setUniformRowHeights(true);
  table_->setAlternatingRowColors(true);
  table_->setSortingEnabled(true);
  table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setAllColumnsShowFocus(true);
  table_->setItemDelegateForColumn(
      TorrentListModel::ProgressColumn,
      new ProgressBarDelegate(TorrentListModel::ProgressRole, TorrentListModel::StateRole, table_));
  table_->header()->setSectionsMovable(true);
  table_->header()->setStretchLastSection(false);
  table_->header()->setFirstSectionMovable(false);
  installColumnChooser(table_->header());

  sidebar_ = new StatusSidebar(this);
  detailTorrents_ = std::make_unique<DetailTorrents>(session_);
  details_ = new DetailsPanel(session_, *detailTorrents_, history_, this);

  vSplit_ = new QSplitter(Qt::Vertical, this);
  vSplit_->addWidget(table_);
  vSplit_->addWidget(details_);
  vSplit_->setStretchFactor(0, 3);
  vSplit_->setStretchFactor(1, 2);
  vSplit_->setChildrenCollapsible(false);
  hSplit_ = new QSplitter(Qt::Horizontal, this);
  hSplit_->addWidget(sidebar_);
  hSplit_->addWidget(vSplit_);
  hSplit_->setStretchFactor(0, 0);
  hSplit_->setStretchFactor(1, 1);
  hSplit_->setChildrenCollapsible(false);
  setCentralWidget(hSplit_);

  transfer_ = new TransferStatusBar(statusBar(), this);
  transfer_->setFreeSpaceFolder(prefs_.effectiveSavePath());
  transfer_->setAltSpeedEnabled(prefs_.altLimitsEnabled);

  adder_ = new TorrentAdder(session_, [this]() -> const Preferences& { return prefs_; }, this, this);
  actions_ = new TorrentActions(
      session_, *model_, *table_, *adder_, settings_,
      [this] { return toSessionSettings(prefs_, SessionSettings{}).stop_at_ratio; }, *this);
  intake_ = new TorrentIntake(*adder_, *this, this);
  fileChoice_ = new MagnetFileChoice(session_, *detailTorrents_, this, this);
  createAppActions();
  tray_ = new TrayIcon(*this, {actions_->startAll(), actions_->pauseAll(), altSpeedAction_, nullptr, quitAction_}, this);
  tray_->setWanted(prefs_.showTrayIcon);
  notifier_ = new EventNotifier(*tray_, [this] { return prefs_.notifyOnFinish; }, this);
  createMenus();
  createToolBar();
  stateKeeper_ = new WindowStateKeeper(
      settings_, WindowParts{this, table_, hSplit_, vSplit_, sidebar_, details_, sidebarAction_, detailsAction_}, this);

  connect(adder_, &TorrentAdder::failed, this, &MainWindow::showError);
  connect(adder_, &TorrentAdder::torrentAdded, this, [this](TorrentId id, const QString& name) {
    showMessage(tr("Added %1").arg(name));
    selectTorrent(id);
  });
  connect(adder_, &TorrentAdder::magnetAwaitsFileChoice, fileChoice_, &MagnetFileChoice::expect);
  connect(actions_, &TorrentActions::errorOccurred, this, &MainWindow::showError);
  connect(intake_, &TorrentIntake::errorOccurred, this, &MainWindow::showError);
  connect(intake_, &TorrentIntake::frontRequested, this, &MainWindow::bringToFront);
  connect(intake_, &TorrentIntake::demoRequested, this, &MainWindow::demoRequested);
  connect(tray_, &TrayIcon::showRequested, this, &MainWindow::bringToFront);
  connect(notifier_, &EventNotifier::message, this, &MainWindow::showMessage);
  connect(notifier_, &EventNotifier::error, this, &MainWindow::showError);
  connect(&bridge, &SessionBridge::snapshotChanged, this, &MainWindow::onSnapshot);
  connect(&bridge, &SessionBridge::eventReceived, notifier_, &EventNotifier::onEvent);
  connect(model_, &TorrentListModel::countsChanged, this, [this] { sidebar_->updateCounts(*model_); });
  connect(sidebar_, &StatusSidebar::filterChanged, this, [this](StatusFilter filter) {
    proxy_->setStatusFilter(filter);
    updateEmptyHint();
  });
  connect(table_->selectionModel(), &QItemSelectionModel::currentChanged, this, &MainWindow::onCurrentChanged);
  connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, actions_, &TorrentActions::updateEnabled);
  connect(transfer_, &TransferStatusBar::speedClicked, this, [this] { showPreferences(PreferencesDialog::SpeedPage); });
  connect(transfer_, &TransferStatusBar::altSpeedToggled, this, &MainWindow::setAltSpeed);

  // Free space changes slowly, and asking costs a system call: every 10 s is plenty.
  freeSpaceTimer_ = new QTimer(this);
  freeSpaceTimer_->setInterval(10'000);
  connect(freeSpaceTimer_, &QTimer::timeout, transfer_, &TransferStatusBar::refreshFreeSpace);
  freeSpaceTimer_->start();

  stateKeeper_->restore();
  updateEmptyHint();
  actions_->updateEnabled();
  if (bridge.latest()) onSnapshot(bridge.latest());
}

MainWindow::~MainWindow() = default;

QAction* MainWindow::action(const QString& objectName) const { return findChild<QAction*>(objectName); }

void MainWindow::createAppActions() {
  prefsAction_ = makeAction(this, QStringLiteral("preferences"), tr("&Preferences…"),
                            themedIcon(QStringLiteral("preferences-system"), QStringLiteral("preferences")),
                            QKeySequence(Qt::CTRL | Qt::Key_P));
  prefsAction_->setMenuRole(QAction::PreferencesRole);
  altSpeedAction_ = makeAction(this, QStringLiteral("alt_speed"), tr("&Alternative Speed Caps"),
                               ownIcon(QStringLiteral("alt-speed")), QKeySequence(Qt::CTRL | Qt::Key_T));
  altSpeedAction_->setCheckable(true);
  altSpeedAction_->setChecked(prefs_.altLimitsEnabled);
  altSpeedAction_->setToolTip(tr("Switch to the alternative speed caps (Ctrl+T)"));
  demoAction_ = makeAction(this, QStringLiteral("demo"), tr("&Demo Swarm"), ownIcon(QStringLiteral("demo")));
  demoAction_->setToolTip(tr("Start a small swarm on this machine and download from it"));
  sidebarAction_ = makeAction(this, QStringLiteral("show_sidebar"), tr("&Sidebar"), {});
  sidebarAction_->setCheckable(true);
  sidebarAction_->setChecked(true);
  detailsAction_ = makeAction(this, QStringLiteral("show_details"), tr("&Details"), {});
  detailsAction_->setCheckable(true);
  detailsAction_->setChecked(true);
  aboutAction_ = makeAction(this, QStringLiteral("about"), tr("&About Tessera"),
                            themedIcon(QStringLiteral("help-about"), QStringLiteral("about")));
  aboutAction_->setMenuRole(QAction::AboutRole);
  quitAction_ = makeAction(this, QStringLiteral("quit"), tr("&Quit"),
                           themedIcon(QStringLiteral("application-exit"), QStringLiteral("quit")), QKeySequence::Quit);
  quitAction_->setMenuRole(QAction::QuitRole);

  auto* find = new QAction(this);
  find->setShortcut(QKeySequence::Find);
  addAction(find);
  connect(find, &QAction::triggered, this, [this] {
    search_->setFocus();
    search_->selectAll();
  });

  connect(prefsAction_, &QAction::triggered, this, [this] { showPreferences(); });
  connect(altSpeedAction_, &QAction::toggled, this, &MainWindow::setAltSpeed);
  connect(demoAction_, &QAction::triggered, this, &MainWindow::demoRequested);
  connect(sidebarAction_, &QAction::toggled, sidebar_, &QWidget::setVisible);
  connect(detailsAction_, &QAction::toggled, details_, &QWidget::setVisible);
  connect(aboutAction_, &QAction::triggered, this, &MainWindow::about);
  connect(quitAction_, &QAction::triggered, this, [this] {
    quitting_ = true;
    close();
  });
}

void MainWindow::createMenus() {
  const TorrentActions& t = *actions_;
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addActions({t.add(), t.addLink()});
  file->addSeparator();
  file->addAction(quitAction_);

  QMenu* torrent = menuBar()->addMenu(tr("&Torrent"));
  torrent->addActions({t.start(), t.pause()});
  torrent->addSeparator();
  torrent->addActions({t.startAll(), t.pauseAll()});
  torrent->addSeparator();
  torrent->addActions({t.openFolder(), t.recheck(), t.limits(), t.copyName(), t.copyHash(), t.copyMagnet()});
  torrent->addSeparator();
  torrent->addActions({t.remove(), t.removeWithData()});

  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addActions({sidebarAction_, detailsAction_});

  QMenu* tools = menuBar()->addMenu(tr("T&ools"));
  tools->addActions({altSpeedAction_, demoAction_});
  tools->addSeparator();
  tools->addAction(prefsAction_);

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(aboutAction_);
  help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::createToolBar() {
  QToolBar* bar = addToolBar(tr("Toolbar"));
  bar->setObjectName(QStringLiteral("main_toolbar"));
  bar->setMovable(false);
  bar->setIconSize(QSize(22, 22));
  bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  bar->addActions({actions_->add(), actions_->addLink()});
  bar->addSeparator();
  bar->addActions({actions_->start(), actions_->pause(), actions_->remove()});
  bar->addSeparator();
  bar->addActions({altSpeedAction_, prefsAction_, demoAction_});
  auto* spacer = new QWidget(bar);
  spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
  bar->addWidget(spacer);
  search_ = new QLineEdit(bar);
  search_->setPlaceholderText(tr("Filter torrents by name… (Ctrl+F)"));
  search_->setClearButtonEnabled(true);
  search_->setFixedWidth(fontMetrics().horizontalAdvance(search_->placeholderText()) + 48);
  bar->addWidget(search_);
  connect(search_, &QLineEdit::textChanged, this, [this](const QString& text) {
    proxy_->setNameFilter(text);
    updateEmptyHint();
  });
  // Words beside the main actions; the turtle and the gear speak for themselves (tooltips say the
  // rest), so the toolbar fits in 1024 px.
  for (QAction* a : {actions_->addLink(), altSpeedAction_, prefsAction_}) {
    if (auto* button = qobject_cast<QToolButton*>(bar->widgetForAction(a))) {
      button->setToolButtonStyle(Qt::ToolButtonIconOnly);
    }
  }
}

void MainWindow::saveWindowState() { stateKeeper_->save(); }

void MainWindow::onSnapshot(const std::shared_ptr<const SessionSnapshot>& snapshot) {
  if (!snapshot) return;
  latest_ = snapshot;
  const SessionSnapshot& s = *snapshot;
  model_->applySnapshot(s);
  history_.add(s);
  details_->applySnapshot(s);
  transfer_->showSnapshot(s);
  notifier_->onSnapshot(s);
  fileChoice_->onSnapshot(s);
  tray_->showRates(s);
  if (pendingSelection_ && model_->rowOf(*pendingSelection_) >= 0) selectTorrent(*pendingSelection_);
  updateEmptyHint();
  actions_->updateEnabled();
}

void MainWindow::selectTorrent(TorrentId id) {
  const int row = model_->rowOf(id);
  if (row < 0) {
    pendingSelection_ = id;
    return;
  }
  pendingSelection_.reset();
  QModelIndex index = proxy_->mapFromSource(model_->index(row, 0));
  if (!index.isValid()) {
    // Hidden by the sidebar filter or the search: show everything rather than select nothing.
    search_->clear();
    sidebar_->setCurrent(StatusFilter::all);
    index = proxy_->mapFromSource(model_->index(row, 0));
  }
  table_->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  table_->scrollTo(index);
}

std::vector<TorrentId> MainWindow::selectedTorrents() const { return actions_->selectedTorrents(); }

void MainWindow::onCurrentChanged() {
  const QModelIndex current = table_->selectionModel()->currentIndex();
  details_->setTorrent(current.isValid() ? current.data(TorrentListModel::IdRole).value<quint32>() : 0);
  if (latest_) details_->applySnapshot(*latest_);
  actions_->updateEnabled();
}

void MainWindow::updateEmptyHint() {
  // An empty table says why: nothing added yet, or the filter hides everything.
  table_->setEmptyHint(model_->rowCount() == 0
                           ? tr("No torrents yet.\nAdd a .torrent file (Ctrl+O) or a magnet link (Ctrl+Shift+O), drop "
                                "one on this window, or try the demo swarm (Tools ▸ Demo Swarm).")
                           : tr("No torrents match the filter."));
}

void MainWindow::setAltSpeed(bool enabled) {
  if (prefs_.altLimitsEnabled == enabled) return;
  Preferences p = prefs_;
  p.altLimitsEnabled = enabled;
  applyPreferences(p);
  showMessage(enabled ? tr("Alternative speed caps on: ↓ %1, ↑ %2")
                            .arg(formatCap(p.downloadLimit()), formatCap(p.uploadLimit()))
                      : tr("Alternative speed caps off"));
}

void MainWindow::applyPreferences(const Preferences& prefs) {
  const bool trayChanged = prefs.showTrayIcon != prefs_.showTrayIcon;
  prefs_ = prefs;
  savePreferences(prefs_, settings_);
  session_.applySettings(toSessionSettings(prefs_, SessionSettings{}));
  applyLogLevel(prefs_.logLevel);
  {
    const QSignalBlocker block(altSpeedAction_);
    altSpeedAction_->setChecked(prefs_.altLimitsEnabled);
  }
  transfer_->setAltSpeedEnabled(prefs_.altLimitsEnabled);
  transfer_->setFreeSpaceFolder(prefs_.effectiveSavePath());
  if (trayChanged) tray_->setWanted(prefs_.showTrayIcon);
}

PreferencesDialog* MainWindow::showPreferences(PreferencesDialog::Page page) {
  if (auto* open = findChild<PreferencesDialog*>()) {
    open->openPage(page);
    open->raise();
    open->activateWindow();
    return open;
  }
  auto* dialog = new PreferencesDialog(prefs_, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setEnvironment(stateDir_, latest_ ? latest_->listen_port : session_.listenPort(),
                         QSystemTrayIcon::isSystemTrayAvailable());
  dialog->openPage(page);
  connect(dialog, &PreferencesDialog::applied, this, &MainWindow::applyPreferences);
  dialog->show();
  return dialog;
}

void MainWindow::bringToFront() {
  show();
  setWindowState((windowState() & ~Qt::WindowMinimized) | Qt::WindowActive);
  raise();
  activateWindow();
}

void MainWindow::showError(const QString& message) {
  statusBar()->showMessage(message.section(QLatin1Char('\n'), 0, 0), 10'000);
  emit errorShown(message);
  // Not waited for: the window goes on updating underneath.
  auto* box = new QMessageBox(QMessageBox::Warning, tr("Tessera"), message, QMessageBox::Ok, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
}

void MainWindow::showMessage(const QString& message) { statusBar()->showMessage(message, 8000); }

void MainWindow::setListenPortNote(const QString& note) {
  portNote_ = note;
  showMessage(note);
}

void MainWindow::about() {
  QMessageBox::about(
      this, tr("About Tessera"),
      tr("<h3>Tessera %1</h3>"
         "<p>A BitTorrent client: an engine on Boost.Asio, this Qt %2 front end, and tessera-cli.</p>"
         "<p>A <i>tessera</i> is one tile of a mosaic; a torrent is a mosaic of pieces gathered from many peers.</p>"
         "<p>Released under the MIT License.</p>")
          .arg(QString::fromLatin1(kVersion), QString::fromLatin1(qVersion())));
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (!quitting_ && tray_->hideInsteadOfClose(prefs_.closeToTray)) {
    event->ignore();
    return;
  }
  saveWindowState();
  event->accept();
  QMetaObject::invokeMethod(qApp, &QCoreApplication::quit, Qt::QueuedConnection);
}

}  // namespace tessera::gui
