// A torrent's files as a folder tree ('/'-separated paths), with sizes, progress and priorities.
// The Files tab shows it for the selected torrent (updated in place from each snapshot); the add
// dialog shows it for a .torrent about to be added. Unchecking a file means "do not download".
#pragma once

#include <QAbstractItemModel>

#include <memory>
#include <unordered_map>
#include <vector>

#include <tessera/status.hpp>
#include <tessera/torrent_info.hpp>

namespace tessera::gui {

class FileTreeModel : public QAbstractItemModel {
  Q_OBJECT

 public:
  enum Column : int { NameColumn, SizeColumn, ProgressColumn, PriorityColumn, ColumnCount };
  enum Role : int {
    SortRole = Qt::UserRole + 1,
    ProgressRole,   // double 0..1
    PriorityRole,   // int(FilePriority), or -1 for a folder of mixed priorities
    FileIndexRole,  // the file's index in the torrent, -1 for folders
  };
  static constexpr int kMixed = -1;

  explicit FileTreeModel(QObject* parent = nullptr);
  ~FileTreeModel() override;

  QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
  QModelIndex parent(const QModelIndex& child) const override;
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  bool setData(const QModelIndex& index, const QVariant& value, int role) override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  // The files of `torrent` from a snapshot. The same torrent with the same files updates the rows in
  // place (dataChanged for what changed); anything else replaces them.
  void setFiles(TorrentId torrent, const std::vector<FileStatus>& files);
  // The files of a .torrent not added yet (pad files left out), every one wanted.
  void setTorrentInfo(const TorrentInfo& info);
  void clear();
  TorrentId torrent() const { return torrent_; }

  // Sets the priority of a file, or of every file in a folder; emits filePriorityChanged per file
  // that changed.
  void setPriority(const QModelIndex& index, FilePriority priority);
  // By file index, for AddTorrentParams::file_priorities (indices without a file stay normal).
  std::vector<FilePriority> priorities() const;
  std::int64_t wantedSize() const;
  std::int64_t totalSize() const;

 signals:
  // A user's edit (check box, priority column or setPriority), one per file.
  void filePriorityChanged(quint32 fileIndex, int priority);
  void wantedSizeChanged(qint64 bytes);

 private:
  struct Node;
  struct Entry {
    std::uint32_t index;
    QString path;
    std::int64_t size;
    std::int64_t have;
    FilePriority priority;
  };
  struct Pending {
    FilePriority priority;
    int snapshotsLeft;  // give up waiting for the engine to echo the edit after this many
  };

  Node* nodeOf(const QModelIndex& index) const;
  QModelIndex indexOf(Node* node, int column) const;
  void rebuild(TorrentId torrent, const std::vector<Entry>& entries);
  // Recomputes folder totals below `node`; collects the nodes whose shown values changed.
  void aggregate(Node* node, std::vector<Node*>& changed);
  void emitNodeChanged(Node* node);
  void applyPriority(Node* node, FilePriority priority, bool& anyChanged);

  TorrentId torrent_ = 0;
  std::unique_ptr<Node> root_;
  std::unordered_map<std::uint32_t, Node*> leaves_;  // file index -> node
  std::unordered_map<std::uint32_t, Pending> pending_;
  std::uint32_t maxFileIndex_ = 0;
};

QString priorityText(int priority);

}  // namespace tessera::gui
