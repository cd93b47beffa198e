#include "app/torrent_actions.hpp"

#include <QAbstractItemView>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QUrl>

#include <tessera/magnet.hpp>

#include "app/torrent_adder.hpp"
#include "dialogs/add_link_dialog.hpp"
#include "dialogs/torrent_limits_dialog.hpp"
#include "models/torrent_list_model.hpp"
#include "session/session_client.hpp"
#include "util/icons.hpp"
#include "util/make_action.hpp"

namespace tessera::gui {

TorrentActions::TorrentActions(SessionClient& session, const TorrentListModel& model, QAbstractItemView& table,
                               TorrentAdder& adder, QSettings& settings, std::function<double()> sessionRatio,
                               QWidget& window)
    : QObject(&window),
      session_(session),
      model_(model),
      table_(table),
      adder_(adder),
      settings_(settings),
      sessionRatio_(std::move(sessionRatio)),
      window_(window) {
  createActions();
  table_.setContextMenuPolicy(Qt::CustomContextMenu);
  connect(&table_, &QWidget::customContextMenuRequested, this, &TorrentActions::showContextMenu);
  connect(&table_, &QAbstractItemView::doubleClicked, this, [this] { openSelectedFolder(); });
}

void TorrentActions::createActions() {
  QWidget* w = &window_;
  add_ = makeAction(w, QStringLiteral("add"), tr("&Add Torrent…"),
                    themedIcon(QStringLiteral("list-add"), QStringLiteral("add")), QKeySequence::Open);
  add_->setToolTip(tr("Add a .torrent file (Ctrl+O)"));
  addLink_ = makeAction(w, QStringLiteral("add_link"), tr("Add &Magnet or URL…"),
                        themedIcon(QStringLiteral("insert-link"), QStringLiteral("magnet")),
                        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
  addLink_->setToolTip(tr("Add a magnet link, or a .torrent from a web address (Ctrl+Shift+O)"));
  start_ = makeAction(w, QStringLiteral("start"), tr("&Start"),
                      themedIcon(QStringLiteral("media-playback-start"), QStringLiteral("start")),
                      QKeySequence(Qt::CTRL | Qt::Key_S));
  pause_ = makeAction(w, QStringLiteral("pause"), tr("&Pause"),
                      themedIcon(QStringLiteral("media-playback-pause"), QStringLiteral("pause")),
                      QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
  startAll_ = makeAction(w, QStringLiteral("start_all"), tr("Start A&ll"), ownIcon(QStringLiteral("start")));
  pauseAll_ = makeAction(w, QStringLiteral("pause_all"), tr("Pause Al&l"), ownIcon(QStringLiteral("pause")));
  remove_ = makeAction(w, QStringLiteral("remove"), tr("&Remove"),
                       themedIcon(QStringLiteral("list-remove"), QStringLiteral("remove")), QKeySequence::Delete);
  remove_->setToolTip(tr("Remove the selected torrents, keeping their files (Del)"));
  removeData_ = makeAction(w, QStringLiteral("remove_data"), tr("Remove with &Data…"),
                           themedIcon(QStringLiteral("edit-delete"), QStringLiteral("remove-data")),
                           QKeySequence(Qt::SHIFT | Qt::Key_Delete));
  openFolder_ = makeAction(w, QStringLiteral("open_folder"), tr("Open &Folder"),
                           themedIcon(QStringLiteral("folder-open"), QStringLiteral("folder")),
                           QKeySequence(Qt::CTRL | Qt::Key_E));
  recheck_ = makeAction(w, QStringLiteral("recheck"), tr("Force Re&check"),
                        themedIcon(QStringLiteral("view-refresh"), QStringLiteral("recheck")),
                        QKeySequence(Qt::CTRL | Qt::Key_R));
  limits_ = makeAction(w, QStringLiteral("limits"), tr("Speed Caps and &Ratio…"), ownIcon(QStringLiteral("speed")),
                       QKeySequence(Qt::CTRL | Qt::Key_L));
  copyName_ = makeAction(w, QStringLiteral("copy_name"), tr("Copy &Name"),
                         themedIcon(QStringLiteral("edit-copy"), QStringLiteral("copy")), QKeySequence::Copy);
  copyHash_ = makeAction(w, QStringLiteral("copy_hash"), tr("Copy &Info-hash"),
                         themedIcon(QStringLiteral("edit-copy"), QStringLiteral("copy")));
  copyMagnet_ = makeAction(w, QStringLiteral("copy_magnet"), tr("Copy &Magnet Link"),
                           themedIcon(QStringLiteral("edit-copy"), QStringLiteral("copy")));

  connect(add_, &QAction::triggered, this, &TorrentActions::openTorrentFiles);
  connect(addLink_, &QAction::triggered, this, &TorrentActions::openAddLinkDialog);
  connect(copyMagnet_, &QAction::triggered, this, [this] {
    const QString links = selectedMagnetLinks();
    if (!links.isEmpty()) QApplication::clipboard()->setText(links);
  });
  connect(start_, &QAction::triggered, this, &TorrentActions::startSelected);
  connect(pause_, &QAction::triggered, this, &TorrentActions::pauseSelected);
  connect(startAll_, &QAction::triggered, this, [this] { startAllTorrents(true); });
  connect(pauseAll_, &QAction::triggered, this, [this] { startAllTorrents(false); });
  connect(remove_, &QAction::triggered, this, [this] { removeSelected(false); });
  connect(removeData_, &QAction::triggered, this, [this] { removeSelected(true); });
  connect(openFolder_, &QAction::triggered, this, &TorrentActions::openSelectedFolder);
  connect(recheck_, &QAction::triggered, this, &TorrentActions::recheckSelected);
  connect(limits_, &QAction::triggered, this, &TorrentActions::editLimits);
  connect(copyName_, &QAction::triggered, this, [this] { copySelected(false); });
  connect(copyHash_, &QAction::triggered, this, [this] { copySelected(true); });
}

std::vector<TorrentId> TorrentActions::selectedTorrents() const {
  std::vector<TorrentId> ids;
  if (table_.selectionModel() == nullptr) return ids;
  for (const QModelIndex& index : table_.selectionModel()->selectedRows()) {
    ids.push_back(index.data(TorrentListModel::IdRole).value<quint32>());
  }
  return ids;
}

void TorrentActions::updateEnabled() {
  bool any = false, startable = false, pausable = false;
  for (TorrentId id : selectedTorrents()) {
    const TorrentRow* row = model_.find(id);
    if (row == nullptr) continue;
    any = true;
    startable = startable || row->state == TorrentState::paused || row->state == TorrentState::error;
    pausable = pausable || (row->state != TorrentState::paused && row->state != TorrentState::error);
  }
  start_->setEnabled(startable);
  pause_->setEnabled(pausable);
  for (QAction* a : {remove_, removeData_, openFolder_, recheck_, limits_, copyName_, copyHash_, copyMagnet_}) {
    a->setEnabled(any);
  }
  const bool haveTorrents = model_.rowCount() > 0;
  startAll_->setEnabled(haveTorrents);
  pauseAll_->setEnabled(haveTorrents);
}

void TorrentActions::openTorrentFiles() {
  const QString dir = settings_.value(QStringLiteral("ui/last_open_dir"), QDir::homePath()).toString();
  const QStringList files = QFileDialog::getOpenFileNames(&window_, tr("Add Torrents"), dir,
                                                          tr("Torrent files (*.torrent);;All files (*)"));
  if (files.isEmpty()) return;
  settings_.setValue(QStringLiteral("ui/last_open_dir"), QFileInfo(files.front()).absolutePath());
  adder_.addFiles(files);
}

void TorrentActions::openAddLinkDialog() {
  auto* dialog = new AddLinkDialog(&window_);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &AddLinkDialog::magnetChosen, this, [this](const QString& uri) { adder_.addMagnets({uri}); });
  connect(dialog, &AddLinkDialog::urlChosen, this, [this](const QUrl& url) { adder_.addUrls({url}); });
  dialog->open();
}

QString TorrentActions::selectedMagnetLinks() const {
  // The snapshot has the trackers (the model keeps only what the table shows).
  const auto snapshot = session_.snapshot();
  if (!snapshot) return {};
  QStringList links;
  for (TorrentId id : selectedTorrents()) {
    for (const TorrentStatus& t : snapshot->torrents) {
      if (t.id != id) continue;
      std::vector<std::string> trackers;
      for (const TrackerInfo& tracker : t.trackers) trackers.push_back(tracker.url);
      const std::string link = magnet_uri(t.info_hash, t.name, trackers);
      if (!link.empty()) links << QString::fromStdString(link);
    }
  }
  return links.join(QLatin1Char('\n'));
}

void TorrentActions::startSelected() {
  for (TorrentId id : selectedTorrents()) session_.resume(id);
}

void TorrentActions::pauseSelected() {
  for (TorrentId id : selectedTorrents()) session_.pause(id);
}

void TorrentActions::startAllTorrents(bool start) {
  for (int r = 0; r < model_.rowCount(); ++r) {
    const TorrentId id = model_.rowAt(r)->id;
    if (start) {
      session_.resume(id);
    } else {
      session_.pause(id);
    }
  }
}

void TorrentActions::removeSelected(bool withData) {
  const std::vector<TorrentId> ids = selectedTorrents();
  if (ids.empty()) return;
  if (withData) {
    const TorrentRow* first = model_.find(ids.front());
    const QString what = ids.size() == 1 && first != nullptr ? QStringLiteral("“%1”").arg(first->name)
                                                              : tr("%1 torrents").arg(ids.size());
    QMessageBox box(QMessageBox::Warning, tr("Remove with Data"),
                    tr("Remove %1 and delete the downloaded files from disk?").arg(what), QMessageBox::NoButton,
                    &window_);
    box.setInformativeText(tr("This cannot be undone."));
    QPushButton* remove = box.addButton(tr("Remove and Delete Files"), QMessageBox::DestructiveRole);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    if (box.clickedButton() != remove) return;
  }
  for (TorrentId id : ids) session_.remove(id, withData);
}

void TorrentActions::openSelectedFolder() {
  const std::vector<TorrentId> ids = selectedTorrents();
  if (ids.empty()) return;
  const TorrentRow* row = model_.find(ids.front());
  if (row == nullptr) return;
  // The torrent's own folder when it has one, else the folder it is saved in.
  const QString inner = QDir(row->savePath).filePath(row->name);
  const QString target = QFileInfo(inner).isDir() ? inner : row->savePath;
  if (!QDesktopServices::openUrl(QUrl::fromLocalFile(target))) emit errorOccurred(tr("Cannot open %1").arg(target));
}

void TorrentActions::recheckSelected() {
  for (TorrentId id : selectedTorrents()) session_.forceRecheck(id);
}

void TorrentActions::editLimits() {
  const std::vector<TorrentId> ids = selectedTorrents();
  if (ids.empty()) return;
  const TorrentRow* first = model_.find(ids.front());
  if (first == nullptr) return;
  const QString what = ids.size() == 1 ? QStringLiteral("“%1”").arg(first->name) : tr("%1 torrents").arg(ids.size());
  const double session = sessionRatio_();
  auto* dialog = new TorrentLimitsDialog(what, first->downloadLimit, first->uploadLimit,
                                         first->ownRatioLimit, session,
                                         &window_);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &QDialog::accepted, this, [this, dialog, ids] {
    for (TorrentId id : ids) {
      session_.setTorrentRateLimits(id, dialog->downloadLimit(), dialog->uploadLimit());
      if (dialog->ratioChanged()) session_.setTorrentRatioLimit(id, dialog->ratioLimit());
    }
  });
  dialog->open();
}

void TorrentActions::copySelected(bool infoHash) {
  QStringList lines;
  for (TorrentId id : selectedTorrents()) {
    if (const TorrentRow* row = model_.find(id)) lines << (infoHash ? row->infoHash : row->name);
  }
  if (!lines.isEmpty()) QApplication::clipboard()->setText(lines.join(QLatin1Char('\n')));
}

void TorrentActions::showContextMenu(const QPoint& pos) {
  if (selectedTorrents().empty()) return;
  QMenu menu(&window_);
  for (QAction* a : {start_, pause_, static_cast<QAction*>(nullptr), openFolder_, recheck_, limits_,
                     static_cast<QAction*>(nullptr), copyName_, copyHash_, copyMagnet_, static_cast<QAction*>(nullptr), remove_,
                     removeData_}) {
    if (a == nullptr) {
      menu.addSeparator();
    } else {
      menu.addAction(a);
    }
  }
  menu.exec(table_.viewport()->mapToGlobal(pos));
}

}  // namespace tessera::gui
