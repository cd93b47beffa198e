// The Peers and Trackers tabs' models against scripted peer lists: keyed by address, updated cell
// by cell, rows removed as peers leave, everything replaced when another torrent is shown; where
// each peer came from; and the peers that left, with why, shown apart from the connected ones.
#include <QApplication>
#include <QCheckBox>
#include <QFont>
#include <QPalette>
#include <QSignalSpy>
#include <QSortFilterProxyModel>

#include "gui_test_support.hpp"
#include "models/departed_peer_list_model.hpp"
#include "models/peer_list_model.hpp"
#include "models/tracker_list_model.hpp"
#include "widgets/hint_tree_view.hpp"
#include "widgets/peers_tab.hpp"

namespace {

tessera::DepartedPeer departed(const std::string& address, tessera::DepartureReason reason, const std::string& detail,
                               std::int64_t secondsAgo, std::int64_t down = 0, std::int64_t up = 0) {
  tessera::DepartedPeer d;
  d.address = address;
  d.client = "Transmission 3.00";
  d.reason = reason;
  d.detail = detail;
  d.seconds_ago = secondsAgo;
  d.downloaded = down;
  d.uploaded = up;
  return d;
}

}  // namespace

using namespace tessera;
using namespace tessera::gui;
using namespace tessera::gui::test;

class PeerListModelTest : public QObject {
  Q_OBJECT

 private slots:
  void followsPeersByAddress() {
    PeerListModel model;
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.setPeers(7, {peer("127.0.0.2:6881", 1000), peer("127.0.0.3:6881", 2000), peer("127.0.0.4:6881")});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(inserted.count(), 1);
    // One peer's upload rate changes, one leaves, one arrives.
    model.setPeers(7, {peer("127.0.0.2:6881", 1000), peer("127.0.0.4:6881", 0, 4096), peer("127.0.0.5:6881")});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed.at(0).at(1).toInt(), 1);
    QCOMPARE(changed.count(), 1);
    const auto tl = changed.at(0).at(0).value<QModelIndex>();
    QCOMPARE(tl.row(), 1);
    QCOMPARE(tl.column(), static_cast<int>(PeerListModel::UpRateColumn));
    QCOMPARE(model.index(1, PeerListModel::UpRateColumn).data().toString(), QStringLiteral("4.00 KiB/s"));
    QCOMPARE(model.index(2, PeerListModel::AddressColumn).data().toString(), QStringLiteral("127.0.0.5:6881"));
    QCOMPARE(inserted.count(), 2);
    // Another torrent: its peers replace these (as removals and insertions, never a reset).
    model.setPeers(8, {peer("10.0.0.1:1")});
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(reset.count(), 0);
  }

  void flagsAndChokeReason() {
    PeerInfo p = peer("127.0.0.9:1");
    p.am_interested = true;
    p.peer_choking = false;
    p.peer_interested = true;
    p.am_choking = false;
    p.incoming = true;
    p.fast_extension = true;
    p.choke_reason = "optimistic";
    QCOMPARE(PeerListModel::flagsOf(p), QStringLiteral("DUOIF"));
    p.peer_choking = true;
    p.am_choking = true;
    p.snubbed = true;
    p.choke_reason = "snubbed";
    QCOMPARE(PeerListModel::flagsOf(p), QStringLiteral("duSIF"));
    PeerListModel model;
    p.choke_reason = "rate rank 2";
    model.setPeers(1, {p});
    QCOMPARE(model.index(0, PeerListModel::ChokeReasonColumn).data().toString(), QStringLiteral("rate rank 2"));
    QVERIFY(model.index(0, PeerListModel::FlagsColumn).data(Qt::ToolTipRole).toString().contains(QStringLiteral("snubbed")));
  }

  void sourceOfEachPeer() {
    PeerInfo a = peer("127.0.0.2:1");
    a.source = PeerSource::pex;
    PeerInfo b = peer("127.0.0.3:1");
    b.source = PeerSource::incoming;
    PeerListModel model;
    model.setPeers(1, {a, b});
    QCOMPARE(model.headerData(PeerListModel::SourceColumn, Qt::Horizontal, Qt::DisplayRole).toString(),
             QStringLiteral("Source"));
    QCOMPARE(model.index(0, PeerListModel::SourceColumn).data().toString(), QStringLiteral("PEX"));
    QCOMPARE(model.index(1, PeerListModel::SourceColumn).data().toString(), QStringLiteral("Incoming"));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    a.source = PeerSource::dht;
    model.setPeers(1, {a, b});
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>().column(), static_cast<int>(PeerListModel::SourceColumn));
    QCOMPARE(model.index(0, PeerListModel::SourceColumn).data().toString(), QStringLiteral("DHT"));
  }

  void departedPeersWithWhyAndWhen() {
    DepartedPeerListModel model;
    QSortFilterProxyModel newestFirst;
    newestFirst.setSourceModel(&model);
    newestFirst.setSortRole(DepartedPeerListModel::SortRole);
    newestFirst.sort(DepartedPeerListModel::LeftColumn, Qt::AscendingOrder);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    // Newest first, as the engine sends them.
    std::vector<DepartedPeer> gone = {
        departed("127.0.0.7:6881", DepartureReason::timed_out, "no message for 120 s", 12, 0, 4096),
        departed("127.0.0.5:6881", DepartureReason::corrupt_data, "3 pieces failed the hash check", 200,
                 std::int64_t{3} << 20)};
    gone[1].source = PeerSource::tracker;
    model.setPeers(1, gone);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(newestFirst.index(0, DepartedPeerListModel::AddressColumn).data().toString(),
             QStringLiteral("127.0.0.7:6881"));
    QCOMPARE(newestFirst.index(0, DepartedPeerListModel::ReasonColumn).data().toString(), QStringLiteral("Timed out"));
    QCOMPARE(newestFirst.index(0, DepartedPeerListModel::LeftColumn).data().toString(), QStringLiteral("12 s ago"));
    QCOMPARE(newestFirst.index(0, DepartedPeerListModel::UploadedColumn).data().toString(), QStringLiteral("4.00 KiB"));
    QCOMPARE(newestFirst.index(0, DepartedPeerListModel::DownloadedColumn).data().toString(), QString());
    QCOMPARE(newestFirst.index(1, DepartedPeerListModel::ReasonColumn).data().toString(),
             QStringLiteral("Sent corrupt data (banned)"));
    QCOMPARE(newestFirst.index(1, DepartedPeerListModel::DownloadedColumn).data().toString(), QStringLiteral("3.00 MiB"));
    QCOMPARE(newestFirst.index(1, DepartedPeerListModel::LeftColumn).data().toString(), QStringLiteral("3 min ago"));
    QCOMPARE(newestFirst.index(1, DepartedPeerListModel::SourceColumn).data().toString(), QStringLiteral("Tracker"));
    QCOMPARE(newestFirst.index(1, DepartedPeerListModel::DetailColumn).data().toString(),
             QStringLiteral("3 pieces failed the hash check"));
    QVERIFY(newestFirst.index(1, DepartedPeerListModel::ReasonColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("3 pieces failed the hash check")));
    // Greyed and italic: history, not connections.
    const QModelIndex any = model.index(0, DepartedPeerListModel::AddressColumn);
    const QColor muted = any.data(Qt::ForegroundRole).value<QColor>();
    QVERIFY(muted.isValid());
    QVERIFY(muted != QApplication::palette().color(QPalette::Text));
    QVERIFY(any.data(Qt::FontRole).value<QFont>().italic());

    // A second later the same departures are the same rows, only older; then the same peer leaves
    // again for the same reason, and both departures show.
    QCOMPARE(inserted.count(), 1);
    for (DepartedPeer& d : gone) d.seconds_ago += 50;
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setPeers(1, gone);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(removed.count(), 0);
    // Only the "Left" cells (62 s: "1 min ago"; 250 s: "4 min ago"), of both rows: one rectangle.
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>(), model.index(0, DepartedPeerListModel::LeftColumn));
    QCOMPARE(changed.at(0).at(1).value<QModelIndex>(), model.index(1, DepartedPeerListModel::LeftColumn));
    gone.insert(gone.begin(), departed("127.0.0.7:6881", DepartureReason::timed_out, "no message for 120 s", 1, 0, 4096));
    model.setPeers(1, gone);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(inserted.count(), 2);
    QCOMPARE(removed.count(), 0);
    QCOMPARE(newestFirst.index(0, DepartedPeerListModel::LeftColumn).data().toString(), QStringLiteral("just now"));
    // A detail that only says the reason again is not repeated.
    model.setPeers(3, {departed("127.0.0.8:1", DepartureReason::not_useful, "both seeding", 3)});
    QCOMPARE(model.index(0, DepartedPeerListModel::ReasonColumn).data().toString(), QStringLiteral("Both seeding"));
    QCOMPARE(model.index(0, DepartedPeerListModel::DetailColumn).data().toString(), QString());
    // Another torrent: its departures replace these.
    model.setPeers(2, {});
    QCOMPARE(model.rowCount(), 0);
  }

  void peersTabSummaryAndToggle() {
    PeersTab tab;
    tab.show();
    TorrentStatus t = torrent(3, "busy");
    t.peers = {peer("127.0.0.2:1"), peer("127.0.0.3:1")};
    t.peers_connected = 2;
    t.peers_known = 12;
    t.peers_known_by_source[static_cast<std::size_t>(PeerSource::tracker)] = 10;
    t.peers_known_by_source[static_cast<std::size_t>(PeerSource::pex)] = 2;
    t.connect_failures = 3;
    t.departed_peers = {departed("127.0.0.9:1", DepartureReason::closed_by_peer, "connection reset", 4)};
    tab.showTorrent(&t);
    QCOMPARE(tab.summaryText(),
             QStringLiteral("12 peers known (Tracker 10, PEX 2) · 2 connected · 3 connection attempts failed in a row"));
    QCOMPARE(tab.peerModel().rowCount(), 2);
    QCOMPARE(tab.departedModel().rowCount(), 1);
    // The departures are listed only when asked for, below the connected peers.
    QVERIFY(!tab.departedView().isVisible());
    tab.showDepartedBox().setChecked(true);
    QVERIFY(tab.departedView().isVisible());
    QVERIFY(tab.departedView().mapTo(&tab, QPoint(0, 0)).y() > tab.peerView().mapTo(&tab, QPoint(0, 0)).y());
    // For a look at it: build/.../tests/gui/peers-tab.png
    tab.resize(900, 400);
    QCoreApplication::processEvents();
    tab.grab().save(QStringLiteral("peers-tab.png"));
    tab.showDepartedBox().setChecked(false);
    QVERIFY(!tab.departedView().isVisible());
    tab.showTorrent(nullptr);
    QCOMPARE(tab.departedModel().rowCount(), 0);
    QVERIFY(tab.summaryText().isEmpty());
  }

  void sortsAddressesAsNumbers() {
    PeerListModel model;
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(PeerListModel::SortRole);
    proxy.sort(PeerListModel::AddressColumn);
    model.setPeers(1, {peer("127.0.0.10:5"), peer("127.0.0.9:5"), peer("127.0.0.9:10")});
    QCOMPARE(proxy.index(0, 0).data().toString(), QStringLiteral("127.0.0.9:5"));
    QCOMPARE(proxy.index(1, 0).data().toString(), QStringLiteral("127.0.0.9:10"));
    QCOMPARE(proxy.index(2, 0).data().toString(), QStringLiteral("127.0.0.10:5"));
  }

  void trackersByTierAndUrl() {
    TrackerListModel model;
    TrackerInfo a;
    a.url = "http://tracker.example/announce";
    a.state = "working";
    a.seeders = 12;
    a.leechers = 3;
    a.next_announce_in_s = 252;
    TrackerInfo b;
    b.url = "udp://other.example:6969";
    b.tier = 1;
    b.state = "error";
    b.message = "timed out";
    model.setTrackers(1, {a, b});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, TrackerListModel::StatusColumn).data().toString(), QStringLiteral("Working"));
    QCOMPARE(model.index(0, TrackerListModel::NextAnnounceColumn).data().toString(), QStringLiteral("4m 12s"));
    QCOMPARE(model.index(1, TrackerListModel::TierColumn).data().toString(), QStringLiteral("2"));
    QCOMPARE(model.index(1, TrackerListModel::MessageColumn).data().toString(), QStringLiteral("timed out"));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    a.seeders = 13;
    model.setTrackers(1, {a, b});
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>().column(), static_cast<int>(TrackerListModel::SeedsColumn));
  }
};

TESSERA_GUI_TEST_MAIN(PeerListModelTest)
#include "peer_list_model_test.moc"
