// Adding torrents to a real session (loopback, no trackers): from the command line with and without
// the Add Torrent dialog, by a drop on the window, from a second launch; and errors reported as one
// line per file with the good ones still added.
#include <QDropEvent>
#include <QMimeData>
#include <QSignalSpy>
#include <QThread>
#include <QUrl>

#include <atomic>

#include "app/app_controller.hpp"
#include "app/main_window.hpp"
#include "app/single_instance.hpp"
#include "app/torrent_adder.hpp"
#include "dialogs/add_torrent_dialog.hpp"
#include "gui_test_support.hpp"
#include "models/file_tree_model.hpp"
#include "models/torrent_list_model.hpp"

using namespace tessera;
using namespace tessera::gui;
using namespace tessera::gui::test;

namespace {

std::size_t torrentCount(AppController& app) {
  auto s = app.session()->snapshot();
  return s ? s->torrents.size() : 0;
}

const TorrentStatus* findTorrent(AppController& app, const std::string& name) {
  static std::shared_ptr<const SessionSnapshot> keep;
  keep = app.session()->snapshot();
  if (!keep) return nullptr;
  for (const TorrentStatus& t : keep->torrents) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

AddTorrentDialog* openAddDialog() {
  for (QWidget* w : QApplication::topLevelWidgets()) {
    if (auto* d = qobject_cast<AddTorrentDialog*>(w); d != nullptr && d->isVisible()) return d;
  }
  return nullptr;
}

void drop(QWidget* target, const QList<QUrl>& urls) {
  QMimeData mime;
  mime.setUrls(urls);
  const QPointF at(target->width() / 2.0, target->height() / 2.0);
  QDragEnterEvent enter(at.toPoint(), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(target, &enter);
  QVERIFY(enter.isAccepted());
  QDropEvent dropEvent(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(target, &dropEvent);
  QVERIFY(dropEvent.isAccepted());
}

// Launch options for a fresh profile in `state` that adds torrents straight to dir/downloads.
LaunchOptions withoutAddDialog(const QTemporaryDir& dir, const QString& state) {
  writeSetting(state, QStringLiteral("downloads/show_add_dialog"), false);
  writeSetting(state, QStringLiteral("downloads/save_path"), dir.filePath(QStringLiteral("downloads")));
  LaunchOptions options;
  options.stateDir = state;
  return options;
}

}  // namespace

class AddingTest : public QObject {
  Q_OBJECT

 private slots:
  void commandLineAddsStraightAway() {
    QTemporaryDir dir;
    const QString state = dir.filePath(QStringLiteral("state"));
    LaunchOptions options = withoutAddDialog(dir, state);
    options.torrents << makeTorrent(dir.path(), QStringLiteral("from-command-line"));
    AppController app(options, loopbackOverrides());
    QVERIFY(app.start());
    QTRY_VERIFY_WITH_TIMEOUT(findTorrent(app, "from-command-line") != nullptr, 5000);
    QCOMPARE(findTorrent(app, "from-command-line")->save_path,
             QDir(dir.filePath(QStringLiteral("downloads"))).absolutePath().toStdString());
    // It shows up in the table, selected.
    QTRY_COMPARE_WITH_TIMEOUT(app.window()->torrentModel().rowCount(), 1, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(app.window()->selectedTorrents().size() == 1, 5000);
  }

  void commandLineThroughTheAddDialog() {
    QTemporaryDir dir;
    const QString state = dir.filePath(QStringLiteral("state"));
    LaunchOptions options;
    options.stateDir = state;
    options.torrents << makeTorrent(dir.path(), QStringLiteral("with-dialog"));
    AppController app(options, loopbackOverrides());
    QVERIFY(app.start());
    AddTorrentDialog* dialog = openAddDialog();
    QVERIFY(dialog != nullptr);
    QCOMPARE(torrentCount(app), 0u);  // nothing added until the user says so
    dialog->setSavePath(dir.filePath(QStringLiteral("chosen")));
    dialog->setStartNow(false);
    // For a look at it: build/.../tests/gui/add-torrent-dialog.png
    dialog->grab().save(QStringLiteral("add-torrent-dialog.png"));
    // Leave out the sub folder.
    FileTreeModel& files = dialog->fileModel();
    const QModelIndex top = files.index(0, 0);
    QModelIndex sub;
    for (int r = 0; r < files.rowCount(top); ++r) {
      if (files.index(r, 0, top).data().toString() == QStringLiteral("sub")) sub = files.index(r, 0, top);
    }
    QVERIFY(sub.isValid());
    QVERIFY(files.setData(sub, Qt::Unchecked, Qt::CheckStateRole));
    dialog->accept();
    QTRY_VERIFY_WITH_TIMEOUT(findTorrent(app, "with-dialog") != nullptr, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(findTorrent(app, "with-dialog")->state == TorrentState::paused, 5000);
    const TorrentStatus* t = findTorrent(app, "with-dialog");
    QCOMPARE(t->save_path, QDir(dir.filePath(QStringLiteral("chosen"))).absolutePath().toStdString());
    QVERIFY(t->wanted_size < t->total_size);
  }

  void dropOnTheWindow() {
    QTemporaryDir dir;
    const QString state = dir.filePath(QStringLiteral("state"));
    LaunchOptions options = withoutAddDialog(dir, state);
    AppController app(options, loopbackOverrides());
    QVERIFY(app.start());
    const QString file = makeTorrent(dir.path(), QStringLiteral("dropped"));
    drop(app.window(), {QUrl::fromLocalFile(file)});
    QTRY_VERIFY_WITH_TIMEOUT(findTorrent(app, "dropped") != nullptr, 5000);
  }

  void errorsOneLineEachAndTheRestAdded() {
    QTemporaryDir dir;
    const QString state = dir.filePath(QStringLiteral("state"));
    LaunchOptions options = withoutAddDialog(dir, state);
    const QString good = makeTorrent(dir.path(), QStringLiteral("good"));
    options.torrents << good;
    AppController app(options, loopbackOverrides());
    QVERIFY(app.start());
    QTRY_VERIFY_WITH_TIMEOUT(findTorrent(app, "good") != nullptr, 5000);
    QSignalSpy errors(app.window(), &MainWindow::errorShown);
    const QString bad = dir.filePath(QStringLiteral("bad.torrent"));
    {
      QFile f(bad);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("d8:announce3:abc");  // cut short
    }
    const QString other = makeTorrent(dir.path(), QStringLiteral("other"));
    drop(app.window(), {QUrl::fromLocalFile(bad), QUrl::fromLocalFile(good), QUrl::fromLocalFile(other)});
    QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, 5000);
    const QStringList lines = errors.at(0).at(0).toString().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines[0].startsWith(QStringLiteral("bad.torrent: not a valid torrent")), qPrintable(lines[0]));
    QVERIFY2(lines[1].contains(QStringLiteral("already added")), qPrintable(lines[1]));
    QTRY_VERIFY_WITH_TIMEOUT(findTorrent(app, "other") != nullptr, 5000);
    QCOMPARE(torrentCount(app), 2u);
  }

  void secondLaunchHandsItsArgumentsOver() {
    QTemporaryDir dir;
    const QString state = dir.filePath(QStringLiteral("state"));
    LaunchOptions options = withoutAddDialog(dir, state);
    AppController app(options, loopbackOverrides());
    QVERIFY(app.start());
    InstanceServer server;
    const QString name = instanceServerName(state);
    QVERIFY(server.listen(name));
    app.listenForOtherInstances(&server);
    const QString file = makeTorrent(dir.path(), QStringLiteral("handed-over"));
    // The second launch blocks on its socket; it runs on its own thread while this one serves.
    std::atomic<int> result{-1};
    QThread* launcher = QThread::create([&] { result = forwardToRunningInstance(name, {file}) ? 1 : 0; });
    launcher->start();
    QTRY_VERIFY_WITH_TIMEOUT(result != -1, 10000);
    launcher->wait();
    delete launcher;
    QCOMPARE(result.load(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(findTorrent(app, "handed-over") != nullptr, 5000);
    // Nobody listening under another name: the launch would start its own app.
    QVERIFY(!forwardToRunningInstance(instanceServerName(dir.filePath(QStringLiteral("elsewhere"))), {}, 500));
  }
};

TESSERA_GUI_TEST_MAIN(AddingTest)
#include "adding_test.moc"
