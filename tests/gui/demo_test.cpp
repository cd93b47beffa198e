// Demo mode end to end with a real session: the swarm starts, its torrent is added and selected,
// peers show up in the Peers tab, and the download reaches 100%. And the demo on one profile run
// after run: each starts afresh, and none leaves its torrent in the state folder.
#include <QSignalSpy>

#include "app/app_controller.hpp"
#include "app/demo_controller.hpp"
#include "app/main_window.hpp"
#include "gui_test_support.hpp"
#include "models/peer_list_model.hpp"
#include "models/torrent_list_model.hpp"
#include "widgets/details_panel.hpp"

using namespace tessera;
using namespace tessera::gui;
using namespace tessera::gui::test;

namespace {

std::vector<const TorrentStatus*> torrentsIn(AppController& app) {
  static std::shared_ptr<const SessionSnapshot> keep;
  keep = app.session()->snapshot();
  std::vector<const TorrentStatus*> all;
  if (keep) {
    for (const TorrentStatus& t : keep->torrents) all.push_back(&t);
  }
  return all;
}

}  // namespace

class DemoTest : public QObject {
  Q_OBJECT

 private slots:
  void demoDownloadsToTheEnd() {
    QTemporaryDir dir;
    LaunchOptions options;
    options.stateDir = dir.filePath(QStringLiteral("state"));
    options.demo = true;
    AppOverrides overrides = loopbackOverrides();
    overrides.demo = [](DemoSwarmOptions& d) {
      d.payload_size = std::int64_t{3} << 20;  // a few seconds at these caps
      d.seeds = 2;
      d.leechers = 1;
      d.seed_upload_limit = 2 << 20;
      d.leecher_upload_limit = 1 << 20;
      d.first_address = "127.0.0.40";
    };
    AppController app(options, overrides);
    QVERIFY(app.start());
    QTRY_VERIFY_WITH_TIMEOUT(app.demo() != nullptr && app.demo()->torrent().has_value(), 20000);
    const TorrentId id = *app.demo()->torrent();
    MainWindow& window = *app.window();
    // Selected, with its peers listed.
    QTRY_COMPARE_WITH_TIMEOUT(window.details().torrent(), id, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(window.details().peerModel().rowCount() >= 2, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(window.torrentModel().find(id) != nullptr &&
                                 window.torrentModel().find(id)->progress >= 1.0,
                             45000);
    QTRY_COMPARE_WITH_TIMEOUT(window.torrentModel().find(id)->state, TorrentState::seeding, 10000);
    // The files are there, whole.
    QFileInfo landscape(QDir(app.demo()->downloadFolder()).filePath(QStringLiteral("Tessera demo/landscape.raw")));
    QVERIFY(landscape.exists());
    QCOMPARE(landscape.size(), (std::int64_t{3} << 20) * 6 / 10);
  }

  // The same state folder, three lifetimes: the demo twice, then a plain start.
  void demoStartsAfreshEveryRun() {
    QTemporaryDir dir;
    const QString state = dir.filePath(QStringLiteral("state"));
    for (int run = 1; run <= 2; ++run) {
      runDemoOnce(state, run);
      if (QTest::currentTestFailed()) return;
    }
    LaunchOptions options;
    options.stateDir = state;
    AppController app(options, loopbackOverrides());
    QVERIFY(app.start());
    // create() returns with the restored torrents in its first snapshot: there are none.
    QVERIFY(app.session()->snapshot() != nullptr);
    QCOMPARE(torrentsIn(app).size(), 0u);
    QCOMPARE(app.window()->torrentModel().rowCount(), 0);
  }

  // A profile from a version that kept the demo's torrent in the state folder: the demo removes
  // that one first and runs afresh; afterwards nothing of it is left.
  void demoReplacesOneAnOlderVersionKept() {
    QTemporaryDir dir;
    const QString state = dir.filePath(QStringLiteral("state"));
    {
      DemoSwarmOptions d;
      smallDemo(d);
      d.work_dir = dir.filePath(QStringLiteral("old-demo")).toStdString();
      d.seeds = 1;  // only its torrent is needed: the same payload makes the same info-hash
      auto swarm = DemoSwarm::start(d);
      QVERIFY2(swarm.has_value(), swarm ? "" : swarm.error().c_str());
      LaunchOptions options;
      options.stateDir = state;
      AppController app(options, loopbackOverrides());
      QVERIFY(app.start());
      AddTorrentParams kept;
      kept.torrent_data = (*swarm)->torrent_data();
      kept.save_path = dir.filePath(QStringLiteral("old-download")).toStdString();
      kept.paused = true;
      QVERIFY(app.session()->addTorrent(kept).has_value());
      QTRY_COMPARE_WITH_TIMEOUT(torrentsIn(app).size(), 1u, 5000);
    }
    runDemoOnce(state, 1);
    if (QTest::currentTestFailed()) return;
    LaunchOptions options;
    options.stateDir = state;
    AppController app(options, loopbackOverrides());
    QVERIFY(app.start());
    QCOMPARE(torrentsIn(app).size(), 0u);
  }

 private:
  static void smallDemo(DemoSwarmOptions& d) {
    d.payload_size = std::int64_t{2} << 20;
    d.seeds = 2;
    d.leechers = 0;
    d.seed_upload_limit = 256 << 10;  // slow enough to be caught mid-download
    d.first_address = "127.0.0.50";
  }

  void runDemoOnce(const QString& state, int run) {
    LaunchOptions options;
    options.stateDir = state;
    options.demo = true;
    AppOverrides overrides = loopbackOverrides();
    overrides.demo = smallDemo;
    AppController app(options, overrides);
    QVERIFY(app.start());
    QSignalSpy errors(app.window(), &MainWindow::errorShown);
    QTRY_VERIFY_WITH_TIMEOUT((app.demo() != nullptr && app.demo()->torrent().has_value()) || !errors.isEmpty(), 20000);
    QVERIFY2(errors.isEmpty(), qPrintable(QStringLiteral("run %1: %2").arg(run).arg(errors.value(0).value(0).toString())));
    const TorrentId id = *app.demo()->torrent();
    auto demo = [&]() -> const TorrentStatus* {
      for (const TorrentStatus* t : torrentsIn(app)) {
        if (t->id == id) return t;
      }
      return nullptr;
    };
    // It gets peers and data: a download of its own, not last run's copy.
    QTRY_VERIFY_WITH_TIMEOUT(demo() != nullptr && demo()->peers_connected >= 1 && demo()->downloaded > 0 &&
                                 demo()->progress > 0,
                             20000);
    QCOMPARE(torrentsIn(app).size(), 1u);
    // The window's table follows the engine's snapshots a moment later.
    QTRY_COMPARE(app.window()->torrentModel().rowCount(), 1);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.value(0).value(0).toString()));
  }
};

TESSERA_GUI_TEST_MAIN(DemoTest)
#include "demo_test.moc"
