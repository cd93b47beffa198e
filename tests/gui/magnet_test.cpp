// Magnet links in the app. The Add Magnet or URL dialog checks what is typed; a magnet from the
// command line fetches its metadata from a seed on 127.0.0.x (Fetching metadata, the seed in the
// Peers tab as a Magnet-link peer), then the file choice, then the download; against a scripted
// session, the file choice's Download applies priorities and starts, Cancel removes, and without
// the dialog a magnet starts at once; Copy Magnet Link; the DHT in the status bar; .torrent files
// fetched over HTTP (sized, redirected to a magnet, refused when too large or missing).
//
// With TESSERA_SCREENSHOT_DIR set, the real-session test also saves the three stages as PNGs there
// (run it under Xvfb for the desktop's look).
#include <QAction>
#include <QClipboard>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <tessera/magnet.hpp>

#include "app/app_controller.hpp"
#include "app/magnet_file_choice.hpp"
#include "app/main_window.hpp"
#include "app/torrent_actions.hpp"
#include "app/torrent_adder.hpp"
#include "app/torrent_fetcher.hpp"
#include "app/torrent_intake.hpp"
#include "dialogs/add_link_dialog.hpp"
#include "dialogs/add_torrent_dialog.hpp"
#include "gui_test_support.hpp"
#include "models/file_tree_model.hpp"
#include "models/peer_list_model.hpp"
#include "models/torrent_list_model.hpp"
#include "session/session_bridge.hpp"
#include "widgets/details_panel.hpp"
#include "widgets/transfer_status_bar.hpp"

using namespace tessera;
using namespace tessera::gui;
using namespace tessera::gui::test;

namespace {

constexpr const char* kHash = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a";

QString link(const std::string& extra = {}) {
  return QString::fromStdString(std::string("magnet:?xt=urn:btih:") + kHash + "&dn=Some+Album" + extra);
}

AddTorrentDialog* openAddDialog() {
  for (QWidget* w : QApplication::topLevelWidgets()) {
    if (auto* d = qobject_cast<AddTorrentDialog*>(w); d != nullptr && d->isVisible()) return d;
  }
  return nullptr;
}

// The row of a file or folder named `name` anywhere in the tree.
QModelIndex findNode(const QAbstractItemModel& model, const QString& name, const QModelIndex& parent = {}) {
  for (int r = 0; r < model.rowCount(parent); ++r) {
    const QModelIndex i = model.index(r, 0, parent);
    if (i.data().toString() == name) return i;
    if (QModelIndex found = findNode(model, name, i); found.isValid()) return found;
  }
  return {};
}

// A window over a fake session, as in the main window tests.
struct Harness {
  explicit Harness(const QString& settingsFile, Preferences prefs = {})
      : settings(settingsFile, QSettings::IniFormat), bridge(session) {
    prefs.showTrayIcon = false;
    prefs.savePath = QFileInfo(settingsFile).absolutePath() + QStringLiteral("/downloads");
    window = std::make_unique<MainWindow>(session, bridge, settings, prefs, QStringLiteral("/tmp/state"));
  }
  void publish(std::vector<TorrentStatus> torrents, SessionSnapshot s = {}) {
    s.torrents = std::move(torrents);
    session.publish(std::move(s));
  }
  FakeSessionClient session;
  QSettings settings;
  SessionBridge bridge;
  std::unique_ptr<MainWindow> window;
};

// Serves canned answers over HTTP/1.0 on 127.0.0.1: path -> raw response.
class TinyHttpServer : public QObject {
 public:
  TinyHttpServer() {
    server_.listen(QHostAddress(QStringLiteral("127.0.0.1")), 0);
    connect(&server_, &QTcpServer::newConnection, this, [this] {
      while (QTcpSocket* socket = server_.nextPendingConnection()) {
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
          request_ += socket->readAll();
          if (!request_.contains("\r\n\r\n")) return;
          const QByteArray path = request_.split(' ').value(1);
          request_.clear();
          socket->write(routes.value(path, "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
          socket->disconnectFromHost();
        });
      }
    });
  }
  QUrl url(const QString& path) const {
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(server_.serverPort()).arg(path));
  }
  static QByteArray ok(const QByteArray& body, qint64 claimedLength = -1) {
    return "HTTP/1.0 200 OK\r\nContent-Type: application/x-bittorrent\r\nContent-Length: " +
           QByteArray::number(claimedLength >= 0 ? claimedLength : body.size()) + "\r\n\r\n" + body;
  }
  QHash<QByteArray, QByteArray> routes;

 private:
  QTcpServer server_;
  QByteArray request_;
};

QString screenshotDir() {
  return qEnvironmentVariable("TESSERA_SCREENSHOT_DIR");
}

void saveShot(QWidget& widget, const QString& name) {
  if (screenshotDir().isEmpty()) return;
  QCoreApplication::processEvents();
  QVERIFY(widget.grab().save(QDir(screenshotDir()).filePath(name)));
}

}  // namespace

class MagnetTest : public QObject {
  Q_OBJECT

 private slots:
  void linkCheckTellsMagnetsAddressesAndErrors() {
    QCOMPARE(checkLink(QString()).kind, LinkCheck::Kind::empty);
    const LinkCheck good =
        checkLink(QStringLiteral("  ") + link("&tr=http%3A%2F%2Ft.example%2Fannounce&x.pe=127.0.0.9:6881"));
    QCOMPARE(good.kind, LinkCheck::Kind::magnet);
    QCOMPARE(good.name, QStringLiteral("Some Album"));
    QCOMPARE(good.infoHash, QString::fromLatin1(kHash));
    QCOMPARE(good.trackers, 1);
    QCOMPARE(good.peers, 1);
    // A broken magnet link says what the parser says.
    const std::string broken = "magnet:?xt=urn:btih:123";
    const LinkCheck bad = checkLink(QString::fromStdString(broken));
    QCOMPARE(bad.kind, LinkCheck::Kind::invalid);
    QCOMPARE(bad.error, QString::fromStdString(parse_magnet(broken).error()));
    const LinkCheck url = checkLink(QStringLiteral("https://example.org/files/album.torrent"));
    QCOMPARE(url.kind, LinkCheck::Kind::url);
    QCOMPARE(url.url.host(), QStringLiteral("example.org"));
    QCOMPARE(checkLink(QStringLiteral("ftp://example.org/a.torrent")).kind, LinkCheck::Kind::invalid);
    QCOMPARE(checkLink(QStringLiteral("album.torrent")).kind, LinkCheck::Kind::invalid);
  }

  void addLinkDialogChecksAsYouType() {
    QApplication::clipboard()->clear();
    AddLinkDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY(!dialog.canAdd());
    // Typed, not set: the check follows each key.
    QTest::keyClicks(dialog.edit(), QStringLiteral("magnet:?xt=urn:btih:123"));
    QVERIFY(!dialog.canAdd());
    QCOMPARE(dialog.statusText(), QString::fromStdString(parse_magnet("magnet:?xt=urn:btih:123").error()));
    dialog.edit()->clear();
    QTest::keyClicks(dialog.edit(), link());
    QVERIFY(dialog.canAdd());
    QCOMPARE(dialog.check().name, QStringLiteral("Some Album"));
    QSignalSpy chosen(&dialog, &AddLinkDialog::magnetChosen);
    QTest::keyClick(dialog.edit(), Qt::Key_Return);  // Enter adds: the dialog works from the keyboard
    QCOMPARE(chosen.count(), 1);
    QCOMPARE(chosen.at(0).at(0).toString(), link());
    QVERIFY(!dialog.isVisible());
    // A link on the clipboard is offered when the dialog opens.
    QApplication::clipboard()->setText(link());
    AddLinkDialog second;
    QCOMPARE(second.text(), link());
    QVERIFY(second.canAdd());
  }

  // Download applies the priorities the user chose and starts the torrent; the file list comes from
  // the snapshot, held in the details while the choice waits.
  void fileChoiceAppliesPrioritiesAndStarts() {
    QTemporaryDir dir;
    Harness h(dir.filePath(QStringLiteral("t.conf")));
    h.window->adder().addMagnets({link()});
    QCOMPARE(h.session.added.size(), 1u);
    QVERIFY(h.session.added[0].pause_after_metadata);
    QCOMPARE(h.session.added[0].magnet_uri, link().toStdString());
    const TorrentId id = 100;
    QVERIFY(h.window->magnetFileChoice().waitingFor(id));
    QVERIFY(std::ranges::find(h.session.detail, id) != h.session.detail.end());

    TorrentStatus t = torrent(id, "Some Album", TorrentState::fetching_metadata, 0);
    t.has_details = true;
    h.publish({t});
    QCoreApplication::processEvents();
    QVERIFY(openAddDialog() == nullptr);  // no files yet

    t.name = "Album";
    t.state = TorrentState::paused;
    t.files = {{0, "Album/01.flac", 3000, 0, FilePriority::normal},
               {2, "Album/02.flac", 4000, 0, FilePriority::normal},  // 1 is a pad file
               {3, "Album/cover.jpg", 100, 0, FilePriority::skip}};  // left out by the link (so=)
    h.publish({t});
    QTRY_VERIFY(openAddDialog() != nullptr);
    AddTorrentDialog* dialog = openAddDialog();
    QCOMPARE(dialog->windowTitle(), QStringLiteral("Choose Files"));
    QVERIFY(!h.window->magnetFileChoice().waitingFor(id));
    FileTreeModel& files = dialog->fileModel();
    QCOMPARE(files.wantedSize(), std::int64_t{7000});  // the link's selection shows
    files.setPriority(findNode(files, QStringLiteral("02.flac")), FilePriority::skip);
    files.setPriority(findNode(files, QStringLiteral("cover.jpg")), FilePriority::high);
    dialog->accept();
    std::vector<FakeSessionClient::Call> set;
    for (const auto& c : h.session.calls) {
      if (c.what == "file_priority") set.push_back(c);
    }
    QCOMPARE(set.size(), 2u);  // only what changed
    QCOMPARE(set[0].a, 2);
    QCOMPARE(set[0].b, static_cast<std::int64_t>(FilePriority::skip));
    QCOMPARE(set[1].a, 3);
    QCOMPARE(set[1].b, static_cast<std::int64_t>(FilePriority::high));
    QCOMPARE(h.session.calls.back().what, std::string("resume"));
    QCOMPARE(h.session.calls.back().id, id);
    QCOMPARE(h.session.count("remove"), 0u);
  }

  void fileChoiceCancelRemovesTheTorrent() {
    QTemporaryDir dir;
    Harness h(dir.filePath(QStringLiteral("t.conf")));
    h.window->adder().addMagnets({link()});
    TorrentStatus t = torrent(100, "Album", TorrentState::paused, 0);
    t.has_details = true;
    t.files = {{0, "Album/01.flac", 3000, 0, FilePriority::normal}};
    h.publish({t});
    QTRY_VERIFY(openAddDialog() != nullptr);
    openAddDialog()->reject();
    QCOMPARE(h.session.count("remove"), 1u);
    QCOMPARE(h.session.calls.back().id, TorrentId{100});
    QCOMPARE(h.session.calls.back().a, 0);  // its files are not deleted
    QCOMPARE(h.session.count("resume"), 0u);
  }

  void withoutTheDialogAMagnetStartsAtOnce() {
    QTemporaryDir dir;
    Preferences prefs;
    prefs.showAddDialog = false;
    Harness h(dir.filePath(QStringLiteral("t.conf")), prefs);
    QSignalSpy errors(h.window.get(), &MainWindow::errorShown);
    h.window->adder().addMagnets({link(), QStringLiteral("magnet:?xt=urn:btih:123")});
    QCOMPARE(h.session.added.size(), 1u);
    QVERIFY(!h.session.added[0].pause_after_metadata);
    QVERIFY(!h.session.added[0].paused);
    QVERIFY(!h.window->magnetFileChoice().waitingFor(100));
    QCOMPARE(errors.count(), 1);
    QVERIFY2(errors.at(0).at(0).toString().startsWith(QStringLiteral("Magnet link: ")),
             qPrintable(errors.at(0).at(0).toString()));
  }

  // What a second launch (the browser's x-scheme-handler/magnet) hands over is added like the rest.
  void handedOverMagnetIsAdded() {
    QTemporaryDir dir;
    Harness h(dir.filePath(QStringLiteral("t.conf")));
    h.window->intake().handleArguments({link()});
    QCOMPARE(h.session.added.size(), 1u);
    QCOMPARE(h.session.added[0].magnet_uri, link().toStdString());
    QVERIFY(h.window->magnetFileChoice().waitingFor(100));
  }

  void copyMagnetLinkGivesHashNameAndTrackers() {
    QTemporaryDir dir;
    Harness h(dir.filePath(QStringLiteral("t.conf")));
    TorrentStatus t = torrent(7, "Album & Co");
    t.info_hash = kHash;
    t.trackers = {TrackerInfo{.url = "http://t.example/announce"}, TrackerInfo{.url = "udp://u.example:80"}};
    h.publish({t, torrent(8, "other")});
    QTRY_COMPARE(h.window->torrentModel().rowCount(), 2);
    QAction* copy = h.window->action(QStringLiteral("copy_magnet"));
    QVERIFY(copy != nullptr);
    QVERIFY(!copy->isEnabled());
    h.window->selectTorrent(7);
    QVERIFY(copy->isEnabled());
    QApplication::clipboard()->clear();
    copy->trigger();
    auto info = parse_magnet(QApplication::clipboard()->text().toStdString());
    QVERIFY2(info.has_value(), qPrintable(QApplication::clipboard()->text()));
    QCOMPARE(info->info_hash, std::string(kHash));
    QCOMPARE(info->name, std::string("Album & Co"));
    QCOMPARE(info->trackers, (std::vector<std::string>{"http://t.example/announce", "udp://u.example:80"}));
  }

  void statusBarShowsTheDht() {
    QTemporaryDir dir;
    Harness h(dir.filePath(QStringLiteral("t.conf")));
    TransferStatusBar& bar = h.window->transferStatus();
    QCOMPARE(bar.dhtText(), QStringLiteral("DHT: off"));
    SessionSnapshot s;
    s.dht_state = DhtState::bootstrapping;
    h.publish({}, s);
    QTRY_COMPARE(bar.dhtText(), QStringLiteral("DHT: starting"));
    s.dht_state = DhtState::ready;
    s.dht_nodes = 312;
    h.publish({}, s);
    QTRY_COMPARE(bar.dhtText(), QStringLiteral("DHT: 312 nodes"));
    QVERIFY(!bar.dhtToolTip().contains(QStringLiteral("Local peer discovery")));
    s.dht_state = DhtState::off;
    s.dht_problem = "switched off in the settings";
    s.lsd_problem = "cannot join the multicast group";
    h.publish({}, s);
    QTRY_COMPARE(bar.dhtText(), QStringLiteral("DHT: off"));
    QVERIFY(bar.dhtToolTip().contains(QStringLiteral("switched off in the settings")));
    QVERIFY(
        bar.dhtToolTip().contains(QStringLiteral("Local peer discovery: cannot join the multicast group")));
  }

  void torrentFilesFetchedOverHttp() {
    QTemporaryDir dir;
    const QString path = makeTorrent(dir.path(), QStringLiteral("fetched"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray torrentBytes = file.readAll();
    TinyHttpServer server;
    server.routes["/good.torrent"] = TinyHttpServer::ok(torrentBytes);
    server.routes["/huge.torrent"] =
        TinyHttpServer::ok(QByteArray(1024, 'x'), TorrentAdder::kMaxTorrentFile + 1);
    server.routes["/moved"] = "HTTP/1.0 302 Found\r\nLocation: /good.torrent\r\nContent-Length: 0\r\n\r\n";
    server.routes["/to-magnet"] =
        "HTTP/1.0 302 Found\r\nLocation: " + link().toUtf8() + "\r\nContent-Length: 0\r\n\r\n";

    TorrentFetcher fetcher;
    QSignalSpy fetched(&fetcher, &TorrentFetcher::fetched);
    QSignalSpy magnets(&fetcher, &TorrentFetcher::magnetFound);
    QSignalSpy failed(&fetcher, &TorrentFetcher::failed);
    fetcher.fetch(server.url(QStringLiteral("/moved")));
    QTRY_COMPARE_WITH_TIMEOUT(fetched.count(), 1, 30000);
    QCOMPARE(fetched.at(0).at(0).toByteArray(), torrentBytes);
    QCOMPARE(fetched.at(0).at(1).toString(), QStringLiteral("moved"));
    fetcher.fetch(server.url(QStringLiteral("/to-magnet")));
    QTRY_COMPARE_WITH_TIMEOUT(magnets.count(), 1, 30000);
    QCOMPARE(magnets.at(0).at(0).toString(), link());
    fetcher.fetch(server.url(QStringLiteral("/huge.torrent")));
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 30000);
    QVERIFY2(failed.at(0).at(0).toString().contains(QStringLiteral("larger than a .torrent file can be")),
             qPrintable(failed.at(0).at(0).toString()));
    fetcher.fetch(server.url(QStringLiteral("/missing.torrent")));
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 2, 30000);
    QVERIFY2(failed.at(1).at(0).toString().contains(QStringLiteral("404")),
             qPrintable(failed.at(1).at(0).toString()));
    QCOMPARE(fetcher.pending(), 0);

    // Through the app: the fetched .torrent goes to the Add Torrent dialog like a file.
    Harness h(dir.filePath(QStringLiteral("t.conf")));
    h.window->adder().addUrls({server.url(QStringLiteral("/good.torrent"))});
    QTRY_VERIFY_WITH_TIMEOUT(openAddDialog() != nullptr, 30000);
    AddTorrentDialog* dialog = openAddDialog();
    QVERIFY(findNode(dialog->fileModel(), QStringLiteral("a.bin")).isValid());
    dialog->accept();
    QCOMPARE(h.session.added.size(), 1u);
    QCOMPARE(h.session.added[0].torrent_data, torrentBytes.toStdString());
  }

  // The whole way against a real seed on 127.0.0.61: the app's session is held to 1 KiB/s at first,
  // so the metadata (30 KB) takes long enough to be seen arriving; the cap is lifted once it was.
  void magnetFromTheCommandLineAgainstASeed() {
    QTemporaryDir dir;
    const QString torrentPath =
        makeTorrent(dir.path(), QStringLiteral("magnet-payload"), std::int64_t{16} << 20);
    auto info = read_torrent_info(torrentPath.toStdString());
    QVERIFY(info.has_value());

    SessionSettings seedSettings;
    seedSettings.listen_address = "127.0.0.61";
    seedSettings.listen_port = 0;
    seedSettings.use_trackers = false;
    seedSettings.enable_dht = false;
    seedSettings.enable_lsd = false;
    seedSettings.snapshot_interval = std::chrono::milliseconds(100);
    auto seed = Session::create(seedSettings);
    QVERIFY2(seed.has_value(), seed ? "" : seed.error().c_str());
    QVERIFY((*seed)->add_torrent(
        {.torrent_file = torrentPath.toStdString(), .save_path = dir.path().toStdString()}));
    QTRY_VERIFY_WITH_TIMEOUT((*seed)->snapshot() && !(*seed)->snapshot()->torrents.empty() &&
                                 (*seed)->snapshot()->torrents[0].state == TorrentState::seeding,
                             60000);
    const std::string seedPeer = "127.0.0.61:" + std::to_string((*seed)->listen_port());

    const QString state = dir.filePath(QStringLiteral("state"));
    const QString downloads = dir.filePath(QStringLiteral("downloads"));
    writeSetting(state, QStringLiteral("downloads/save_path"), downloads);
    writeSetting(state, QStringLiteral("speed/download_limit_kib"), 1);
    writeSetting(state, QStringLiteral("behaviour/tray_icon"), false);
    LaunchOptions options;
    options.stateDir = state;
    options.magnets << QString::fromStdString(magnet_uri(*info) + "&x.pe=" + seedPeer);
    AppController app(options, loopbackOverrides());
    QVERIFY(app.start());
    MainWindow& window = *app.window();
    window.resize(1280, 800);
    window.details().setCurrentIndex(DetailsPanel::PeersTabIndex);

    // Fetching metadata, with the seed connected as a peer from the link.
    TorrentListModel& model = window.torrentModel();
    PeerListModel& peers = window.details().peerModel();
    auto fetchingWithSeed = [&] {
      if (model.rowCount() != 1 || model.rowAt(0)->state != TorrentState::fetching_metadata) return false;
      if (window.details().torrent() != model.rowAt(0)->id || peers.rowCount() < 1) return false;
      return peers.index(0, PeerListModel::SourceColumn).data().toString() == QStringLiteral("Magnet link");
    };
    QTRY_VERIFY_WITH_TIMEOUT(fetchingWithSeed(), 30000);
    QCOMPARE(model.index(0, TorrentListModel::StatusColumn).data().toString(),
             QStringLiteral("Fetching metadata"));
    QVERIFY(model.rowAt(0)->matches(StatusFilter::downloading));  // the sidebar counts it as downloading
    const TorrentId id = model.rowAt(0)->id;
    QVERIFY(window.magnetFileChoice().waitingFor(id));
    saveShot(window, QStringLiteral("magnet-fetching-metadata.png"));

    // Lift the cap (for pictures, keep one so the download can be caught half-way).
    Preferences prefs = window.preferences();
    prefs.downloadLimitKiB = screenshotDir().isEmpty() ? 0 : 2048;
    window.applyPreferences(prefs);

    // The file choice, once the metadata is in: leave out the sub folder.
    QTRY_VERIFY_WITH_TIMEOUT(openAddDialog() != nullptr, 120000);
    AddTorrentDialog* dialog = openAddDialog();
    FileTreeModel& files = dialog->fileModel();
    const QModelIndex sub = findNode(files, QStringLiteral("sub"));
    QVERIFY(sub.isValid());
    QVERIFY(files.setData(sub, Qt::Unchecked, Qt::CheckStateRole));
    QCOMPARE(model.rowAt(0)->state, TorrentState::paused);  // waiting for the choice
    saveShot(*dialog, QStringLiteral("magnet-file-choice.png"));
    dialog->accept();

    if (!screenshotDir().isEmpty()) {
      // Its peer reads as the engine says: after the pause for the choice, the seed may be the one
      // that dials again (Incoming) rather than us (Magnet link).
      QTRY_VERIFY_WITH_TIMEOUT(model.rowAt(0)->state == TorrentState::downloading &&
                                   model.rowAt(0)->progress > 0.2 && peers.rowCount() >= 1,
                               120000);
      saveShot(window, QStringLiteral("magnet-downloading.png"));
    }
    // Done with what was chosen: a.bin is there, byte for byte; the sub folder's files are not whole.
    QTRY_VERIFY_WITH_TIMEOUT(model.rowAt(0)->progress >= 1.0, 120000);
    QFile got(QDir(downloads).filePath(QStringLiteral("magnet-payload/a.bin")));
    QFile want(QDir(dir.path()).filePath(QStringLiteral("magnet-payload/a.bin")));
    QVERIFY(got.open(QIODevice::ReadOnly) && want.open(QIODevice::ReadOnly));
    QVERIFY(got.readAll() == want.readAll());
    QVERIFY(model.rowAt(0)->wantedSize < model.rowAt(0)->totalSize);

    // Its magnet link names the same torrent.
    window.selectTorrent(id);
    QApplication::clipboard()->clear();
    window.action(QStringLiteral("copy_magnet"))->trigger();
    auto copied = parse_magnet(QApplication::clipboard()->text().toStdString());
    QVERIFY(copied.has_value());
    QCOMPARE(copied->info_hash, info->info_hash);
    QCOMPARE(copied->name, std::string("magnet-payload"));
    (*seed)->shutdown(std::chrono::milliseconds(500));
  }
};

TESSERA_GUI_TEST_MAIN(MagnetTest)
#include "magnet_test.moc"
