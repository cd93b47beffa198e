#include "app/magnet_file_choice.hpp"

#include <QDir>

#include "dialogs/add_torrent_dialog.hpp"
#include "session/detail_torrents.hpp"
#include "session/session_client.hpp"

namespace tessera::gui {
namespace {

// What the dialog shows of a .torrent, from what the snapshot shows of the added torrent.
TorrentInfo infoOf(const TorrentStatus& s) {
  TorrentInfo info;
  info.name = s.name;
  info.info_hash = s.info_hash;
  info.total_size = s.total_size;
  info.piece_length = s.piece_length;
  info.piece_count = s.piece_count;
  info.comment = s.comment;
  for (const FileStatus& f : s.files)
    info.files.push_back(TorrentInfoFile{f.index, f.path, f.size, false, 0});
  for (const TrackerInfo& t : s.trackers) info.trackers.push_back({t.url});
  return info;
}

}  // namespace

MagnetFileChoice::MagnetFileChoice(SessionClient& session, DetailTorrents& details, QWidget* dialogParent,
                                   QObject* parent)
    : QObject(parent), session_(session), details_(details), dialogParent_(dialogParent) {}

MagnetFileChoice::~MagnetFileChoice() = default;

void MagnetFileChoice::expect(TorrentId id) {
  waiting_[id] = Waiting{};
  // Its snapshot carries the file list only while held here (the details tabs may show another).
  details_.hold(id);
}

void MagnetFileChoice::onSnapshot(const SessionSnapshot& snapshot) {
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    const TorrentId id = it->first;
    const TorrentStatus* status = nullptr;
    for (const TorrentStatus& t : snapshot.torrents) {
      if (t.id == id) status = &t;
    }
    if (status == nullptr) {
      if (it->second.seen) {  // removed meanwhile
        details_.release(id);
        it = waiting_.erase(it);
      } else {
        ++it;
      }
      continue;
    }
    it->second.seen = true;
    // The metadata is in once the torrent has files (metadata_received says the same).
    if (status->state == TorrentState::fetching_metadata || !status->has_details || status->files.empty()) {
      ++it;
      continue;
    }
    const TorrentStatus copy = *status;
    details_.release(id);
    it = waiting_.erase(it);
    open(copy);
  }
}

void MagnetFileChoice::open(const TorrentStatus& status) {
  const TorrentId id = status.id;
  // Download: the priorities the user chose (only those that differ from the engine's), then start.
  std::vector<FilePriority> before(status.files.empty() ? 0 : status.files.back().index + 1,
                                   FilePriority::normal);
  for (const FileStatus& f : status.files) {
    if (f.index >= before.size()) before.resize(f.index + 1, FilePriority::normal);
    before[f.index] = f.priority;
  }
  auto submit = [this, id, before](const AddTorrentParams& params) -> std::optional<QString> {
    for (std::size_t i = 0; i < params.file_priorities.size(); ++i) {
      const FilePriority was = i < before.size() ? before[i] : FilePriority::normal;
      if (params.file_priorities[i] != was)
        session_.setFilePriority(id, static_cast<std::uint32_t>(i), params.file_priorities[i]);
    }
    if (!params.paused) session_.resume(id);
    return std::nullopt;
  };
  auto* dialog = new AddTorrentDialog(infoOf(status), QString(), std::string(),
                                      QString::fromStdString(status.save_path), true, submit, dialogParent_);
  dialog->showAddedFiles(status.files);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &QDialog::rejected, this, [this, id] { session_.remove(id, false); });
  dialog->show();
  dialog->raise();
  dialog->activateWindow();
  emit dialogOpened(dialog);
}

}  // namespace tessera::gui
