#include "widgets/peers_tab.hpp"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QVBoxLayout>

#include "models/departed_peer_list_model.hpp"
#include "models/peer_list_model.hpp"
#include "util/engine_words.hpp"
#include "widgets/hint_tree_view.hpp"
#include "widgets/progress_bar_delegate.hpp"

namespace tessera::gui {
namespace {

QSortFilterProxyModel* sortedBy(QAbstractItemModel* source, int sortRole, QObject* parent) {
  auto* proxy = new QSortFilterProxyModel(parent);
  proxy->setSourceModel(source);
  proxy->setSortRole(sortRole);
  proxy->setDynamicSortFilter(true);
  return proxy;
}

}  // namespace

PeersTab::PeersTab(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);

  auto* bar = new QHBoxLayout();
  bar->setContentsMargins(6, 3, 6, 3);
  summary_ = new QLabel(this);
  summary_->setForegroundRole(QPalette::PlaceholderText);
  showDeparted_ = new QCheckBox(tr("Show peers that left"), this);
  showDeparted_->setToolTip(tr("List the peers whose connection ended lately, and why each one left"));
  bar->addWidget(summary_, 1);
  bar->addWidget(showDeparted_);
  layout->addLayout(bar);

  peers_ = new PeerListModel(this);
  peerProxy_ = sortedBy(peers_, PeerListModel::SortRole, this);
  peerView_ = makeListView(this);
  peerView_->setModel(peerProxy_);
  peerView_->setSortingEnabled(true);
  peerView_->sortByColumn(PeerListModel::AddressColumn, Qt::AscendingOrder);
  peerView_->setItemDelegateForColumn(PeerListModel::ProgressColumn,
                                      new ProgressBarDelegate(PeerListModel::ProgressRole, -1, peerView_));
  sizeColumns(peerView_, {{PeerListModel::AddressColumn, QStringLiteral("255.255.255.255:65535")},
                          {PeerListModel::ClientColumn, QStringLiteral("qBittorrent 4.5.2")},
                          {PeerListModel::SourceColumn, QStringLiteral("Magnet link")},
                          {PeerListModel::FlagsColumn, QStringLiteral("D U O S I F")},
                          {PeerListModel::ProgressColumn, QStringLiteral("100.0% progress")},
                          {PeerListModel::DownRateColumn, QStringLiteral("999.9 KiB/s")},
                          {PeerListModel::UpRateColumn, QStringLiteral("999.9 KiB/s")},
                          {PeerListModel::DownloadedColumn, QStringLiteral("999.9 MiB")},
                          {PeerListModel::UploadedColumn, QStringLiteral("999.9 MiB")}});

  // The departures: their own table with their own columns, under a heading, greyed by the model.
  departed_ = new DepartedPeerListModel(this);
  departedProxy_ = sortedBy(departed_, DepartedPeerListModel::SortRole, this);
  departedPane_ = new QWidget(this);
  auto* pane = new QVBoxLayout(departedPane_);
  pane->setContentsMargins(0, 0, 0, 0);
  pane->setSpacing(2);
  auto* heading = new QLabel(tr("Peers that left, newest first"), departedPane_);
  QFont bold = heading->font();
  bold.setBold(true);
  heading->setFont(bold);
  heading->setContentsMargins(6, 4, 6, 0);
  departedView_ = makeListView(departedPane_);
  departedView_->setModel(departedProxy_);
  departedView_->setSortingEnabled(true);
  departedView_->sortByColumn(DepartedPeerListModel::LeftColumn, Qt::AscendingOrder);
  sizeColumns(departedView_, {{DepartedPeerListModel::AddressColumn, QStringLiteral("255.255.255.255:65535")},
                              {DepartedPeerListModel::ClientColumn, QStringLiteral("qBittorrent 4.5.2")},
                              {DepartedPeerListModel::SourceColumn, QStringLiteral("Magnet link")},
                              {DepartedPeerListModel::ReasonColumn, QStringLiteral("Dropped for a better peer")},
                              {DepartedPeerListModel::DownloadedColumn, QStringLiteral("999.9 MiB")},
                              {DepartedPeerListModel::UploadedColumn, QStringLiteral("999.9 MiB")},
                              {DepartedPeerListModel::LeftColumn, QStringLiteral("59 min ago")}});
  pane->addWidget(heading);
  pane->addWidget(departedView_);

  split_ = new QSplitter(Qt::Vertical, this);
  split_->addWidget(peerView_);
  split_->addWidget(departedPane_);
  split_->setChildrenCollapsible(false);
  split_->setStretchFactor(0, 3);
  split_->setStretchFactor(1, 2);
  layout->addWidget(split_, 1);
  departedPane_->setVisible(false);
  connect(showDeparted_, &QCheckBox::toggled, departedPane_, &QWidget::setVisible);
  setEmptyHints(false);
}

void PeersTab::setEmptyHints(bool torrentShown) {
  if (!torrentShown) {
    const QString none = tr("Select a torrent to see its details.");
    peerView_->setEmptyHint(none);
    departedView_->setEmptyHint(none);
    return;
  }
  peerView_->setEmptyHint(tr("No peers connected."));
  departedView_->setEmptyHint(tr("No peer has left yet."));
}

void PeersTab::showTorrent(const TorrentStatus* status) {
  if (status == nullptr) {
    peers_->clear();
    departed_->clear();
    summary_->clear();
    return;
  }
  peers_->setPeers(status->id, status->peers);
  departed_->setPeers(status->id, status->departed_peers);
  const QString summary = summaryOf(*status);
  if (summary_->text() != summary) summary_->setText(summary);
}

QString PeersTab::summaryText() const { return summary_->text(); }

QString PeersTab::summaryOf(const TorrentStatus& s) {
  QStringList sources;
  for (std::size_t i = 0; i < kPeerSourceCount; ++i) {
    const int n = s.peers_known_by_source[i];
    if (n > 0) sources << QStringLiteral("%1 %2").arg(peerSourceText(static_cast<PeerSource>(i))).arg(n);
  }
  QString text = s.peers_known == 1 ? tr("1 peer known") : tr("%1 peers known").arg(s.peers_known);
  if (!sources.isEmpty()) text += QStringLiteral(" (%1)").arg(sources.join(QStringLiteral(", ")));
  text += tr(" · %1 connected").arg(s.peers_connected);
  if (s.connect_failures > 0) {
    text += s.connect_failures == 1 ? tr(" · 1 connection attempt failed")
                                    : tr(" · %1 connection attempts failed in a row").arg(s.connect_failures);
  }
  return text;
}

void PeersTab::saveState(QSettings& settings) const {
  // A new key: the Source column changed the table, and the old layout would not fit it.
  settings.setValue(QStringLiteral("ui/peers_header2"), peerView_->header()->saveState());
  settings.setValue(QStringLiteral("ui/departed_header"), departedView_->header()->saveState());
  settings.setValue(QStringLiteral("ui/peers_split"), split_->saveState());
  settings.setValue(QStringLiteral("ui/show_departed_peers"), showDeparted_->isChecked());
}

void PeersTab::restoreState(QSettings& settings) {
  peerView_->header()->restoreState(settings.value(QStringLiteral("ui/peers_header2")).toByteArray());
  departedView_->header()->restoreState(settings.value(QStringLiteral("ui/departed_header")).toByteArray());
  split_->restoreState(settings.value(QStringLiteral("ui/peers_split")).toByteArray());
  showDeparted_->setChecked(settings.value(QStringLiteral("ui/show_departed_peers"), false).toBool());
}

}  // namespace tessera::gui
