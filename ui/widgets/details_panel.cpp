#include "widgets/details_panel.hpp"

#include <QHeaderView>
#include <QMenu>
#include <QSettings>

#include "models/file_tree_model.hpp"
#include "models/speed_history.hpp"
#include "models/tracker_list_model.hpp"
#include "session/detail_torrents.hpp"
#include "session/session_client.hpp"
#include "widgets/file_priority_delegate.hpp"
#include "widgets/general_tab.hpp"
#include "widgets/hint_tree_view.hpp"
#include "widgets/peers_tab.hpp"
#include "widgets/progress_bar_delegate.hpp"
#include "widgets/speed_graph_widget.hpp"

namespace tessera::gui {

DetailsPanel::DetailsPanel(SessionClient& session, DetailTorrents& detailTorrents, const SpeedHistory& history,
                           QWidget* parent)
    : QTabWidget(parent), session_(session), detailTorrents_(detailTorrents) {
  setDocumentMode(true);

  general_ = new GeneralTab(this);
  addTab(general_, tr("General"));

  trackers_ = new TrackerListModel(this);
  trackerView_ = makeListView(this);
  trackerView_->setModel(trackers_);
  sizeColumns(trackerView_, {{TrackerListModel::UrlColumn, QStringLiteral("udp://tracker.example.org:6969/announce")},
                             {TrackerListModel::TierColumn, QStringLiteral("99")},
                             {TrackerListModel::StatusColumn, QStringLiteral("Not contacted yet")},
                             {TrackerListModel::SeedsColumn, QStringLiteral("99999")},
                             {TrackerListModel::LeechersColumn, QStringLiteral("99999")},
                             {TrackerListModel::NextAnnounceColumn, QStringLiteral("29m 59s")}});
  addTab(trackerView_, tr("Trackers"));

  peersTab_ = new PeersTab(this);
  addTab(peersTab_, tr("Peers"));

  files_ = new FileTreeModel(this);
  fileView_ = new HintTreeView(this);
  fileView_->setModel(files_);
  fileView_->setUniformRowHeights(true);
  fileView_->setAlternatingRowColors(true);
  fileView_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  fileView_->setEditTriggers(QAbstractItemView::SelectedClicked | QAbstractItemView::DoubleClicked |
                             QAbstractItemView::EditKeyPressed);
  fileView_->setItemDelegateForColumn(FileTreeModel::PriorityColumn, new FilePriorityDelegate(fileView_));
  fileView_->setItemDelegateForColumn(FileTreeModel::ProgressColumn,
                                      new ProgressBarDelegate(FileTreeModel::ProgressRole, -1, fileView_));
  fileView_->setContextMenuPolicy(Qt::CustomContextMenu);
  fileView_->header()->setStretchLastSection(false);
  fileView_->header()->setSectionResizeMode(FileTreeModel::NameColumn, QHeaderView::Stretch);
  sizeColumns(fileView_, {{FileTreeModel::SizeColumn, QStringLiteral("999.9 MiB")},
                          {FileTreeModel::ProgressColumn, QStringLiteral("100.0% progress")},
                          {FileTreeModel::PriorityColumn, QStringLiteral("Do not download ▾")}});
  connect(fileView_, &QWidget::customContextMenuRequested, this, &DetailsPanel::showFileMenu);
  connect(files_, &FileTreeModel::filePriorityChanged, this, [this](quint32 file, int priority) {
    if (files_->torrent() != 0) session_.setFilePriority(files_->torrent(), file, static_cast<FilePriority>(priority));
  });
  addTab(fileView_, tr("Files"));

  graph_ = new SpeedGraphWidget(this);
  graph_->setHistory(&history);
  addTab(graph_, tr("Speed"));
  updateHints();
}

PeerListModel& DetailsPanel::peerModel() const { return peersTab_->peerModel(); }
HintTreeView& DetailsPanel::peerView() const { return peersTab_->peerView(); }

void DetailsPanel::updateHints() {
  peersTab_->setEmptyHints(torrent_ != 0);
  if (torrent_ == 0) {
    const QString none = tr("Select a torrent to see its details.");
    trackerView_->setEmptyHint(none);
    fileView_->setEmptyHint(none);
    return;
  }
  trackerView_->setEmptyHint(tr("This torrent has no trackers: peers come from the ones it was added with."));
  fileView_->setEmptyHint(filesLoaded_ ? tr("No files.") : tr("Loading the file list…"));
}

void DetailsPanel::setTorrent(TorrentId id) {
  if (id == torrent_) return;
  torrent_ = id;
  filesLoaded_ = false;
  peersTab_->showTorrent(nullptr);
  trackers_->clear();
  files_->clear();
  general_->showTorrent(nullptr);
  graph_->setTorrent(id);
  // Only the shown torrent's snapshot carries files and piece availability.
  detailTorrents_.setShown(id);
  updateHints();
}

void DetailsPanel::applySnapshot(const SessionSnapshot& snapshot) {
  graph_->setCaps(snapshot.download_limit, snapshot.upload_limit, 0, 0);
  const TorrentStatus* status = nullptr;
  for (const TorrentStatus& s : snapshot.torrents) {
    if (s.id == torrent_) {
      status = &s;
      break;
    }
  }
  if (status == nullptr) {
    if (torrent_ != 0) setTorrent(0);  // removed
    graph_->update();
    return;
  }
  graph_->setCaps(snapshot.download_limit, snapshot.upload_limit, status->download_limit, status->upload_limit);
  graph_->update();
  general_->showTorrent(status);
  trackers_->setTrackers(status->id, status->trackers);
  peersTab_->showTorrent(status);
  if (status->has_details) {
    const bool first = !filesLoaded_;
    files_->setFiles(status->id, status->files);
    if (first) {
      filesLoaded_ = true;
      updateHints();
      // Show the top level opened: one folder for most torrents.
      for (int r = 0; r < files_->rowCount(); ++r) fileView_->expand(files_->index(r, 0));
    }
  }
}

void DetailsPanel::showFileMenu(const QPoint& pos) {
  const QModelIndexList rows = fileView_->selectionModel()->selectedRows(FileTreeModel::NameColumn);
  if (rows.isEmpty()) return;
  QMenu menu(this);
  QMenu* priority = menu.addMenu(tr("Priority"));
  for (FilePriority p : {FilePriority::high, FilePriority::normal, FilePriority::skip}) {
    QAction* a = priority->addAction(priorityText(static_cast<int>(p)));
    connect(a, &QAction::triggered, this, [this, rows, p] {
      for (const QModelIndex& index : rows) files_->setPriority(index, p);
    });
  }
  menu.exec(fileView_->viewport()->mapToGlobal(pos));
}

void DetailsPanel::saveState(QSettings& settings) const {
  settings.setValue(QStringLiteral("ui/details_tab"), currentIndex());
  peersTab_->saveState(settings);
  settings.setValue(QStringLiteral("ui/trackers_header"), trackerView_->header()->saveState());
  settings.setValue(QStringLiteral("ui/files_header"), fileView_->header()->saveState());
}

void DetailsPanel::restoreState(QSettings& settings) {
  setCurrentIndex(settings.value(QStringLiteral("ui/details_tab"), 0).toInt());
  peersTab_->restoreState(settings);
  trackerView_->header()->restoreState(settings.value(QStringLiteral("ui/trackers_header")).toByteArray());
  fileView_->header()->restoreState(settings.value(QStringLiteral("ui/files_header")).toByteArray());
}

}  // namespace tessera::gui
