// Demo mode end to end with a real session: the swarm starts, its torrent is added and selected,
// peers show up in the Peers tab, and the download reaches 100%.
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
};

TESSERA_GUI_TEST_MAIN(DemoTest)
#include "demo_test.moc"
