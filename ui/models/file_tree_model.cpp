#include "models/file_tree_model.hpp"

#include <QHash>

#include <algorithm>

#include "util/format.hpp"
#include "util/icons.hpp"
#include "util/natural_compare.hpp"

namespace tessera::gui {

struct FileTreeModel::Node {
  QString name;
  Node* parent = nullptr;
  std::vector<std::unique_ptr<Node>> children;
  int row = 0;
  std::int64_t fileIndex = -1;  // -1: a folder
  std::int64_t size = 0;
  std::int64_t have = 0;
  int priority = static_cast<int>(FilePriority::normal);  // folders: kMixed when they differ
  int files = 0;    // files in this subtree (1 for a file)
  int skipped = 0;  // of which "do not download"

  bool isFile() const { return fileIndex >= 0; }
  double progress() const { return size > 0 ? static_cast<double>(have) / static_cast<double>(size) : 1.0; }
  Qt::CheckState checkState() const {
    if (skipped == 0) return Qt::Checked;
    return skipped == files ? Qt::Unchecked : Qt::PartiallyChecked;
  }
};

QString priorityText(int priority) {
  switch (priority) {
    case static_cast<int>(FilePriority::skip): return FileTreeModel::tr("Do not download");
    case static_cast<int>(FilePriority::normal): return FileTreeModel::tr("Normal");
    case static_cast<int>(FilePriority::high): return FileTreeModel::tr("High");
    default: return FileTreeModel::tr("Mixed");
  }
}

FileTreeModel::FileTreeModel(QObject* parent) : QAbstractItemModel(parent), root_(std::make_unique<Node>()) {}

FileTreeModel::~FileTreeModel() = default;

FileTreeModel::Node* FileTreeModel::nodeOf(const QModelIndex& index) const {
  return index.isValid() ? static_cast<Node*>(index.internalPointer()) : root_.get();
}

QModelIndex FileTreeModel::indexOf(Node* node, int column) const {
  if (node == nullptr || node == root_.get()) return {};
  return createIndex(node->row, column, node);
}

QModelIndex FileTreeModel::index(int row, int column, const QModelIndex& parent) const {
  const Node* p = nodeOf(parent);
  if (row < 0 || column < 0 || column >= ColumnCount || row >= static_cast<int>(p->children.size())) return {};
  return createIndex(row, column, p->children[static_cast<std::size_t>(row)].get());
}

QModelIndex FileTreeModel::parent(const QModelIndex& child) const {
  if (!child.isValid()) return {};
  return indexOf(nodeOf(child)->parent, 0);
}

int FileTreeModel::rowCount(const QModelIndex& parent) const {
  if (parent.isValid() && parent.column() != 0) return 0;
  return static_cast<int>(nodeOf(parent)->children.size());
}

int FileTreeModel::columnCount(const QModelIndex&) const { return ColumnCount; }

QVariant FileTreeModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid()) return {};
  const Node* n = nodeOf(index);
  switch (role) {
    case Qt::DisplayRole:
      switch (index.column()) {
        case NameColumn: return n->name;
        case SizeColumn: return formatSize(n->size);
        case ProgressColumn: return formatPercent(n->progress());
        case PriorityColumn: return priorityText(n->priority);
        default: return {};
      }
    case Qt::EditRole:
      if (index.column() == PriorityColumn) return n->priority;
      return {};
    case Qt::CheckStateRole:
      if (index.column() == NameColumn) return n->checkState();
      return {};
    case Qt::DecorationRole:
      if (index.column() == NameColumn) {
        static const QIcon folder = themedIcon(QStringLiteral("folder"), QStringLiteral("folder"));
        static const QIcon file = themedIcon(QStringLiteral("text-x-generic"), QStringLiteral("file"));
        return n->isFile() ? file : folder;
      }
      return {};
    case Qt::TextAlignmentRole:
      if (index.column() == SizeColumn) return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
      if (index.column() == ProgressColumn) return QVariant::fromValue(Qt::AlignCenter);
      return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ToolTipRole:
      if (index.column() == NameColumn) {
        QString path = n->name;
        for (const Node* p = n->parent; p != nullptr && p != root_.get(); p = p->parent) path.prepend(p->name + QLatin1Char('/'));
        return path;
      }
      return {};
    case SortRole:
      switch (index.column()) {
        case NameColumn: return n->name;
        case SizeColumn: return QVariant::fromValue<qint64>(n->size);
        case ProgressColumn: return n->progress();
        case PriorityColumn: return n->priority;
        default: return {};
      }
    case ProgressRole: return n->progress();
    case PriorityRole: return n->priority;
    case FileIndexRole: return QVariant::fromValue<qint64>(n->fileIndex);
    default: return {};
  }
}

Qt::ItemFlags FileTreeModel::flags(const QModelIndex& index) const {
  if (!index.isValid()) return Qt::NoItemFlags;
  Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
  if (index.column() == NameColumn) f |= Qt::ItemIsUserCheckable;
  if (index.column() == PriorityColumn) f |= Qt::ItemIsEditable;
  return f;
}

QVariant FileTreeModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case NameColumn: return tr("Name");
    case SizeColumn: return tr("Size");
    case ProgressColumn: return tr("Progress");
    case PriorityColumn: return tr("Priority");
    default: return {};
  }
}

bool FileTreeModel::setData(const QModelIndex& index, const QVariant& value, int role) {
  if (!index.isValid()) return false;
  if (index.column() == NameColumn && role == Qt::CheckStateRole) {
    const auto state = static_cast<Qt::CheckState>(value.toInt());
    if (state == Qt::Unchecked) {
      setPriority(index, FilePriority::skip);
    } else {
      // Checking a folder wants its skipped files back, and keeps the high ones high.
      Node* n = nodeOf(index);
      std::vector<Node*> stack{n};
      bool any = false;
      std::vector<Node*> skippedLeaves;
      while (!stack.empty()) {
        Node* cur = stack.back();
        stack.pop_back();
        if (cur->isFile()) {
          if (cur->priority == static_cast<int>(FilePriority::skip)) skippedLeaves.push_back(cur);
        } else {
          for (auto& c : cur->children) stack.push_back(c.get());
        }
      }
      for (Node* leaf : skippedLeaves) applyPriority(leaf, FilePriority::normal, any);
      if (any) {
        std::vector<Node*> changed;
        aggregate(root_.get(), changed);
        for (Node* c : changed) emitNodeChanged(c);
        emit wantedSizeChanged(wantedSize());
      }
    }
    return true;
  }
  if (index.column() == PriorityColumn && (role == Qt::EditRole || role == PriorityRole)) {
    const int p = value.toInt();
    if (p < 0 || p > static_cast<int>(FilePriority::high)) return false;
    setPriority(index, static_cast<FilePriority>(p));
    return true;
  }
  return false;
}

void FileTreeModel::applyPriority(Node* node, FilePriority priority, bool& anyChanged) {
  if (!node->isFile()) {
    for (auto& c : node->children) applyPriority(c.get(), priority, anyChanged);
    return;
  }
  if (node->priority == static_cast<int>(priority)) return;
  node->priority = static_cast<int>(priority);
  node->skipped = priority == FilePriority::skip ? 1 : 0;
  anyChanged = true;
  const auto fileIndex = static_cast<std::uint32_t>(node->fileIndex);
  // Until the engine's snapshot shows the edit, the edit wins over older snapshots.
  pending_[fileIndex] = Pending{priority, 6};
  emitNodeChanged(node);
  emit filePriorityChanged(fileIndex, static_cast<int>(priority));
}

void FileTreeModel::setPriority(const QModelIndex& index, FilePriority priority) {
  Node* n = nodeOf(index);
  if (n == root_.get()) return;
  bool any = false;
  applyPriority(n, priority, any);
  if (!any) return;
  std::vector<Node*> changed;
  aggregate(root_.get(), changed);
  for (Node* c : changed) emitNodeChanged(c);
  emit wantedSizeChanged(wantedSize());
}

void FileTreeModel::emitNodeChanged(Node* node) {
  if (node == root_.get()) return;
  emit dataChanged(indexOf(node, NameColumn), indexOf(node, PriorityColumn));
}

void FileTreeModel::aggregate(Node* node, std::vector<Node*>& changed) {
  if (node->isFile()) return;
  std::int64_t size = 0, have = 0;
  int files = 0, skipped = 0;
  std::optional<int> priority;
  bool mixed = false;
  for (auto& c : node->children) {
    aggregate(c.get(), changed);
    size += c->size;
    have += c->have;
    files += c->files;
    skipped += c->skipped;
    if (c->priority == kMixed || (priority && *priority != c->priority)) mixed = true;
    priority = c->priority;
  }
  const int newPriority = mixed || !priority ? (priority ? kMixed : static_cast<int>(FilePriority::normal)) : *priority;
  if (size != node->size || have != node->have || files != node->files || skipped != node->skipped ||
      newPriority != node->priority) {
    node->size = size;
    node->have = have;
    node->files = files;
    node->skipped = skipped;
    node->priority = newPriority;
    changed.push_back(node);
  }
}

void FileTreeModel::rebuild(TorrentId torrent, const std::vector<Entry>& entries) {
  if (!root_->children.empty()) {
    beginRemoveRows({}, 0, static_cast<int>(root_->children.size()) - 1);
    root_->children.clear();
    leaves_.clear();
    endRemoveRows();
  }
  leaves_.clear();
  pending_.clear();
  torrent_ = torrent;
  maxFileIndex_ = 0;
  auto root = std::make_unique<Node>();
  // Folder lookup while building: (parent, name) -> folder.
  QHash<QPair<Node*, QString>, Node*> folders;
  for (const Entry& e : entries) {
    const QStringList parts = e.path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    if (parts.isEmpty()) continue;
    Node* parent = root.get();
    for (qsizetype i = 0; i + 1 < parts.size(); ++i) {
      auto key = qMakePair(parent, parts[i]);
      auto it = folders.find(key);
      if (it == folders.end()) {
        auto folder = std::make_unique<Node>();
        folder->name = parts[i];
        folder->parent = parent;
        it = folders.insert(key, folder.get());
        parent->children.push_back(std::move(folder));
      }
      parent = *it;
    }
    auto leaf = std::make_unique<Node>();
    leaf->name = parts.back();
    leaf->parent = parent;
    leaf->fileIndex = e.index;
    leaf->size = e.size;
    leaf->have = e.have;
    leaf->priority = static_cast<int>(e.priority);
    leaf->files = 1;
    leaf->skipped = e.priority == FilePriority::skip ? 1 : 0;
    leaves_[e.index] = leaf.get();
    maxFileIndex_ = std::max(maxFileIndex_, e.index);
    parent->children.push_back(std::move(leaf));
  }
  // Folders first, then natural name order ("part 2" before "part 10").
  std::vector<Node*> stack{root.get()};
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    std::stable_sort(n->children.begin(), n->children.end(), [&](const auto& a, const auto& b) {
      if (a->isFile() != b->isFile()) return !a->isFile();
      return naturalCompare(a->name, b->name) < 0;
    });
    for (std::size_t i = 0; i < n->children.size(); ++i) {
      n->children[i]->row = static_cast<int>(i);
      if (!n->children[i]->isFile()) stack.push_back(n->children[i].get());
    }
  }
  std::vector<Node*> ignored;
  aggregate(root.get(), ignored);
  if (root->children.empty()) {
    root_ = std::move(root);
    return;
  }
  beginInsertRows({}, 0, static_cast<int>(root->children.size()) - 1);
  root_ = std::move(root);
  endInsertRows();
}

void FileTreeModel::setFiles(TorrentId torrent, const std::vector<FileStatus>& files) {
  bool same = torrent == torrent_ && files.size() == leaves_.size();
  for (std::size_t i = 0; same && i < files.size(); ++i) same = leaves_.contains(files[i].index);
  if (!same) {
    std::vector<Entry> entries;
    entries.reserve(files.size());
    for (const FileStatus& f : files) {
      entries.push_back(Entry{f.index, QString::fromStdString(f.path), f.size, f.have_bytes, f.priority});
    }
    rebuild(torrent, entries);
    emit wantedSizeChanged(wantedSize());
    return;
  }
  std::vector<Node*> changed;
  for (const FileStatus& f : files) {
    Node* leaf = leaves_.at(f.index);
    int priority = static_cast<int>(f.priority);
    if (auto it = pending_.find(f.index); it != pending_.end()) {
      if (it->second.priority == f.priority || --it->second.snapshotsLeft <= 0) {
        pending_.erase(it);
      } else {
        priority = static_cast<int>(it->second.priority);
      }
    }
    if (leaf->have != f.have_bytes || leaf->priority != priority) {
      leaf->have = f.have_bytes;
      leaf->priority = priority;
      leaf->skipped = priority == static_cast<int>(FilePriority::skip) ? 1 : 0;
      changed.push_back(leaf);
    }
  }
  if (changed.empty()) return;
  aggregate(root_.get(), changed);
  for (Node* n : changed) emitNodeChanged(n);
}

void FileTreeModel::setTorrentInfo(const TorrentInfo& info) {
  std::vector<Entry> entries;
  for (const TorrentInfoFile& f : info.files) {
    if (f.pad) continue;
    entries.push_back(Entry{f.index, QString::fromStdString(f.path), f.size, 0, FilePriority::normal});
  }
  // Single-file torrents name the file only; show it inside nothing, as it will be saved.
  rebuild(0, entries);
  emit wantedSizeChanged(wantedSize());
}

void FileTreeModel::clear() { rebuild(0, {}); }

std::vector<FilePriority> FileTreeModel::priorities() const {
  if (leaves_.empty()) return {};
  std::vector<FilePriority> out(static_cast<std::size_t>(maxFileIndex_) + 1, FilePriority::normal);
  for (const auto& [index, node] : leaves_) out[index] = static_cast<FilePriority>(node->priority);
  return out;
}

std::int64_t FileTreeModel::wantedSize() const {
  std::int64_t total = 0;
  for (const auto& [index, node] : leaves_) {
    if (node->priority != static_cast<int>(FilePriority::skip)) total += node->size;
  }
  return total;
}

std::int64_t FileTreeModel::totalSize() const { return root_->size; }

}  // namespace tessera::gui
