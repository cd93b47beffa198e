// The Files tab's tree: built from '/'-separated paths, folder totals, and priority edits (check
// boxes, the priority column, folders) reaching the session — also while downloading.
#include <QSignalSpy>

#include "gui_test_support.hpp"
#include "models/file_tree_model.hpp"
#include "models/speed_history.hpp"
#include "session/detail_torrents.hpp"
#include "widgets/details_panel.hpp"

using namespace tessera;
using namespace tessera::gui;
using namespace tessera::gui::test;

namespace {

std::vector<FileStatus> files() {
  // Index 1 is a pad file in the torrent: snapshots leave it out.
  return {FileStatus{0, "Album/cover.jpg", 1000, 1000, FilePriority::normal},
          FileStatus{2, "Album/CD 1/track 10.flac", 4000, 0, FilePriority::normal},
          FileStatus{3, "Album/CD 1/track 9.flac", 5000, 2500, FilePriority::normal},
          FileStatus{4, "Album/CD 2/track 1.flac", 6000, 0, FilePriority::skip}};
}

QModelIndex child(const QAbstractItemModel& m, const QModelIndex& parent, const QString& name) {
  for (int r = 0; r < m.rowCount(parent); ++r) {
    const QModelIndex i = m.index(r, 0, parent);
    if (i.data().toString() == name) return i;
  }
  return {};
}

}  // namespace

class FileTreeModelTest : public QObject {
  Q_OBJECT

 private slots:
  void buildsFoldersWithTotals() {
    FileTreeModel model;
    model.setFiles(1, files());
    QCOMPARE(model.rowCount(), 1);
    const QModelIndex album = model.index(0, 0);
    QCOMPARE(album.data().toString(), QStringLiteral("Album"));
    // Folders first, then natural order.
    QCOMPARE(model.index(0, 0, album).data().toString(), QStringLiteral("CD 1"));
    QCOMPARE(model.index(1, 0, album).data().toString(), QStringLiteral("CD 2"));
    QCOMPARE(model.index(2, 0, album).data().toString(), QStringLiteral("cover.jpg"));
    const QModelIndex cd1 = child(model, album, QStringLiteral("CD 1"));
    QCOMPARE(model.index(0, 0, cd1).data().toString(), QStringLiteral("track 9.flac"));
    QCOMPARE(model.index(album.row(), FileTreeModel::SizeColumn).data().toString(), QStringLiteral("15.6 KiB"));
    QCOMPARE(model.index(cd1.row(), FileTreeModel::ProgressColumn, album).data().toString(), QStringLiteral("27.7%"));
    QCOMPARE(album.data(Qt::CheckStateRole).toInt(), static_cast<int>(Qt::PartiallyChecked));
    QCOMPARE(model.index(album.row(), FileTreeModel::PriorityColumn).data().toString(), QStringLiteral("Mixed"));
    QCOMPARE(model.wantedSize(), 10000);
    QCOMPARE(model.totalSize(), 16000);
  }

  void progressUpdatesInPlace() {
    FileTreeModel model;
    model.setFiles(1, files());
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    auto next = files();
    next[1].have_bytes = 4000;  // track 10 done
    model.setFiles(1, next);
    QCOMPARE(removed.count(), 0);
    // The file, its folder and the top folder; nothing else.
    QCOMPARE(changed.count(), 3);
    const QModelIndex cd1 = child(model, model.index(0, 0), QStringLiteral("CD 1"));
    QCOMPARE(model.index(1, FileTreeModel::ProgressColumn, cd1).data().toString(), QStringLiteral("100%"));
  }

  void editsReachTheSession() {
    FakeSessionClient session;
    SpeedHistory history;
    DetailTorrents detailTorrents(session);
    DetailsPanel panel(session, detailTorrents, history);
    panel.setTorrent(5);
    QCOMPARE(session.detail, std::vector<TorrentId>{5});
    // A torrent held for a moment (a magnet's file choice) has details too, beside the shown one.
    detailTorrents.hold(9);
    QCOMPARE(session.detail, (std::vector<TorrentId>{9, 5}));
    detailTorrents.release(9);
    QCOMPARE(session.detail, std::vector<TorrentId>{5});
    SessionSnapshot s;
    TorrentStatus t = torrent(5, "Album");
    t.has_details = true;
    t.files = files();
    s.torrents.push_back(t);
    panel.applySnapshot(s);
    FileTreeModel& model = panel.fileModel();
    const QModelIndex album = model.index(0, 0);
    const QModelIndex cd1 = child(model, album, QStringLiteral("CD 1"));

    // A file's priority column, as the combo box sets it.
    const QModelIndex track9 = model.index(0, FileTreeModel::PriorityColumn, cd1);
    QVERIFY(model.setData(track9, static_cast<int>(FilePriority::high), Qt::EditRole));
    QCOMPARE(session.count("file_priority"), 1u);
    QCOMPARE(session.calls.back().id, 5u);
    QCOMPARE(session.calls.back().a, 3);
    QCOMPARE(session.calls.back().b, static_cast<std::int64_t>(FilePriority::high));
    QCOMPARE(track9.data().toString(), QStringLiteral("High"));

    // A stale snapshot (taken before the engine applied it) does not flip the edit back.
    panel.applySnapshot(s);
    QCOMPARE(model.index(0, FileTreeModel::PriorityColumn, cd1).data().toString(), QStringLiteral("High"));

    // Unchecking a folder skips every file in it.
    session.calls.clear();
    QVERIFY(model.setData(cd1, Qt::Unchecked, Qt::CheckStateRole));
    QCOMPARE(session.count("file_priority"), 2u);
    for (const auto& c : session.calls) QCOMPARE(c.b, static_cast<std::int64_t>(FilePriority::skip));
    QCOMPARE(cd1.data(Qt::CheckStateRole).toInt(), static_cast<int>(Qt::Unchecked));
    // Checking the top folder wants the skipped ones back (CD 1's two and CD 2's one) as normal.
    session.calls.clear();
    QVERIFY(model.setData(album, Qt::Checked, Qt::CheckStateRole));
    QCOMPARE(session.count("file_priority"), 3u);
    for (const auto& c : session.calls) QCOMPARE(c.b, static_cast<std::int64_t>(FilePriority::normal));
    QCOMPARE(album.data(Qt::CheckStateRole).toInt(), static_cast<int>(Qt::Checked));
  }

  void addDialogPriorities() {
    TorrentInfo info;
    info.name = "Album";
    info.files = {TorrentInfoFile{0, "Album/a", 10, false}, TorrentInfoFile{1, "Album/.pad/1", 6, true},
                  TorrentInfoFile{2, "Album/b", 20, false}};
    info.total_size = 30;
    FileTreeModel model;
    QSignalSpy wanted(&model, &FileTreeModel::wantedSizeChanged);
    model.setTorrentInfo(info);
    QCOMPARE(model.wantedSize(), 30);
    const QModelIndex album = model.index(0, 0);
    QVERIFY(model.setData(child(model, album, QStringLiteral("b")), Qt::Unchecked, Qt::CheckStateRole));
    QCOMPARE(model.wantedSize(), 10);
    QCOMPARE(wanted.last().at(0).toLongLong(), 10);
    const auto p = model.priorities();
    QCOMPARE(p.size(), 3u);
    QCOMPARE(p[0], FilePriority::normal);
    QCOMPARE(p[1], FilePriority::normal);  // the pad file: untouched
    QCOMPARE(p[2], FilePriority::skip);
  }
};

TESSERA_GUI_TEST_MAIN(FileTreeModelTest)
#include "file_tree_model_test.moc"
