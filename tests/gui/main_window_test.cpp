// The main window's parts against a scripted session: the torrent actions turn the selection into
// commands, the limits dialog sends a share-ratio rule only when it was changed, the General tab
// says why a torrent is not moving and what its share limit is, events become status-bar lines,
// and the window's layout survives a restart.
#include <QAction>
#include <QDoubleSpinBox>
#include <QHeaderView>
#include <QHelpEvent>
#include <QRadioButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>

#include "app/main_window.hpp"
#include "dialogs/torrent_limits_dialog.hpp"
#include "gui_test_support.hpp"
#include "models/torrent_list_model.hpp"
#include "session/session_bridge.hpp"
#include "widgets/details_panel.hpp"
#include "widgets/general_tab.hpp"
#include "widgets/hint_tree_view.hpp"
#include "widgets/status_sidebar.hpp"

using namespace tessera;
using namespace tessera::gui;
using namespace tessera::gui::test;

namespace {

// A window over a fake session, with its settings in a temporary folder.
struct Harness {
  explicit Harness(const QString& settingsFile, Preferences prefs = {})
      : settings(settingsFile, QSettings::IniFormat), bridge(session) {
    prefs.showTrayIcon = false;
    window = std::make_unique<MainWindow>(session, bridge, settings, prefs, QStringLiteral("/tmp/state"));
  }
  void publish(std::vector<TorrentStatus> torrents) {
    SessionSnapshot s;
    s.torrents = std::move(torrents);
    session.publish(std::move(s));
  }
  FakeSessionClient session;
  QSettings settings;
  SessionBridge bridge;
  std::unique_ptr<MainWindow> window;
};

QWidget* tooltipWidget() {
  for (QWidget* w : QApplication::topLevelWidgets()) {
    if (w->inherits("QTipLabel") && w->isVisible()) return w;
  }
  return nullptr;
}

TorrentLimitsDialog* openLimitsDialog(MainWindow& window) {
  window.action(QStringLiteral("limits"))->trigger();
  return window.findChild<TorrentLimitsDialog*>();
}

}  // namespace

class MainWindowTest : public QObject {
  Q_OBJECT

 private slots:
  void actionsFollowTheSelection() {
    QTemporaryDir dir;
    Harness h(dir.filePath(QStringLiteral("t.conf")));
    h.publish({torrent(1, "one", TorrentState::paused), torrent(2, "two"), torrent(3, "three")});
    QTRY_COMPARE(h.window->torrentModel().rowCount(), 3);
    QAction* start = h.window->action(QStringLiteral("start"));
    QAction* pause = h.window->action(QStringLiteral("pause"));
    QVERIFY(!start->isEnabled() && !pause->isEnabled());  // nothing selected
    h.window->selectTorrent(1);
    QVERIFY(start->isEnabled());
    QVERIFY(!pause->isEnabled());  // it is paused already
    start->trigger();
    h.window->selectTorrent(2);
    pause->trigger();
    h.window->action(QStringLiteral("recheck"))->trigger();
    h.window->action(QStringLiteral("pause_all"))->trigger();
    QCOMPARE(h.session.count("resume"), 1u);
    QCOMPARE(h.session.calls.front().id, TorrentId{1});
    QCOMPARE(h.session.count("recheck"), 1u);
    QCOMPARE(h.session.count("pause"), 1u + 3u);
  }

  void limitsDialogSendsTheRatioRuleOnlyWhenChanged() {
    QTemporaryDir dir;
    Preferences prefs;
    prefs.stopAtRatio = true;
    prefs.ratioLimit = 2.0;
    Harness h(dir.filePath(QStringLiteral("t.conf")), prefs);
    TorrentStatus t = torrent(5, "seed", TorrentState::seeding, 1.0);
    t.ratio_limit = 2.0;  // the session's rule applies
    h.publish({t});
    QTRY_COMPARE(h.window->torrentModel().rowCount(), 1);
    h.window->selectTorrent(5);

    TorrentLimitsDialog* dialog = openLimitsDialog(*h.window);
    QVERIFY(dialog != nullptr);
    QVERIFY(dialog->findChild<QRadioButton*>(QStringLiteral("ratio_follow"))->isChecked());
    QVERIFY(!dialog->findChild<QDoubleSpinBox*>(QStringLiteral("ratio_value"))->isEnabled());
    dialog->findChild<QRadioButton*>(QStringLiteral("ratio_at"))->setChecked(true);
    dialog->findChild<QDoubleSpinBox*>(QStringLiteral("ratio_value"))->setValue(1.25);
    dialog->accept();
    QCOMPARE(h.session.count("ratio_limit"), 1u);
    QCOMPARE(h.session.calls.back().id, TorrentId{5});
    QCOMPARE(h.session.calls.back().b, std::int64_t{1250});

    // The snapshot now shows its own limit; opening again starts from it, and changing only a cap
    // leaves the ratio rule alone.
    t.ratio_limit = 1.25;
    t.own_ratio_limit = 1.25;
    h.publish({t});
    QTRY_COMPARE(h.window->torrentModel().find(5)->ratioLimit, 1.25);
    QTRY_VERIFY(h.window->findChild<TorrentLimitsDialog*>() == nullptr);  // the last one closed
    dialog = openLimitsDialog(*h.window);
    QVERIFY(dialog != nullptr);
    QVERIFY(dialog->findChild<QRadioButton*>(QStringLiteral("ratio_at"))->isChecked());
    QCOMPARE(dialog->ratioLimit(), std::optional<double>(1.25));
    dialog->findChild<QSpinBox*>()->setValue(100);
    dialog->accept();
    QCOMPARE(h.session.count("ratio_limit"), 1u);
    QCOMPARE(h.session.calls.back().what, std::string("torrent_rate_limits"));
    QCOMPARE(h.session.calls.back().a, std::int64_t{100 * 1024});

    // Never, then back to the session's rule (sent as "no limit of its own").
    QTRY_VERIFY(h.window->findChild<TorrentLimitsDialog*>() == nullptr);
    dialog = openLimitsDialog(*h.window);
    dialog->findChild<QRadioButton*>(QStringLiteral("ratio_never"))->setChecked(true);
    dialog->accept();
    QCOMPARE(h.session.calls.back().b, std::int64_t{0});
    QTRY_VERIFY(h.window->findChild<TorrentLimitsDialog*>() == nullptr);
    dialog = openLimitsDialog(*h.window);
    dialog->setRatioLimit(std::nullopt);
    dialog->accept();
    QCOMPARE(h.session.count("ratio_limit"), 3u);
    QCOMPARE(h.session.calls.back().b, std::int64_t{-1});
  }

  // The dialog starts from the torrent's own rule, not from the limit in effect: a torrent whose
  // own limit equals the session's is not "following" it, and one resumed past its ratio still
  // follows the session though no limit applies to it now.
  void ratioRuleIsTheTorrentsOwn() {
    QTemporaryDir dir;
    Preferences prefs;
    prefs.stopAtRatio = true;
    prefs.ratioLimit = 2.0;
    Harness h(dir.filePath(QStringLiteral("t.conf")), prefs);
    TorrentStatus t = torrent(6, "own rule", TorrentState::seeding, 1.0);
    for (const auto& [own, effect, follow, at] :
         {std::tuple{std::optional<double>(2.0), 2.0, false, true}, std::tuple{std::optional<double>(), 0.0, true, false}}) {
      t.own_ratio_limit = own;
      t.ratio_limit = effect;
      t.seeds_past_ratio = !own;
      h.publish({t});
      QTRY_VERIFY(h.window->torrentModel().find(6) != nullptr && h.window->torrentModel().find(6)->ownRatioLimit == own);
      h.window->selectTorrent(6);
      QTRY_VERIFY(h.window->findChild<TorrentLimitsDialog*>() == nullptr);
      TorrentLimitsDialog* dialog = openLimitsDialog(*h.window);
      QVERIFY(dialog != nullptr);
      QCOMPARE(dialog->findChild<QRadioButton*>(QStringLiteral("ratio_follow"))->isChecked(), follow);
      QCOMPARE(dialog->findChild<QRadioButton*>(QStringLiteral("ratio_at"))->isChecked(), at);
      dialog->reject();
    }
  }

  void generalTabSaysWhyAndTheShareLimit() {
    QTemporaryDir dir;
    Harness h(dir.filePath(QStringLiteral("t.conf")));
    TorrentStatus t = torrent(9, "stuck");
    t.stall = StallReason::peers_unreachable;
    t.stall_detail = "41 connection attempts failed; 3 peers known";
    h.publish({t});
    QTRY_COMPARE(h.window->torrentModel().rowCount(), 1);
    h.window->selectTorrent(9);
    GeneralTab& general = h.window->details().generalTab();
    QCOMPARE(general.stallText(),
             QStringLiteral("Not moving: peers are known, but none can be reached. "
                            "41 connection attempts failed; 3 peers known."));
    QCOMPARE(general.valueText(QStringLiteral("Share limit:")), QStringLiteral("none (seeds until you stop it)"));
    // Moving again: the line goes.
    t.stall = StallReason::none;
    t.stall_detail.clear();
    t.down_rate = 5000;
    h.publish({t});
    QTRY_VERIFY(general.stallText().isEmpty());
    // Stopped at its ratio.
    t = torrent(9, "stuck", TorrentState::paused, 1.0);
    t.ratio_limit = 1.5;
    t.stopped_at_ratio = true;
    h.publish({t});
    QTRY_COMPARE(general.valueText(QStringLiteral("Status:")), QStringLiteral("Stopped at its share ratio"));
    QVERIFY(general.valueText(QStringLiteral("Share limit:")).startsWith(QStringLiteral("1.50, reached")));
  }

  // Hovering the status cell of a stalled torrent shows why, through the real view.
  void statusCellTooltipInTheTable() {
    QTemporaryDir dir;
    Harness h(dir.filePath(QStringLiteral("t.conf")));
    TorrentStatus t = torrent(2, "lonely.iso");
    t.stall = StallReason::no_peers_known;
    t.stall_detail = "1 of 1 tracker failing: http://tracker.example/announce: connection refused";
    h.publish({t});
    QTRY_COMPARE(h.window->torrentModel().rowCount(), 1);
    h.window->resize(1100, 700);
    h.window->show();
    QVERIFY(QTest::qWaitForWindowExposed(h.window.get()));
    HintTreeView& table = h.window->torrentView();
    const QRect cell = table.visualRect(table.model()->index(0, TorrentListModel::StatusColumn));
    QVERIFY(cell.isValid());
    QHelpEvent hover(QEvent::ToolTip, cell.center(), table.viewport()->mapToGlobal(cell.center()));
    QCoreApplication::sendEvent(table.viewport(), &hover);
    QWidget* tip = nullptr;
    QTRY_VERIFY((tip = tooltipWidget()) != nullptr);
    // In lines, so it does not run across the screen: compared as the words shown.
    QCOMPARE(tip->property("text").toString().replace(QLatin1Char('\n'), QLatin1Char(' ')),
             QStringLiteral("Not moving: no peers known. 1 of 1 tracker failing: http://tracker.example/announce: "
                            "connection refused."));
    // For a look at it: build/.../tests/gui/stalled-tooltip.png
    tip->grab().save(QStringLiteral("stalled-tooltip.png"));
    h.window->selectTorrent(2);
    h.window->details().setCurrentIndex(DetailsPanel::GeneralTabIndex);
    QCoreApplication::processEvents();
    h.window->grab().save(QStringLiteral("stalled-general.png"));
  }

  void eventsBecomeStatusLines() {
    QTemporaryDir dir;
    Harness h(dir.filePath(QStringLiteral("t.conf")));
    QSignalSpy errors(h.window.get(), &MainWindow::errorShown);
    h.session.events.push_back(SessionEvent{SessionEvent::Kind::stopped_at_ratio, 4, "big.iso", {}});
    h.publish({});
    QTRY_COMPARE(h.window->statusBar()->currentMessage(),
                 QStringLiteral("big.iso reached its share ratio and was stopped"));
    h.session.events.push_back(SessionEvent{SessionEvent::Kind::state_damaged, 0, "/state/x.torrent", "truncated"});
    h.publish({});
    QTRY_COMPARE(errors.count(), 1);
    QVERIFY(errors.at(0).at(0).toString().contains(QStringLiteral("/state/x.torrent: truncated")));
  }

  void layoutSurvivesARestart() {
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("t.conf"));
    {
      Harness h(file);
      h.window->torrentView().setColumnHidden(TorrentListModel::EtaColumn, true);
      h.window->torrentView().setColumnWidth(TorrentListModel::SizeColumn, 123);
      h.window->sidebar().setCurrent(StatusFilter::seeding);
      h.window->details().setCurrentIndex(DetailsPanel::PeersTabIndex);
      h.window->action(QStringLiteral("show_sidebar"))->setChecked(false);
      h.window->saveWindowState();
    }
    Harness h(file);
    QVERIFY(h.window->torrentView().isColumnHidden(TorrentListModel::EtaColumn));
    QCOMPARE(h.window->torrentView().columnWidth(TorrentListModel::SizeColumn), 123);
    QCOMPARE(h.window->sidebar().current(), StatusFilter::seeding);
    QCOMPARE(h.window->details().currentIndex(), static_cast<int>(DetailsPanel::PeersTabIndex));
    QVERIFY(!h.window->action(QStringLiteral("show_sidebar"))->isChecked());
  }
};

TESSERA_GUI_TEST_MAIN(MainWindowTest)
#include "main_window_test.moc"
