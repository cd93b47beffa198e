#include "widgets/details_panel.hpp"

#include <QHeaderView>
#include <QMenu>
#include <QSettings>
#include <QSortFilterProxyModel>

#include "models/file_tree_model.hpp"
#include "models/peer_list_model.hpp"
#include "models/speed_history.hpp"
#include "models/tracker_list_model.hpp"
#include "session/session_client.hpp"
#include "widgets/file_priority_delegate.hpp"
#include "widgets/general_tab.hpp"
#include "widgets/hint_tree_view.hpp"
#include "widgets/progress_bar_delegate.hpp"
#include "widgets/speed_graph_widget.hpp"

namespace tessera::gui {
namespace {

HintTreeView* makeListView(QWidget* parent) {
  auto* view = new HintTreeView(parent);
  view->setRootIsDecorated(false);
  view->setUniformRowHeights(true);
  view->setAlternatingRowColors(true);
  view->setSelectionMode(QAbstractItemView::ExtendedSelection);
  view->setSelectionBehavior(QAbstractItemView::SelectRows);
  view->header()->setStretchLastSection(true);
  installColumnChooser(view->header());
  return view;
}

// Column widths from sample text, so nothing is clipped at the default font.
void sizeColumns(QTreeView* view, const std::vector<std::pair<int, QString>>& samples) {
  const QFontMetrics fm = view->fontMetrics();
  for (const auto& [column, sample] : samples) {
    const int header = fm.horizontalAdvance(view->model()->headerData(column, Qt::Horizontal).toString()) + 28;
    view->setColumnWidth(column, std::max(header, fm.horizontalAdvance(sample) + 24));
  }
}

}  // namespace

DetailsPanel::DetailsPanel(SessionClient& session, const SpeedHistory& history, QWidget* parent)
    : QTabWidget(parent), session_(session) {
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

  peers_ = new PeerListModel(this);
  peerProxy_ = new QSortFilterProxyModel(this);
  peerProxy_->setSourceModel(peers_);
  peerProxy_->setSortRole(PeerListModel::SortRole);
  peerProxy_->setDynamicSortFilter(true);
  peerView_ = makeListView(this);
  peerView_->setModel(peerProxy_);
  peerView_->setSortingEnabled(true);
  peerView_->sortByColumn(PeerListModel::AddressColumn, Qt::AscendingOrder);
  peerView_->setItemDelegateForColumn(PeerListModel::ProgressColumn,
                                      new ProgressBarDelegate(PeerListModel::ProgressRole, -1, peerView_));
  sizeColumns(peerView_, {{PeerListModel::AddressColumn, QStringLiteral("255.255.255.255:65535")},
                          {PeerListModel::ClientColumn, QStringLiteral("qBittorrent 4.5.2")},
                          {PeerListModel::FlagsColumn, QStringLiteral("D U O S I F")},
                          {PeerListModel::ProgressColumn, QStringLiteral("100.0% progress")},
                          {PeerListModel::DownRateColumn, QStringLiteral("999.9 KiB/s")},
                          {PeerListModel::UpRateColumn, QStringLiteral("999.9 KiB/s")},
                          {PeerListModel::DownloadedColumn, QStringLiteral("999.9 MiB")},
                          {PeerListModel::UploadedColumn, QStringLiteral("999.9 MiB")}});
  addTab(peerView_, tr("Peers"));

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

void DetailsPanel::updateHints() {
  if (torrent_ == 0) {
    const QString none = tr("Select a torrent to see its details.");
    trackerView_->setEmptyHint(none);
    peerView_->setEmptyHint(none);
    fileView_->setEmptyHint(none);
    return;
  }
  trackerView_->setEmptyHint(tr("This torrent has no trackers: peers come from the ones it was added with."));
  peerView_->setEmptyHint(tr("No peers connected."));
  fileView_->setEmptyHint(filesLoaded_ ? tr("No files.") : tr("Loading the file list…"));
}

void DetailsPanel::setTorrent(TorrentId id) {
  if (id == torrent_) return;
  torrent_ = id;
  filesLoaded_ = false;
  peers_->clear();
  trackers_->clear();
  files_->clear();
  general_->showTorrent(nullptr);
  graph_->setTorrent(id);
  // Only the shown torrent's snapshot carries files and piece availability.
  session_.setDetailTorrents(id != 0 ? std::vector<TorrentId>{id} : std::vector<TorrentId>{});
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
  peers_->setPeers(status->id, status->peers);
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
  settings.setValue(QStringLiteral("ui/peers_header"), peerView_->header()->saveState());
  settings.setValue(QStringLiteral("ui/trackers_header"), trackerView_->header()->saveState());
  settings.setValue(QStringLiteral("ui/files_header"), fileView_->header()->saveState());
}

void DetailsPanel::restoreState(QSettings& settings) {
  setCurrentIndex(settings.value(QStringLiteral("ui/details_tab"), 0).toInt());
  peerView_->header()->restoreState(settings.value(QStringLiteral("ui/peers_header")).toByteArray());
  trackerView_->header()->restoreState(settings.value(QStringLiteral("ui/trackers_header")).toByteArray());
  fileView_->header()->restoreState(settings.value(QStringLiteral("ui/files_header")).toByteArray());
}

}  // namespace tessera::gui
