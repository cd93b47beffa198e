#include "app/main_window.hpp"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDesktopServices>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QScreen>
#include <QSplitter>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QPushButton>
#include <QDateTime>
#include <QLocale>
#include <QUrl>

#include <tessera/version.hpp>

#include "app/command_line.hpp"
#include "app/log_setup.hpp"
#include "app/torrent_adder.hpp"
#include "dialogs/torrent_limits_dialog.hpp"
#include "models/torrent_filter_proxy.hpp"
#include "models/torrent_list_model.hpp"
#include "session/session_bridge.hpp"
#include "util/format.hpp"
#include "util/icons.hpp"
#include "widgets/details_panel.hpp"
#include "widgets/hint_tree_view.hpp"
#include "widgets/progress_bar_delegate.hpp"
#include "widgets/status_sidebar.hpp"
#include "widgets/transfer_status_bar.hpp"

namespace tessera::gui {
namespace {

QAction* makeAction(QObject* parent, const QString& name, const QString& text, const QIcon& icon,
                    const QKeySequence& shortcut = {}) {
  auto* a = new QAction(icon, text, parent);
  a->setObjectName(name);
  if (!shortcut.isEmpty()) a->setShortcut(shortcut);
  return a;
}

}  // namespace

MainWindow::MainWindow(SessionClient& session, SessionBridge& bridge, QSettings& settings, const Preferences& prefs,
                       QString stateDir, QWidget* parent)
    : QMainWindow(parent), session_(session), settings_(settings), prefs_(prefs), stateDir_(std::move(stateDir)) {
  setWindowTitle(QStringLiteral("Tessera"));
  setWindowIcon(appIcon());
  setAcceptDrops(true);

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
  table_->setContextMenuPolicy(Qt::CustomContextMenu);
  table_->setItemDelegateForColumn(
      TorrentListModel::ProgressColumn,
      new ProgressBarDelegate(TorrentListModel::ProgressRole, TorrentListModel::StateRole, table_));
  table_->header()->setSectionsMovable(true);
  table_->header()->setStretchLastSection(false);
  table_->header()->setFirstSectionMovable(false);
  installColumnChooser(table_->header());

  sidebar_ = new StatusSidebar(this);
  details_ = new DetailsPanel(session_, history_, this);

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
  connect(adder_, &TorrentAdder::failed, this, &MainWindow::showError);
  connect(adder_, &TorrentAdder::torrentAdded, this, [this](TorrentId id, const QString& name) {
    showMessage(tr("Added %1").arg(name));
    selectTorrent(id);
  });

  createActions();
  createMenus();
  createToolBar();
  createTray();

  connect(&bridge, &SessionBridge::snapshotChanged, this, &MainWindow::onSnapshot);
  connect(&bridge, &SessionBridge::eventReceived, this, &MainWindow::onEvent);
  connect(model_, &TorrentListModel::countsChanged, this, [this] { sidebar_->updateCounts(*model_); });
  connect(sidebar_, &StatusSidebar::filterChanged, this, [this](StatusFilter filter) {
    proxy_->setStatusFilter(filter);
    updateEmptyHint();
  });
  connect(table_->selectionModel(), &QItemSelectionModel::currentChanged, this, &MainWindow::onCurrentChanged);
  connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::updateActions);
  connect(table_, &QWidget::customContextMenuRequested, this, &MainWindow::showTableMenu);
  connect(table_, &QAbstractItemView::doubleClicked, this, [this] { openFolder(); });
  connect(transfer_, &TransferStatusBar::speedClicked, this, [this] { showPreferences(PreferencesDialog::SpeedPage); });
  connect(transfer_, &TransferStatusBar::altSpeedToggled, this, &MainWindow::setAltSpeed);

  // Free space changes slowly, and asking costs a system call: every 10 s is plenty.
  freeSpaceTimer_ = new QTimer(this);
  freeSpaceTimer_->setInterval(10'000);
  connect(freeSpaceTimer_, &QTimer::timeout, transfer_, &TransferStatusBar::refreshFreeSpace);
  freeSpaceTimer_->start();

  restoreWindowState();
  updateEmptyHint();
  updateActions();
  if (bridge.latest()) onSnapshot(bridge.latest());
}

MainWindow::~MainWindow() = default;

QAction* MainWindow::action(const QString& objectName) const { return findChild<QAction*>(objectName); }

void MainWindow::createActions() {
  addAction_ = makeAction(this, QStringLiteral("add"), tr("&Add Torrent…"),
                          themedIcon(QStringLiteral("list-add"), QStringLiteral("add")), QKeySequence::Open);
  addAction_->setToolTip(tr("Add a .torrent file (Ctrl+O)"));
  startAction_ = makeAction(this, QStringLiteral("start"), tr("&Start"),
                            themedIcon(QStringLiteral("media-playback-start"), QStringLiteral("start")),
                            QKeySequence(Qt::CTRL | Qt::Key_S));
  pauseAction_ = makeAction(this, QStringLiteral("pause"), tr("&Pause"),
                            themedIcon(QStringLiteral("media-playback-pause"), QStringLiteral("pause")),
                            QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
  startAllAction_ = makeAction(this, QStringLiteral("start_all"), tr("Start A&ll"), ownIcon(QStringLiteral("start")));
  pauseAllAction_ = makeAction(this, QStringLiteral("pause_all"), tr("Pause Al&l"), ownIcon(QStringLiteral("pause")));
  removeAction_ = makeAction(this, QStringLiteral("remove"), tr("&Remove"),
                             themedIcon(QStringLiteral("list-remove"), QStringLiteral("remove")),
                             QKeySequence::Delete);
  removeAction_->setToolTip(tr("Remove the selected torrents, keeping their files (Del)"));
  removeDataAction_ = makeAction(this, QStringLiteral("remove_data"), tr("Remove with &Data…"),
                                 themedIcon(QStringLiteral("edit-delete"), QStringLiteral("remove-data")),
                                 QKeySequence(Qt::SHIFT | Qt::Key_Delete));
  openFolderAction_ = makeAction(this, QStringLiteral("open_folder"), tr("Open &Folder"),
                                 themedIcon(QStringLiteral("folder-open"), QStringLiteral("folder")),
                                 QKeySequence(Qt::CTRL | Qt::Key_E));
  recheckAction_ = makeAction(this, QStringLiteral("recheck"), tr("Force Re&check"),
                              themedIcon(QStringLiteral("view-refresh"), QStringLiteral("recheck")),
                              QKeySequence(Qt::CTRL | Qt::Key_R));
  limitsAction_ = makeAction(this, QStringLiteral("limits"), tr("Speed &Caps…"), ownIcon(QStringLiteral("speed")),
                             QKeySequence(Qt::CTRL | Qt::Key_L));
  copyNameAction_ = makeAction(this, QStringLiteral("copy_name"), tr("Copy &Name"),
                               themedIcon(QStringLiteral("edit-copy"), QStringLiteral("copy")), QKeySequence::Copy);
  copyHashAction_ = makeAction(this, QStringLiteral("copy_hash"), tr("Copy &Info-hash"),
                               themedIcon(QStringLiteral("edit-copy"), QStringLiteral("copy")));
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

  connect(addAction_, &QAction::triggered, this, &MainWindow::openTorrentFiles);
  connect(startAction_, &QAction::triggered, this, &MainWindow::startSelected);
  connect(pauseAction_, &QAction::triggered, this, &MainWindow::pauseSelected);
  connect(startAllAction_, &QAction::triggered, this, [this] { startAll(true); });
  connect(pauseAllAction_, &QAction::triggered, this, [this] { startAll(false); });
  connect(removeAction_, &QAction::triggered, this, [this] { removeSelected(false); });
  connect(removeDataAction_, &QAction::triggered, this, [this] { removeSelected(true); });
  connect(openFolderAction_, &QAction::triggered, this, &MainWindow::openFolder);
  connect(recheckAction_, &QAction::triggered, this, &MainWindow::recheckSelected);
  connect(limitsAction_, &QAction::triggered, this, &MainWindow::editTorrentLimits);
  connect(copyNameAction_, &QAction::triggered, this, [this] { copySelected(false); });
  connect(copyHashAction_, &QAction::triggered, this, [this] { copySelected(true); });
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
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(addAction_);
  file->addSeparator();
  file->addAction(quitAction_);

  QMenu* torrent = menuBar()->addMenu(tr("&Torrent"));
  torrent->addAction(startAction_);
  torrent->addAction(pauseAction_);
  torrent->addSeparator();
  torrent->addAction(startAllAction_);
  torrent->addAction(pauseAllAction_);
  torrent->addSeparator();
  torrent->addAction(openFolderAction_);
  torrent->addAction(recheckAction_);
  torrent->addAction(limitsAction_);
  torrent->addAction(copyNameAction_);
  torrent->addAction(copyHashAction_);
  torrent->addSeparator();
  torrent->addAction(removeAction_);
  torrent->addAction(removeDataAction_);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addAction(sidebarAction_);
  view->addAction(detailsAction_);

  QMenu* tools = menuBar()->addMenu(tr("T&ools"));
  tools->addAction(altSpeedAction_);
  tools->addAction(demoAction_);
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
  bar->addAction(addAction_);
  bar->addSeparator();
  bar->addAction(startAction_);
  bar->addAction(pauseAction_);
  bar->addAction(removeAction_);
  bar->addSeparator();
  bar->addAction(altSpeedAction_);
  bar->addAction(prefsAction_);
  bar->addAction(demoAction_);
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
  for (QAction* a : {altSpeedAction_, prefsAction_}) {
    if (auto* w = bar->widgetForAction(a)) {
      if (auto* button = qobject_cast<QToolButton*>(w)) button->setToolButtonStyle(Qt::ToolButtonIconOnly);
    }
  }
}

void MainWindow::createTray() {
  const bool want = prefs_.showTrayIcon && QSystemTrayIcon::isSystemTrayAvailable();
  if (!want) {
    if (tray_ != nullptr) tray_->hide();
    return;
  }
  if (tray_ == nullptr) {
    tray_ = new QSystemTrayIcon(appIcon(), this);
    trayMenu_ = new QMenu(this);
    QAction* show = trayMenu_->addAction(tr("Show Tessera"));
    connect(show, &QAction::triggered, this, &MainWindow::bringToFront);
    trayMenu_->addSeparator();
    trayMenu_->addAction(startAllAction_);
    trayMenu_->addAction(pauseAllAction_);
    trayMenu_->addAction(altSpeedAction_);
    trayMenu_->addSeparator();
    trayMenu_->addAction(quitAction_);
    tray_->setContextMenu(trayMenu_);
    tray_->setToolTip(QStringLiteral("Tessera"));
    connect(tray_, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
      if (reason != QSystemTrayIcon::Trigger) return;
      if (isVisible() && !isMinimized()) {
        hide();
      } else {
        bringToFront();
      }
    });
  }
  tray_->show();
}

void MainWindow::restoreWindowState() {
  if (!restoreGeometry(settings_.value(QStringLiteral("ui/geometry")).toByteArray())) {
    // First start: 1280×800, or nine tenths of a smaller screen.
    const QRect screen = this->screen() != nullptr ? this->screen()->availableGeometry() : QRect(0, 0, 1280, 800);
    resize(std::min(1280, screen.width() * 9 / 10), std::min(800, screen.height() * 9 / 10));
  }
  restoreState(settings_.value(QStringLiteral("ui/window_state")).toByteArray());
  const QByteArray header = settings_.value(QStringLiteral("ui/torrent_header")).toByteArray();
  if (header.isEmpty() || !table_->header()->restoreState(header)) {
    // First start: widths from sample text, so nothing is clipped at the user's font.
    const QFontMetrics fm = table_->fontMetrics();
    auto width = [&](const QString& sample, int column) {
      const QString title = model_->headerData(column, Qt::Horizontal, Qt::DisplayRole).toString();
      return std::max(fm.horizontalAdvance(sample), fm.horizontalAdvance(title) + 16) + 20;
    };
    table_->setColumnWidth(TorrentListModel::NameColumn, fm.horizontalAdvance(QString(34, QLatin1Char('n'))));
    fitNameColumn_ = true;
    table_->setColumnWidth(TorrentListModel::SizeColumn, width(QStringLiteral("999.9 MiB"), TorrentListModel::SizeColumn));
    table_->setColumnWidth(TorrentListModel::ProgressColumn, width(QStringLiteral("100.0%    "), TorrentListModel::ProgressColumn));
    table_->setColumnWidth(TorrentListModel::StatusColumn, width(QStringLiteral("Checking 99.9%"), TorrentListModel::StatusColumn) - 10);
    table_->setColumnWidth(TorrentListModel::SeedsColumn, width(QStringLiteral("99 (999)"), TorrentListModel::SeedsColumn));
    table_->setColumnWidth(TorrentListModel::PeersColumn, width(QStringLiteral("99 (999)"), TorrentListModel::PeersColumn));
    table_->setColumnWidth(TorrentListModel::DownRateColumn, width(QStringLiteral("999.9 KiB/s"), TorrentListModel::DownRateColumn));
    table_->setColumnWidth(TorrentListModel::UpRateColumn, width(QStringLiteral("999.9 KiB/s"), TorrentListModel::UpRateColumn));
    table_->setColumnWidth(TorrentListModel::EtaColumn, width(QStringLiteral("23h 59m"), TorrentListModel::EtaColumn));
    table_->setColumnWidth(TorrentListModel::RatioColumn, width(QStringLiteral("99.99"), TorrentListModel::RatioColumn));
    table_->setColumnWidth(TorrentListModel::AddedOnColumn,
                           width(QLocale().toString(QDateTime(QDate(2024, 12, 30), QTime(23, 59)), QLocale::ShortFormat),
                                 TorrentListModel::AddedOnColumn));
    table_->sortByColumn(TorrentListModel::AddedOnColumn, Qt::AscendingOrder);
  }
  if (!hSplit_->restoreState(settings_.value(QStringLiteral("ui/h_splitter")).toByteArray())) {
    hSplit_->setSizes({sidebar_->sizeHint().width(), width() - sidebar_->sizeHint().width()});
  }
  if (!vSplit_->restoreState(settings_.value(QStringLiteral("ui/v_splitter")).toByteArray())) {
    vSplit_->setSizes({height() * 45 / 100, height() * 55 / 100});
  }
  sidebar_->setCurrent(static_cast<StatusFilter>(
      std::clamp(settings_.value(QStringLiteral("ui/status_filter"), 0).toInt(), 0, kStatusFilterCount - 1)));
  details_->restoreState(settings_);
  sidebarAction_->setChecked(settings_.value(QStringLiteral("ui/show_sidebar"), true).toBool());
  detailsAction_->setChecked(settings_.value(QStringLiteral("ui/show_details"), true).toBool());
}

void MainWindow::saveWindowState() {
  settings_.setValue(QStringLiteral("ui/geometry"), saveGeometry());
  settings_.setValue(QStringLiteral("ui/window_state"), saveState());
  settings_.setValue(QStringLiteral("ui/torrent_header"), table_->header()->saveState());
  settings_.setValue(QStringLiteral("ui/h_splitter"), hSplit_->saveState());
  settings_.setValue(QStringLiteral("ui/v_splitter"), vSplit_->saveState());
  settings_.setValue(QStringLiteral("ui/status_filter"), static_cast<int>(sidebar_->current()));
  settings_.setValue(QStringLiteral("ui/show_sidebar"), sidebarAction_->isChecked());
  settings_.setValue(QStringLiteral("ui/show_details"), detailsAction_->isChecked());
  details_->saveState(settings_);
  settings_.sync();
}

void MainWindow::onSnapshot(const std::shared_ptr<const SessionSnapshot>& snapshot) {
  if (!snapshot) return;
  latest_ = snapshot;
  const SessionSnapshot& s = *snapshot;
  model_->applySnapshot(s);
  history_.add(s);
  details_->applySnapshot(s);
  transfer_->showSnapshot(s);
  for (const TorrentStatus& t : s.torrents) {
    if (t.state == TorrentState::downloading) seenDownloading_.insert(t.id);
  }
  if (pendingSelection_ && model_->rowOf(*pendingSelection_) >= 0) selectTorrent(*pendingSelection_);
  updateEmptyHint();
  if (tray_ != nullptr) {
    tray_->setToolTip(tr("Tessera\nDown: %1\nUp: %2")
                          .arg(rateWithCap(s.down_rate, s.download_limit), rateWithCap(s.up_rate, s.upload_limit)));
  }
  updateActions();
}

void MainWindow::onEvent(const SessionEvent& event) {
  const QString name = QString::fromStdString(event.name);
  switch (event.kind) {
    case SessionEvent::Kind::finished:
      showMessage(tr("Download finished: %1").arg(name));
      if (seenDownloading_.contains(event.id) && prefs_.notifyOnFinish && tray_ != nullptr && tray_->isVisible()) {
        tray_->showMessage(tr("Download finished"), name, QSystemTrayIcon::Information, 8000);
      }
      break;
    case SessionEvent::Kind::error:
      showMessage(tr("%1: %2").arg(name, QString::fromStdString(event.message)));
      break;
    case SessionEvent::Kind::checked:
      showMessage(tr("%1: checked, %2").arg(name, QString::fromStdString(event.message)));
      break;
    case SessionEvent::Kind::removed:
      showMessage(tr("Removed %1").arg(name));
      seenDownloading_.erase(event.id);
      break;
    case SessionEvent::Kind::state_damaged:
      showError(tr("A saved torrent could not be restored.\n%1: %2\nThe file was left where it is.")
                    .arg(name, QString::fromStdString(event.message)));
      break;
    case SessionEvent::Kind::stopped_at_ratio:
      showMessage(tr("%1 reached its share ratio and was stopped").arg(name));
      break;
    case SessionEvent::Kind::added: break;
  }
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

std::vector<TorrentId> MainWindow::selectedTorrents() const {
  std::vector<TorrentId> ids;
  for (const QModelIndex& index : table_->selectionModel()->selectedRows()) {
    ids.push_back(index.data(TorrentListModel::IdRole).value<quint32>());
  }
  return ids;
}

void MainWindow::onCurrentChanged() {
  const QModelIndex current = table_->selectionModel()->currentIndex();
  details_->setTorrent(current.isValid() ? current.data(TorrentListModel::IdRole).value<quint32>() : 0);
  if (latest_) details_->applySnapshot(*latest_);
  updateActions();
}

void MainWindow::updateEmptyHint() {
  // An empty table says why: nothing added yet, or the filter hides everything.
  table_->setEmptyHint(model_->rowCount() == 0
                           ? tr("No torrents yet.\nAdd a .torrent file (Ctrl+O), drop one on this window, or try the "
                                "demo swarm (Tools ▸ Demo Swarm).")
                           : tr("No torrents match the filter."));
}

void MainWindow::updateActions() {
  bool any = false, startable = false, pausable = false;
  for (TorrentId id : selectedTorrents()) {
    const TorrentRow* row = model_->find(id);
    if (row == nullptr) continue;
    any = true;
    startable = startable || row->state == TorrentState::paused || row->state == TorrentState::error;
    pausable = pausable || (row->state != TorrentState::paused && row->state != TorrentState::error);
  }
  startAction_->setEnabled(startable);
  pauseAction_->setEnabled(pausable);
  for (QAction* a : {removeAction_, removeDataAction_, openFolderAction_, recheckAction_, limitsAction_,
                     copyNameAction_, copyHashAction_}) {
    a->setEnabled(any);
  }
  const bool haveTorrents = model_->rowCount() > 0;
  startAllAction_->setEnabled(haveTorrents);
  pauseAllAction_->setEnabled(haveTorrents);
}

void MainWindow::openTorrentFiles() {
  const QString dir = settings_.value(QStringLiteral("ui/last_open_dir"), QDir::homePath()).toString();
  const QStringList files =
      QFileDialog::getOpenFileNames(this, tr("Add Torrents"), dir, tr("Torrent files (*.torrent);;All files (*)"));
  if (files.isEmpty()) return;
  settings_.setValue(QStringLiteral("ui/last_open_dir"), QFileInfo(files.front()).absolutePath());
  adder_->addFiles(files);
}

void MainWindow::startSelected() {
  for (TorrentId id : selectedTorrents()) session_.resume(id);
}

void MainWindow::pauseSelected() {
  for (TorrentId id : selectedTorrents()) session_.pause(id);
}

void MainWindow::startAll(bool start) {
  for (int r = 0; r < model_->rowCount(); ++r) {
    const TorrentRow* row = model_->rowAt(r);
    if (start) {
      session_.resume(row->id);
    } else {
      session_.pause(row->id);
    }
  }
}

void MainWindow::removeSelected(bool withData) {
  const std::vector<TorrentId> ids = selectedTorrents();
  if (ids.empty()) return;
  if (withData) {
    const TorrentRow* first = model_->find(ids.front());
    const QString what = ids.size() == 1 && first != nullptr ? QStringLiteral("“%1”").arg(first->name)
                                                              : tr("%1 torrents").arg(ids.size());
    QMessageBox box(QMessageBox::Warning, tr("Remove with Data"),
                    tr("Remove %1 and delete the downloaded files from disk?").arg(what), QMessageBox::NoButton, this);
    box.setInformativeText(tr("This cannot be undone."));
    QPushButton* remove = box.addButton(tr("Remove and Delete Files"), QMessageBox::DestructiveRole);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    if (box.clickedButton() != remove) return;
  }
  for (TorrentId id : ids) session_.remove(id, withData);
}

void MainWindow::openFolder() {
  const std::vector<TorrentId> ids = selectedTorrents();
  if (ids.empty()) return;
  const TorrentRow* row = model_->find(ids.front());
  if (row == nullptr) return;
  // The torrent's own folder when it has one, else the folder it is saved in.
  const QString inner = QDir(row->savePath).filePath(row->name);
  const QString target = QFileInfo(inner).isDir() ? inner : row->savePath;
  if (!QDesktopServices::openUrl(QUrl::fromLocalFile(target))) showError(tr("Cannot open %1").arg(target));
}

void MainWindow::recheckSelected() {
  for (TorrentId id : selectedTorrents()) session_.forceRecheck(id);
}

void MainWindow::editTorrentLimits() {
  const std::vector<TorrentId> ids = selectedTorrents();
  if (ids.empty()) return;
  const TorrentRow* first = model_->find(ids.front());
  if (first == nullptr) return;
  const QString what = ids.size() == 1 ? QStringLiteral("“%1”").arg(first->name) : tr("%1 torrents").arg(ids.size());
  TorrentLimitsDialog dialog(what, first->downloadLimit, first->uploadLimit, this);
  if (dialog.exec() != QDialog::Accepted) return;
  for (TorrentId id : ids) session_.setTorrentRateLimits(id, dialog.downloadLimit(), dialog.uploadLimit());
}

void MainWindow::copySelected(bool infoHash) {
  QStringList lines;
  for (TorrentId id : selectedTorrents()) {
    if (const TorrentRow* row = model_->find(id)) lines << (infoHash ? row->infoHash : row->name);
  }
  if (!lines.isEmpty()) QApplication::clipboard()->setText(lines.join(QLatin1Char('\n')));
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
  if (trayChanged) createTray();
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

void MainWindow::handleArguments(const QStringList& arguments) {
  const ParsedCommandLine parsed = parseCommandLine(QStringList{QStringLiteral("tessera")} + arguments);
  if (!parsed.ok) {
    showError(parsed.message);
    return;
  }
  bringToFront();
  if (!parsed.options.torrents.isEmpty()) adder_->addFiles(parsed.options.torrents);
  adder_->addMagnets(parsed.options.magnets);
  if (parsed.options.demo) emit demoRequested();
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

void MainWindow::showTableMenu(const QPoint& pos) {
  if (selectedTorrents().empty()) return;
  QMenu menu(this);
  menu.addAction(startAction_);
  menu.addAction(pauseAction_);
  menu.addSeparator();
  menu.addAction(openFolderAction_);
  menu.addAction(recheckAction_);
  menu.addAction(limitsAction_);
  menu.addSeparator();
  menu.addAction(copyNameAction_);
  menu.addAction(copyHashAction_);
  menu.addSeparator();
  menu.addAction(removeAction_);
  menu.addAction(removeDataAction_);
  menu.exec(table_->viewport()->mapToGlobal(pos));
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
  if (!quitting_ && prefs_.closeToTray && tray_ != nullptr && tray_->isVisible()) {
    hide();
    event->ignore();
    if (!toldAboutTray_) {
      toldAboutTray_ = true;
      tray_->showMessage(tr("Tessera is still running"),
                         tr("Torrents keep going. Quit from this icon's menu."), QSystemTrayIcon::Information, 5000);
    }
    return;
  }
  saveWindowState();
  event->accept();
  QMetaObject::invokeMethod(qApp, &QCoreApplication::quit, Qt::QueuedConnection);
}

void MainWindow::showEvent(QShowEvent* event) {
  QMainWindow::showEvent(event);
  if (!fitNameColumn_) return;
  fitNameColumn_ = false;
  // After layout, when the table's width is known.
  QTimer::singleShot(0, this, [this] {
    int others = 0;
    for (int c = 1; c < TorrentListModel::ColumnCount; ++c) {
      if (!table_->isColumnHidden(c)) others += table_->columnWidth(c);
    }
    const int available = table_->viewport()->width() - others - 2;
    table_->setColumnWidth(TorrentListModel::NameColumn,
                           std::max(table_->fontMetrics().horizontalAdvance(QString(24, QLatin1Char('n'))), available));
  });
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  const QMimeData* mime = event->mimeData();
  if (mime->hasUrls()) {
    for (const QUrl& url : mime->urls()) {
      if (url.isLocalFile() || url.scheme() == QLatin1String("magnet")) {
        event->acceptProposedAction();
        return;
      }
    }
  }
}

void MainWindow::dropEvent(QDropEvent* event) {
  QStringList files, magnets;
  for (const QUrl& url : event->mimeData()->urls()) {
    if (url.isLocalFile()) {
      files << url.toLocalFile();
    } else if (url.scheme() == QLatin1String("magnet")) {
      magnets << url.toString();
    }
  }
  if (files.isEmpty() && magnets.isEmpty()) return;
  event->acceptProposedAction();
  // Not from inside the drop handler: the dragging application waits until it returns.
  QTimer::singleShot(0, this, [this, files, magnets] {
    adder_->addFiles(files);
    adder_->addMagnets(magnets);
  });
}

}  // namespace tessera::gui
