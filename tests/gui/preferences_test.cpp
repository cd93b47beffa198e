// Preferences: the key table round trip through QSettings, and the dialog end to end — a cap or a
// share-ratio limit set in the dialog lands in the settings file and in a real session's snapshot.
#include <QAction>
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QDialogButtonBox>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>

#include "app/app_controller.hpp"
#include "app/command_line.hpp"
#include "app/main_window.hpp"
#include "app/preferences.hpp"
#include "dialogs/preferences_dialog.hpp"
#include "dialogs/torrent_limits_dialog.hpp"
#include "gui_test_support.hpp"
#include "models/torrent_list_model.hpp"
#include "session/session_client.hpp"
#include "widgets/transfer_status_bar.hpp"

using namespace tessera;
using namespace tessera::gui;
using namespace tessera::gui::test;

class PreferencesTest : public QObject {
  Q_OBJECT

 private slots:
  void keyTableRoundTrip() {
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("t.conf")), QSettings::IniFormat);
    const Preferences defaults = loadPreferences(settings);
    QVERIFY(defaults == Preferences{});
    Preferences p;
    p.downloadLimitKiB = 123;
    p.altLimitsEnabled = true;
    p.ratioLimit = 1.5;
    p.savePath = QStringLiteral("/data/torrents");
    p.logLevel = QStringLiteral("debug");
    savePreferences(p, settings);
    QCOMPARE(settings.value(QStringLiteral("speed/download_limit_kib")).toInt(), 123);
    QCOMPARE(settings.value(QStringLiteral("downloads/save_path")).toString(), QStringLiteral("/data/torrents"));
    QVERIFY(loadPreferences(settings) == p);
    // Out-of-range values from a hand-edited file are clamped, garbage falls back to the default.
    settings.setValue(QStringLiteral("connection/listen_port"), 99999);
    settings.setValue(QStringLiteral("connection/max_connections"), QStringLiteral("lots"));
    const Preferences clamped = loadPreferences(settings);
    QCOMPARE(clamped.listenPort, 65535);
    QCOMPARE(clamped.maxConnections, Preferences{}.maxConnections);
    // Every key in the table is unique and found by name.
    for (const PreferenceKey& k : preferenceKeys()) QCOMPARE(findPreference(QLatin1String(k.key)), &k);
  }

  void sessionSettingsFollowPreferences() {
    Preferences p;
    p.downloadLimitKiB = 100;
    p.uploadLimitKiB = 50;
    p.altDownloadLimitKiB = 10;
    p.altUploadLimitKiB = 5;
    p.maxConnections = 80;
    p.uploadSlots = 7;
    SessionSettings s = toSessionSettings(p, {});
    QCOMPARE(s.download_limit, 100 * 1024);
    QCOMPARE(s.upload_limit, 50 * 1024);
    QCOMPARE(s.max_connections, 80);
    QVERIFY(s.max_connections_hard > 80);
    QCOMPARE(s.upload_slots, 7);
    // Stopping at a ratio is the engine's rule: off means 0 (never), whatever ratio is typed in.
    p.ratioLimit = 1.75;
    QCOMPARE(toSessionSettings(p, {}).stop_at_ratio, 0.0);
    p.stopAtRatio = true;
    QCOMPARE(toSessionSettings(p, {}).stop_at_ratio, 1.75);
    p.altLimitsEnabled = true;
    s = toSessionSettings(p, {});
    QCOMPARE(s.download_limit, 10 * 1024);
    QCOMPARE(s.upload_limit, 5 * 1024);
  }

  // DHT, PEX and local peer discovery: on by default, kept under their keys, handed to the engine.
  void peerDiscoverySwitchesRoundTrip() {
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("t.conf")), QSettings::IniFormat);
    Preferences p = loadPreferences(settings);
    QVERIFY(p.enableDht && p.enablePex && p.enableLsd);
    SessionSettings s = toSessionSettings(p, {});
    QVERIFY(s.enable_dht && s.enable_pex && s.enable_lsd);
    p.enableDht = false;
    p.enableLsd = false;
    savePreferences(p, settings);
    QCOMPARE(settings.value(QStringLiteral("connection/dht")).toBool(), false);
    QCOMPARE(settings.value(QStringLiteral("connection/pex")).toBool(), true);
    QCOMPARE(settings.value(QStringLiteral("connection/lsd")).toBool(), false);
    const Preferences loaded = loadPreferences(settings);
    QVERIFY(loaded == p);
    s = toSessionSettings(loaded, {});
    QVERIFY(!s.enable_dht);
    QVERIFY(s.enable_pex);
    QVERIFY(!s.enable_lsd);
    // The dialog's Connection page holds the three boxes, bound to those keys.
    PreferencesDialog dialog(loaded);
    auto* dht = qobject_cast<QCheckBox*>(dialog.inputFor(QStringLiteral("connection/dht")));
    auto* pex = qobject_cast<QCheckBox*>(dialog.inputFor(QStringLiteral("connection/pex")));
    auto* lsd = qobject_cast<QCheckBox*>(dialog.inputFor(QStringLiteral("connection/lsd")));
    QVERIFY(dht != nullptr && pex != nullptr && lsd != nullptr);
    QVERIFY(!dht->isChecked() && pex->isChecked() && !lsd->isChecked());
    dht->setChecked(true);
    pex->setChecked(false);
    const Preferences edited = dialog.preferences();
    QVERIFY(edited.enableDht && !edited.enablePex && !edited.enableLsd);
  }

  void dialogBindsEveryKey() {
    PreferencesDialog dialog(Preferences{});
    dialog.setEnvironment(QStringLiteral("/home/user/.local/share/tessera"), 6881, false);
    dialog.show();
    // For a look at every page: build/.../tests/gui/preferences-N.png
    for (int page = PreferencesDialog::SpeedPage; page <= PreferencesDialog::AdvancedPage; ++page) {
      dialog.openPage(static_cast<PreferencesDialog::Page>(page));
      QCoreApplication::processEvents();
      dialog.grab().save(QStringLiteral("preferences-%1.png").arg(page));
    }
    for (const PreferenceKey& k : preferenceKeys()) {
      QVERIFY2(dialog.inputFor(QLatin1String(k.key)) != nullptr, k.key);
    }
    Preferences p;
    p.uploadLimitKiB = 777;
    p.stopAtRatio = true;
    p.logLevel = QStringLiteral("error");
    dialog.setPreferences(p);
    QVERIFY(dialog.preferences() == p);
  }

  void dialogCapReachesSettingsAndSession() {
    QTemporaryDir dir;
    LaunchOptions options;
    options.stateDir = dir.filePath(QStringLiteral("state"));
    AppController app(options, loopbackOverrides());
    QVERIFY(app.start());
    MainWindow* window = app.window();
    PreferencesDialog* dialog = window->showPreferences(PreferencesDialog::SpeedPage);
    QCOMPARE(dialog->currentPage(), PreferencesDialog::SpeedPage);
    auto* down = qobject_cast<QSpinBox*>(dialog->inputFor(QStringLiteral("speed/download_limit_kib")));
    auto* up = qobject_cast<QSpinBox*>(dialog->inputFor(QStringLiteral("speed/upload_limit_kib")));
    QVERIFY(down != nullptr && up != nullptr);
    down->setValue(300);
    up->setValue(40);
    dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->click();

    QSettings settings(app.settingsPath(), QSettings::IniFormat);
    QCOMPARE(settings.value(QStringLiteral("speed/download_limit_kib")).toInt(), 300);
    QCOMPARE(settings.value(QStringLiteral("speed/upload_limit_kib")).toInt(), 40);
    QTRY_COMPARE_WITH_TIMEOUT(app.session()->snapshot()->download_limit, std::int64_t{300 * 1024}, 5000);
    QCOMPARE(app.session()->snapshot()->upload_limit, std::int64_t{40 * 1024});

    // The alternative caps switch from the toolbar action, and back.
    window->action(QStringLiteral("alt_speed"))->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(app.session()->snapshot()->download_limit, std::int64_t{500 * 1024}, 5000);
    window->action(QStringLiteral("alt_speed"))->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(app.session()->snapshot()->download_limit, std::int64_t{300 * 1024}, 5000);
    // The status bar shows the rates with their caps.
    QTRY_VERIFY_WITH_TIMEOUT(window->transferStatus().downText().contains(QStringLiteral("cap 300 KiB/s")), 5000);
  }

  // The box on the Downloads page sets the session's share-ratio limit: a seeding torrent's
  // snapshot shows it in effect, and 0 once the box is unticked.
  void dialogRatioReachesTheEngine() {
    QTemporaryDir dir;
    const QString state = dir.filePath(QStringLiteral("state"));
    writeSetting(state, QStringLiteral("downloads/show_add_dialog"), false);
    writeSetting(state, QStringLiteral("downloads/save_path"), dir.path());  // where its data is: it seeds
    LaunchOptions options;
    options.stateDir = state;
    options.torrents << makeTorrent(dir.path(), QStringLiteral("seeded"));
    AppController app(options, loopbackOverrides());
    QVERIFY(app.start());
    auto seeded = [&]() -> const TorrentStatus* {
      static std::shared_ptr<const SessionSnapshot> keep;
      keep = app.session()->snapshot();
      return keep && keep->torrents.size() == 1 ? &keep->torrents.front() : nullptr;
    };
    QTRY_VERIFY_WITH_TIMEOUT(seeded() != nullptr && seeded()->state == TorrentState::seeding, 10000);
    QCOMPARE(seeded()->ratio_limit, 0.0);

    auto setRatio = [&](bool on, double ratio) {
      PreferencesDialog* dialog = app.window()->showPreferences(PreferencesDialog::DownloadsPage);
      auto* stop = qobject_cast<QCheckBox*>(dialog->inputFor(QStringLiteral("downloads/stop_at_ratio")));
      auto* limit = qobject_cast<QDoubleSpinBox*>(dialog->inputFor(QStringLiteral("downloads/ratio_limit")));
      QVERIFY(stop != nullptr && limit != nullptr);
      stop->setChecked(on);
      limit->setValue(ratio);
      dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->click();
    };
    setRatio(true, 3.5);
    QTRY_COMPARE_WITH_TIMEOUT(seeded()->ratio_limit, 3.5, 5000);
    QVERIFY(!seeded()->stopped_at_ratio);  // nothing uploaded yet
    QCOMPARE(seeded()->state, TorrentState::seeding);
    // Per torrent, through the limits dialog: never stop, then the session's rule again.
    const TorrentId id = seeded()->id;
    app.window()->selectTorrent(id);
    auto limits = [&](const char* choice) {
      QTRY_VERIFY(app.window()->findChild<TorrentLimitsDialog*>() == nullptr);
      // The dialog starts from what the window has seen: wait until the table is as new as the engine.
      QTRY_COMPARE_WITH_TIMEOUT(app.window()->torrentModel().find(id)->ratioLimit, seeded()->ratio_limit, 5000);
      app.window()->action(QStringLiteral("limits"))->trigger();
      auto* dialog = app.window()->findChild<TorrentLimitsDialog*>();
      QVERIFY(dialog != nullptr);
      dialog->findChild<QRadioButton*>(QLatin1String(choice))->setChecked(true);
      dialog->accept();
    };
    limits("ratio_never");
    QTRY_COMPARE_WITH_TIMEOUT(seeded()->ratio_limit, 0.0, 5000);
    limits("ratio_follow");
    QTRY_COMPARE_WITH_TIMEOUT(seeded()->ratio_limit, 3.5, 5000);
    setRatio(false, 3.5);
    QTRY_COMPARE_WITH_TIMEOUT(seeded()->ratio_limit, 0.0, 5000);
  }

  void commandLine() {
    auto parsed = parseCommandLine({QStringLiteral("tessera"), QStringLiteral("--state-dir"), QStringLiteral("/tmp/x"),
                                    QStringLiteral("--demo"), QStringLiteral("a.torrent"),
                                    QStringLiteral("magnet:?xt=urn:btih:abc")});
    QVERIFY(parsed.ok);
    QCOMPARE(parsed.options.stateDir, QStringLiteral("/tmp/x"));
    QVERIFY(parsed.options.demo);
    QCOMPARE(parsed.options.torrents.size(), 1);
    QVERIFY(QFileInfo(parsed.options.torrents.front()).isAbsolute());
    QCOMPARE(parsed.options.magnets.size(), 1);
    QCOMPARE(parsed.options.forwardedArguments().size(), 3);
    QVERIFY(!parseCommandLine({QStringLiteral("tessera"), QStringLiteral("--bogus")}).ok);
    QVERIFY(parseCommandLine({QStringLiteral("tessera"), QStringLiteral("--help")}).help);
  }
};

TESSERA_GUI_TEST_MAIN(PreferencesTest)
#include "preferences_test.moc"
