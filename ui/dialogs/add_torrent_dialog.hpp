// Shown before adding a .torrent: its name, size and files (uncheck what you do not want), where to
// save it, and whether to start at once. If adding fails (say, it is already added) the dialog says
// why in one line and stays open, so nothing chosen is lost.
#pragma once

#include <QDialog>

#include <functional>
#include <optional>

#include <tessera/session.hpp>
#include <tessera/torrent_info.hpp>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace tessera::gui {

class FileTreeModel;
class HintTreeView;

class AddTorrentDialog : public QDialog {
  Q_OBJECT

 public:
  // Adds the torrent; returns a one-line error, or nothing on success.
  using Submit = std::function<std::optional<QString>(const AddTorrentParams&)>;

  AddTorrentDialog(TorrentInfo info, QString sourcePath, std::string torrentData, const QString& savePath,
                   bool startNow, Submit submit, QWidget* parent = nullptr);

  AddTorrentParams params() const;
  FileTreeModel& fileModel() const { return *files_; }
  void setSavePath(const QString& path);
  void setStartNow(bool start);
  // For a torrent already added from a magnet link, now waiting with its metadata in: the folder is
  // fixed, and the files start with the priorities the engine holds (the link's selection).
  void showAddedFiles(const std::vector<FileStatus>& files);

  void accept() override;

 signals:
  void failed(const QString& message);

 private:
  void updateSize();
  void browse();
  void showError(const QString& message);

  TorrentInfo info_;
  QString sourcePath_;
  std::string data_;
  Submit submit_;
  FileTreeModel* files_;
  HintTreeView* view_;
  QLabel* size_;
  QLabel* freeSpace_;
  QLineEdit* savePath_;
  QCheckBox* start_;
  QPushButton* addButton_ = nullptr;
  QPushButton* browse_ = nullptr;
};

}  // namespace tessera::gui
