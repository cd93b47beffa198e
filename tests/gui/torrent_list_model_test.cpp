// The torrent table's model and proxy against scripted snapshots: rows inserted, updated cell by
// cell and removed (never a reset), sorting and filtering through the proxy, sidebar counts.
#include <QItemSelectionModel>
#include <QSignalSpy>

#include "gui_test_support.hpp"
#include "models/torrent_filter_proxy.hpp"
#include "models/torrent_list_model.hpp"
#include "util/format.hpp"

using namespace tessera;
using namespace tessera::gui;
using namespace tessera::gui::test;

namespace {

SessionSnapshot snapshotOf(std::vector<TorrentStatus> torrents) {
  SessionSnapshot s;
  s.torrents = std::move(torrents);
  return s;
}

QString cell(const QAbstractItemModel& m, int row, int column) { return m.index(row, column).data().toString(); }

}  // namespace

class TorrentListModelTest : public QObject {
  Q_OBJECT

 private slots:
  void insertsNewTorrentsAsRows() {
    TorrentListModel model;
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.applySnapshot(snapshotOf({torrent(1, "alpha"), torrent(2, "beta"), torrent(3, "gamma")}));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 2);
    model.applySnapshot(snapshotOf({torrent(1, "alpha"), torrent(2, "beta"), torrent(3, "gamma"), torrent(4, "delta")}));
    QCOMPARE(inserted.count(), 2);
    QCOMPARE(inserted.at(1).at(1).toInt(), 3);
    QCOMPARE(cell(model, 3, TorrentListModel::NameColumn), QStringLiteral("delta"));
    QCOMPARE(reset.count(), 0);
  }

  void dataChangedNamesOnlyChangedCells() {
    TorrentListModel model;
    model.applySnapshot(snapshotOf({torrent(1, "a", TorrentState::downloading, 0.5, 1000),
                                    torrent(2, "b", TorrentState::downloading, 0.5, 2000),
                                    torrent(3, "c", TorrentState::downloading, 0.5, 3000)}));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    // The same state again: nothing to repaint.
    model.applySnapshot(snapshotOf({torrent(1, "a", TorrentState::downloading, 0.5, 1000),
                                    torrent(2, "b", TorrentState::downloading, 0.5, 2000),
                                    torrent(3, "c", TorrentState::downloading, 0.5, 3000)}));
    QCOMPARE(changed.count(), 0);
    // Only b's download rate moves.
    model.applySnapshot(snapshotOf({torrent(1, "a", TorrentState::downloading, 0.5, 1000),
                                    torrent(2, "b", TorrentState::downloading, 0.5, 5000),
                                    torrent(3, "c", TorrentState::downloading, 0.5, 3000)}));
    QCOMPARE(changed.count(), 1);
    const auto topLeft = changed.at(0).at(0).value<QModelIndex>();
    const auto bottomRight = changed.at(0).at(1).value<QModelIndex>();
    QCOMPARE(topLeft.row(), 1);
    QCOMPARE(bottomRight.row(), 1);
    QCOMPARE(topLeft.column(), static_cast<int>(TorrentListModel::DownRateColumn));
    QCOMPARE(bottomRight.column(), static_cast<int>(TorrentListModel::DownRateColumn));
    QCOMPARE(cell(model, 1, TorrentListModel::DownRateColumn), QStringLiteral("4.88 KiB/s"));
    // a and c change the same columns: one rectangle each run of neighbours; b untouched between.
    changed.clear();
    model.applySnapshot(snapshotOf({torrent(1, "a", TorrentState::downloading, 0.6, 1000),
                                    torrent(2, "b", TorrentState::downloading, 0.5, 5000),
                                    torrent(3, "c", TorrentState::downloading, 0.7, 3000)}));
    QCOMPARE(changed.count(), 2);
    for (const auto& args : changed) {
      const auto tl = args.at(0).value<QModelIndex>();
      const auto br = args.at(1).value<QModelIndex>();
      QVERIFY(tl.row() == br.row() && tl.row() != 1);
      QCOMPARE(tl.column(), static_cast<int>(TorrentListModel::ProgressColumn));
      QVERIFY(br.column() <= static_cast<int>(TorrentListModel::RatioColumn));
    }
  }

  void removesVanishedTorrentsWithoutReset() {
    TorrentListModel model;
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    model.applySnapshot(snapshotOf({torrent(1, "a"), torrent(2, "b"), torrent(3, "c"), torrent(4, "d")}));
    model.applySnapshot(snapshotOf({torrent(1, "a"), torrent(4, "d")}));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(removed.count(), 1);  // b and c are neighbours: one removal
    QCOMPARE(removed.at(0).at(1).toInt(), 1);
    QCOMPARE(removed.at(0).at(2).toInt(), 2);
    QCOMPARE(model.rowOf(4), 1);
    QCOMPARE(model.find(4)->name, QStringLiteral("d"));
    model.applySnapshot(snapshotOf({}));
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(reset.count(), 0);
  }

  void shownValuesAreReadable() {
    TorrentListModel model;
    TorrentStatus t = torrent(1, "iso", TorrentState::downloading, 0.4567, 1'258'291, 300 * 1024);
    t.total_size = t.wanted_size = std::int64_t{3} << 29;  // 1.5 GiB
    t.seeds_connected = 3;
    t.swarm_seeds = 41;
    t.leechers_connected = 2;
    t.eta_s = 252;
    t.downloaded = 1000;
    t.uploaded = 1500;
    model.applySnapshot(snapshotOf({t}));
    QCOMPARE(cell(model, 0, TorrentListModel::SizeColumn), QStringLiteral("1.50 GiB"));
    QCOMPARE(cell(model, 0, TorrentListModel::ProgressColumn), QStringLiteral("45.6%"));
    QCOMPARE(cell(model, 0, TorrentListModel::SeedsColumn), QStringLiteral("3 (41)"));
    QCOMPARE(cell(model, 0, TorrentListModel::PeersColumn), QStringLiteral("2"));
    QCOMPARE(cell(model, 0, TorrentListModel::DownRateColumn), QStringLiteral("1.19 MiB/s"));
    QCOMPARE(cell(model, 0, TorrentListModel::UpRateColumn), QStringLiteral("300 KiB/s"));
    QCOMPARE(cell(model, 0, TorrentListModel::EtaColumn), QStringLiteral("4m 12s"));
    QCOMPARE(cell(model, 0, TorrentListModel::RatioColumn), QStringLiteral("1.50"));
    QCOMPARE(cell(model, 0, TorrentListModel::StatusColumn), QStringLiteral("Downloading"));
    t.state = TorrentState::error;
    t.error = "disk full";
    model.applySnapshot(snapshotOf({t}));
    QCOMPARE(cell(model, 0, TorrentListModel::StatusColumn), QStringLiteral("Error: disk full"));
    QCOMPARE(cell(model, 0, TorrentListModel::EtaColumn), QString());
  }

  // The status column may say "Stalled"; its tooltip says why, in words, with the engine's numbers.
  void statusTooltipExplainsAStall() {
    TorrentListModel model;
    TorrentStatus t = torrent(1, "quiet");
    model.applySnapshot(snapshotOf({t}));
    const QModelIndex status = model.index(0, TorrentListModel::StatusColumn);
    QCOMPARE(status.data().toString(), QStringLiteral("Stalled"));
    QVERIFY(status.data(Qt::ToolTipRole).isNull());  // no reason known (say, still connecting)
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    t.stall = StallReason::no_peers_known;
    t.stall_detail = "2 of 2 trackers failing: http://a.example/announce: timed out; udp://b.example:80: refused";
    model.applySnapshot(snapshotOf({t}));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>().column(), static_cast<int>(TorrentListModel::StatusColumn));
    QCOMPARE(TorrentListModel::statusToolTip(*model.find(1)),
             QStringLiteral("Not moving: no peers known. 2 of 2 trackers failing: http://a.example/announce: timed "
                            "out; udp://b.example:80: refused."));
    // Long, so in lines.
    QCOMPARE(status.data(Qt::ToolTipRole).toString(), wrappedToolTip(TorrentListModel::statusToolTip(*model.find(1))));
    QVERIFY(status.data(Qt::ToolTipRole).toString().contains(QLatin1Char('\n')));
    // The same reason again: nothing to repaint.
    model.applySnapshot(snapshotOf({t}));
    QCOMPARE(changed.count(), 1);
    // Every reason has words; the cap is "held back", not "not moving".
    for (StallReason r : {StallReason::checking, StallReason::disk_error, StallReason::peers_unreachable,
                          StallReason::all_choking, StallReason::nobody_has_wanted}) {
      t.stall = r;
      model.applySnapshot(snapshotOf({t}));
      const QString tip = TorrentListModel::statusToolTip(*model.find(1));
      QVERIFY2(tip.startsWith(QStringLiteral("Not moving: ")), qPrintable(tip));
    }
    t.stall = StallReason::download_cap;
    t.stall_detail = "this torrent's cap of 100 KiB/s";
    t.down_rate = 100 * 1024;
    model.applySnapshot(snapshotOf({t}));
    QCOMPARE(status.data().toString(), QStringLiteral("Downloading"));
    // Short: plain text.
    QCOMPARE(status.data(Qt::ToolTipRole).toString(),
             QStringLiteral("Held back by a download cap. This torrent's cap of 100 KiB/s."));
    // Moving freely: no tooltip.
    t.stall = StallReason::none;
    t.stall_detail.clear();
    model.applySnapshot(snapshotOf({t}));
    QVERIFY(status.data(Qt::ToolTipRole).isNull());
  }

  void stoppedAtRatioSaysSo() {
    TorrentListModel model;
    TorrentStatus t = torrent(1, "shared", TorrentState::paused, 1.0);
    model.applySnapshot(snapshotOf({t}));
    const QModelIndex status = model.index(0, TorrentListModel::StatusColumn);
    QCOMPARE(status.data().toString(), QStringLiteral("Completed"));
    t.stopped_at_ratio = true;
    t.ratio_limit = 2.0;
    model.applySnapshot(snapshotOf({t}));
    QCOMPARE(status.data().toString(), QStringLiteral("Stopped at ratio"));
    QVERIFY(status.data(Qt::ToolTipRole).toString().contains(QStringLiteral("limit of 2.00")));
  }

  void proxySortsAndKeepsSelectionAcrossUpdates() {
    TorrentListModel model;
    TorrentFilterProxy proxy;
    proxy.setSourceModel(&model);
    proxy.sort(TorrentListModel::DownRateColumn, Qt::DescendingOrder);
    model.applySnapshot(snapshotOf({torrent(1, "a", TorrentState::downloading, 0.5, 100),
                                    torrent(2, "b", TorrentState::downloading, 0.5, 300),
                                    torrent(3, "c", TorrentState::downloading, 0.5, 200)}));
    auto order = [&] {
      QStringList names;
      for (int r = 0; r < proxy.rowCount(); ++r) names << proxy.index(r, 0).data().toString();
      return names.join(QLatin1Char(','));
    };
    QCOMPARE(order(), QStringLiteral("b,c,a"));
    QItemSelectionModel selection(&proxy);
    selection.setCurrentIndex(proxy.index(2, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QCOMPARE(selection.currentIndex().data().toString(), QStringLiteral("a"));
    // a becomes the fastest: it moves to the top and stays selected.
    model.applySnapshot(snapshotOf({torrent(1, "a", TorrentState::downloading, 0.5, 900),
                                    torrent(2, "b", TorrentState::downloading, 0.5, 300),
                                    torrent(3, "c", TorrentState::downloading, 0.5, 200)}));
    QCOMPARE(order(), QStringLiteral("a,b,c"));
    QCOMPARE(selection.currentIndex().data().toString(), QStringLiteral("a"));
    QCOMPARE(selection.selectedRows().size(), 1);
    QCOMPARE(selection.selectedRows().front().data().toString(), QStringLiteral("a"));
    // Numbers sort as numbers, names in natural order.
    proxy.sort(TorrentListModel::NameColumn, Qt::AscendingOrder);
    model.applySnapshot(snapshotOf({torrent(1, "part 10"), torrent(2, "part 9"), torrent(3, "Part 1")}));
    QCOMPARE(order(), QStringLiteral("Part 1,part 9,part 10"));
  }

  void sidebarCountsAndFilters() {
    TorrentListModel model;
    TorrentFilterProxy proxy;
    proxy.setSourceModel(&model);
    QSignalSpy counts(&model, &TorrentListModel::countsChanged);
    model.applySnapshot(snapshotOf({torrent(1, "down one"), torrent(2, "down two", TorrentState::downloading, 0.1),
                                    torrent(3, "seed", TorrentState::seeding, 1.0),
                                    torrent(4, "paused done", TorrentState::paused, 1.0),
                                    torrent(5, "paused half", TorrentState::paused, 0.5),
                                    torrent(6, "broken", TorrentState::error, 0.3)}));
    QCOMPARE(counts.count(), 1);
    QCOMPARE(model.countFor(StatusFilter::all), 6);
    QCOMPARE(model.countFor(StatusFilter::downloading), 2);
    QCOMPARE(model.countFor(StatusFilter::seeding), 1);
    QCOMPARE(model.countFor(StatusFilter::completed), 2);
    QCOMPARE(model.countFor(StatusFilter::paused), 2);
    QCOMPARE(model.countFor(StatusFilter::errored), 1);
    proxy.setStatusFilter(StatusFilter::paused);
    QCOMPARE(proxy.rowCount(), 2);
    proxy.setNameFilter(QStringLiteral("DONE"));
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(proxy.index(0, 0).data().toString(), QStringLiteral("paused done"));
    proxy.setNameFilter({});
    // A torrent changing state moves between categories on the next snapshot.
    model.applySnapshot(snapshotOf({torrent(1, "down one"), torrent(2, "down two", TorrentState::downloading, 0.1),
                                    torrent(3, "seed", TorrentState::seeding, 1.0),
                                    torrent(4, "paused done", TorrentState::seeding, 1.0),
                                    torrent(5, "paused half", TorrentState::paused, 0.5),
                                    torrent(6, "broken", TorrentState::error, 0.3)}));
    QCOMPARE(counts.count(), 2);
    QCOMPARE(model.countFor(StatusFilter::paused), 1);
    QCOMPARE(model.countFor(StatusFilter::seeding), 2);
    QCOMPARE(proxy.rowCount(), 1);
    // Unchanged counts: no signal.
    model.applySnapshot(*std::make_shared<SessionSnapshot>(snapshotOf(
        {torrent(1, "down one", TorrentState::downloading, 0.55), torrent(2, "down two", TorrentState::downloading, 0.1),
         torrent(3, "seed", TorrentState::seeding, 1.0), torrent(4, "paused done", TorrentState::seeding, 1.0),
         torrent(5, "paused half", TorrentState::paused, 0.5), torrent(6, "broken", TorrentState::error, 0.3)})));
    QCOMPARE(counts.count(), 2);
  }
};

TESSERA_GUI_TEST_MAIN(TorrentListModelTest)
#include "torrent_list_model_test.moc"
