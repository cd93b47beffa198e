// The small pure pieces: number formatting, the rate history, the graph's axis,
// and the bridge that carries snapshots and events onto the GUI thread.
#include <QSignalSpy>

#include <thread>

#include "gui_test_support.hpp"
#include "models/speed_history.hpp"
#include "session/session_bridge.hpp"
#include "util/format.hpp"
#include "widgets/speed_graph_widget.hpp"

using namespace tessera;
using namespace tessera::gui;
using namespace tessera::gui::test;

class AppLogicTest : public QObject {
  Q_OBJECT

 private slots:
  void formatting() {
    QCOMPARE(formatSize(0), QStringLiteral("0 B"));
    QCOMPARE(formatSize(1023), QStringLiteral("1023 B"));
    QCOMPARE(formatSize(1536), QStringLiteral("1.50 KiB"));
    QCOMPARE(formatSize(1048575), QStringLiteral("1023 KiB"));  // never "1024 KiB"
    QCOMPARE(formatSize(std::int64_t{12} << 20), QStringLiteral("12.0 MiB"));
    QCOMPARE(formatSize((std::int64_t{1} << 30) * 121 / 100), QStringLiteral("1.20 GiB"));
    QCOMPARE(formatRate(2048), QStringLiteral("2.00 KiB/s"));
    QCOMPARE(formatRateOrBlank(0), QString());
    QCOMPARE(formatCap(0), QStringLiteral("unlimited"));
    QCOMPARE(formatEta(252), QStringLiteral("4m 12s"));
    QCOMPARE(formatEta(42), QStringLiteral("42s"));
    QCOMPARE(formatEta(3 * 3600 + 5 * 60 + 9), QStringLiteral("3h 05m"));
    QCOMPARE(formatEta(2 * 86400 + 4 * 3600), QStringLiteral("2d 4h"));
    QCOMPARE(formatEta(std::nullopt), QStringLiteral("∞"));
    QCOMPARE(formatPercent(0.9999), QStringLiteral("99.9%"));
    QCOMPARE(formatPercent(1.0), QStringLiteral("100%"));
    QCOMPARE(formatRatio(shareRatio(150, 100, 0)), QStringLiteral("1.50"));
    QCOMPARE(formatRatio(shareRatio(50, 0, 100)), QStringLiteral("0.50"));  // seeded from disk
    QCOMPARE(formatRatio(shareRatio(50, 0, 0)), QStringLiteral("∞"));
    QCOMPARE(wrappedToolTip(QStringLiteral("short one")), QStringLiteral("short one"));
    const QString longText = QStringLiteral("word ").repeated(40).trimmed();
    const QStringList lines = wrappedToolTip(longText).split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 3);  // 199 characters in lines of at most 72
    for (const QString& line : lines) QVERIFY(line.size() <= 72 && !line.startsWith(QLatin1Char(' ')));
    QCOMPARE(lines.join(QLatin1Char(' ')), longText);
  }

  void historyKeepsAWindowPerTorrent() {
    SpeedHistory history;
    SessionSnapshot s;
    s.torrents.push_back(torrent(1, "a", TorrentState::downloading, 0.5, 100));
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 700; ++i) {
      s.taken_at = start + std::chrono::milliseconds(500 * i);
      s.down_rate = i;
      history.add(s);
    }
    // One sample a second, five minutes (plus one reaching past the left edge).
    QVERIFY(history.session().size() <= 302);
    QVERIFY(history.session().size() >= 299);
    QVERIFY(history.torrent(1) != nullptr);
    s.torrents.clear();
    s.taken_at = start + std::chrono::seconds(400);
    history.add(s);
    QVERIFY(history.torrent(1) == nullptr);  // removed torrents are forgotten
  }

  void graphAxisIsRound() {
    QCOMPARE(niceAxisMaximum(300 * 1024), std::int64_t{4 * 100 * 1024});
    QCOMPARE(niceAxisMaximum((std::int64_t{11} << 20) / 10), std::int64_t{2} << 20);  // 1.1 MiB/s -> 2 MiB/s
    QCOMPARE(niceAxisMaximum(10 * 1024), std::int64_t{10 * 1024});  // quarters of 2.5 KiB/s
  }

  void bridgeCoalescesWakeUps() {
    FakeSessionClient session;
    SessionBridge bridge(session);
    QSignalSpy snapshots(&bridge, &SessionBridge::snapshotChanged);
    QSignalSpy events(&bridge, &SessionBridge::eventReceived);
    // Many publishes from another thread before the GUI thread gets to them: one update.
    std::thread engine([&] {
      for (int i = 0; i < 50; ++i) {
        SessionSnapshot s;
        s.down_rate = i;
        session.publish(s);
      }
    });
    engine.join();
    session.events.push_back(SessionEvent{SessionEvent::Kind::finished, 3, "done", {}});
    QTRY_COMPARE(snapshots.count(), 1);
    QCOMPARE(bridge.latest()->down_rate, 49);
    QCOMPARE(events.count(), 1);
    QCoreApplication::processEvents();
    QCOMPARE(snapshots.count(), 1);
  }
};

TESSERA_GUI_TEST_MAIN(AppLogicTest)
#include "app_logic_test.moc"
