// The Peers and Trackers tabs' models against scripted peer lists: keyed by address, updated cell
// by cell, rows removed as peers leave, everything replaced when another torrent is shown.
#include <QSignalSpy>
#include <QSortFilterProxyModel>

#include "gui_test_support.hpp"
#include "models/peer_list_model.hpp"
#include "models/tracker_list_model.hpp"

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
