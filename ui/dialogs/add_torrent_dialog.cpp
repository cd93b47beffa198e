#include "dialogs/add_torrent_dialog.hpp"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QStorageInfo>
#include <QVBoxLayout>

#include "models/file_tree_model.hpp"
#include "util/disk_of.hpp"
#include "util/format.hpp"
#include "widgets/file_priority_delegate.hpp"
#include "widgets/hint_tree_view.hpp"

namespace tessera::gui {

AddTorrentDialog::AddTorrentDialog(TorrentInfo info, QString sourcePath, std::string torrentData,
                                   const QString& savePath, bool startNow, Submit submit, QWidget* parent)
    : QDialog(parent),
      info_(std::move(info)),
      sourcePath_(std::move(sourcePath)),
      data_(std::move(torrentData)),
      submit_(std::move(submit)) {
  setWindowTitle(tr("Add Torrent"));
  auto* layout = new QVBoxLayout(this);

  auto* name = new QLabel(QString::fromStdString(info_.name), this);
  QFont big = name->font();
  big.setBold(true);
  big.setPointSizeF(big.pointSizeF() * 1.15);
  name->setFont(big);
  name->setWordWrap(true);
  name->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(name);

  auto* form = new QFormLayout();
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  size_ = new QLabel(this);
  form->addRow(tr("Size:"), size_);
  auto* hash = new QLabel(QString::fromStdString(info_.info_hash), this);
  hash->setTextInteractionFlags(Qt::TextSelectableByMouse);
  form->addRow(tr("Info-hash:"), hash);
  std::size_t trackerCount = 0;
  for (const auto& tier : info_.trackers) trackerCount += tier.size();
  form->addRow(tr("Trackers:"), new QLabel(trackerCount == 0 ? tr("none") : QString::number(trackerCount), this));
  if (!info_.comment.empty()) {
    auto* comment = new QLabel(QString::fromStdString(info_.comment), this);
    comment->setWordWrap(true);
    comment->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(tr("Comment:"), comment);
  }
  auto* folderRow = new QHBoxLayout();
  savePath_ = new QLineEdit(this);
  browse_ = new QPushButton(tr("Browse…"), this);
  folderRow->addWidget(savePath_, 1);
  folderRow->addWidget(browse_);
  form->addRow(tr("Save in:"), folderRow);
  freeSpace_ = new QLabel(this);
  form->addRow(QString(), freeSpace_);
  start_ = new QCheckBox(tr("Start the torrent now"), this);
  form->addRow(QString(), start_);
  layout->addLayout(form);

  files_ = new FileTreeModel(this);
  files_->setTorrentInfo(info_);
  view_ = new HintTreeView(this);
  view_->setModel(files_);
  view_->setUniformRowHeights(true);
  view_->setAlternatingRowColors(true);
  view_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  view_->setEditTriggers(QAbstractItemView::SelectedClicked | QAbstractItemView::DoubleClicked);
  view_->setItemDelegateForColumn(FileTreeModel::PriorityColumn, new FilePriorityDelegate(view_));
  view_->setColumnHidden(FileTreeModel::ProgressColumn, true);
  view_->header()->setStretchLastSection(false);
  view_->header()->setSectionResizeMode(FileTreeModel::NameColumn, QHeaderView::Stretch);
  const QFontMetrics fm = fontMetrics();
  view_->setColumnWidth(FileTreeModel::SizeColumn, fm.horizontalAdvance(QStringLiteral("999.9 MiB")) + 30);
  view_->setColumnWidth(FileTreeModel::PriorityColumn, fm.horizontalAdvance(QStringLiteral("Do not download ▾")) + 30);
  view_->expandToDepth(0);
  layout->addWidget(view_, 1);

  auto* selectRow = new QHBoxLayout();
  auto* all = new QPushButton(tr("Select All"), this);
  auto* none = new QPushButton(tr("Select None"), this);
  selectRow->addWidget(all);
  selectRow->addWidget(none);
  selectRow->addStretch(1);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  addButton_ = buttons->button(QDialogButtonBox::Ok);
  addButton_->setText(tr("Add"));
  selectRow->addWidget(buttons);
  layout->addLayout(selectRow);

  auto setAll = [this](FilePriority p) {
    for (int r = 0; r < files_->rowCount(); ++r) files_->setPriority(files_->index(r, 0), p);
  };
  connect(all, &QPushButton::clicked, this, [setAll] { setAll(FilePriority::normal); });
  connect(none, &QPushButton::clicked, this, [setAll] { setAll(FilePriority::skip); });
  connect(buttons, &QDialogButtonBox::accepted, this, &AddTorrentDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &AddTorrentDialog::reject);
  connect(browse_, &QPushButton::clicked, this, &AddTorrentDialog::browse);
  connect(files_, &FileTreeModel::wantedSizeChanged, this, &AddTorrentDialog::updateSize);
  connect(savePath_, &QLineEdit::textChanged, this, &AddTorrentDialog::updateSize);

  setSavePath(savePath);
  setStartNow(startNow);
  updateSize();
  resize(std::max(560, fm.horizontalAdvance(QString::fromStdString(info_.name)) + 80), 520);
}

void AddTorrentDialog::setSavePath(const QString& path) { savePath_->setText(QDir::toNativeSeparators(path)); }
void AddTorrentDialog::setStartNow(bool start) { start_->setChecked(start); }

void AddTorrentDialog::showAddedFiles(const std::vector<FileStatus>& files) {
  setWindowTitle(tr("Choose Files"));
  savePath_->setReadOnly(true);
  savePath_->setToolTip(tr("Chosen when the magnet link was added (the default save folder)"));
  browse_->hide();
  files_->setFiles(0, files);
  view_->expandToDepth(0);
  addButton_->setText(tr("Download"));
  updateSize();
}

void AddTorrentDialog::updateSize() {
  std::size_t fileCount = 0;
  for (const auto& f : info_.files) fileCount += f.pad ? 0 : 1;
  const std::int64_t wanted = files_->wantedSize();
  QString text = fileCount == 1 ? tr("%1 (1 file)").arg(formatSize(info_.total_size))
                                : tr("%1 (%2 files)").arg(formatSize(info_.total_size)).arg(fileCount);
  if (wanted != info_.total_size) text += tr(" — %1 selected").arg(formatSize(wanted));
  size_->setText(text);
  // Free space where it will go.
  const QStorageInfo storage = diskOf(savePath_->text());
  if (storage.isValid() && storage.isReady()) {
    const bool tight = storage.bytesAvailable() < wanted;
    freeSpace_->setText(tight ? tr("Free space: %1 — not enough for the selected files")
                                    .arg(formatSize(storage.bytesAvailable()))
                              : tr("Free space: %1").arg(formatSize(storage.bytesAvailable())));
    freeSpace_->setStyleSheet(tight ? QStringLiteral("color: #c0392b") : QString());
  } else {
    freeSpace_->clear();
  }
  addButton_->setEnabled(wanted > 0 || info_.total_size == 0);
}

void AddTorrentDialog::browse() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Save Torrent In"), savePath_->text());
  if (!dir.isEmpty()) setSavePath(dir);
}

void AddTorrentDialog::showError(const QString& message) {
  // Window-modal and not waited for: the dialog stays as it was, to fix and try again.
  auto* box = new QMessageBox(QMessageBox::Warning, tr("Could not add the torrent"), message, QMessageBox::Ok, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
}

AddTorrentParams AddTorrentDialog::params() const {
  AddTorrentParams p;
  p.torrent_file = sourcePath_.toStdString();
  p.torrent_data = data_;
  p.save_path = QDir::fromNativeSeparators(savePath_->text().trimmed()).toStdString();
  p.paused = !start_->isChecked();
  p.file_priorities = files_->priorities();
  return p;
}

void AddTorrentDialog::accept() {
  const QString folder = savePath_->text().trimmed();
  if (folder.isEmpty()) {
    showError(tr("Choose a folder to save the torrent in."));
    return;
  }
  if (auto error = submit_(params())) {
    emit failed(*error);
    showError(*error);
    return;
  }
  QDialog::accept();
}

}  // namespace tessera::gui
