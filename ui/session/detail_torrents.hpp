// Which torrents' snapshots carry files and piece availability (Session::set_detail_torrents takes
// one list): the one the details tabs show, and any the app holds for a moment — a magnet torrent
// whose file list the file choice waits for.
#pragma once

#include <set>
#include <tessera/status.hpp>

namespace tessera::gui {

class SessionClient;

class DetailTorrents {
 public:
  explicit DetailTorrents(SessionClient& session) : session_(session) {}

  // 0: none shown.
  void setShown(TorrentId id);
  void hold(TorrentId id);
  void release(TorrentId id);

 private:
  void push();

  SessionClient& session_;
  TorrentId shown_ = 0;
  std::set<TorrentId> held_;
};

}  // namespace tessera::gui
