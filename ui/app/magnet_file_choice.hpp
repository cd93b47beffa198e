// The file choice for a torrent added from a magnet link, once its metadata is in (as qBittorrent
// does): the engine keeps it paused (AddTorrentParams::pause_after_metadata); when a snapshot shows
// its files, the Add Torrent dialog opens for them. Download applies the priorities and starts it;
// Cancel removes it (nothing was downloaded but the metadata).
#pragma once

#include <QObject>
#include <QPointer>
#include <map>
#include <tessera/status.hpp>

class QWidget;

namespace tessera::gui {

class AddTorrentDialog;
class DetailTorrents;
class SessionClient;

class MagnetFileChoice : public QObject {
  Q_OBJECT

 public:
  MagnetFileChoice(SessionClient& session, DetailTorrents& details, QWidget* dialogParent,
                   QObject* parent = nullptr);
  ~MagnetFileChoice() override;

  // A magnet torrent added with pause_after_metadata.
  void expect(TorrentId id);
  void onSnapshot(const SessionSnapshot& snapshot);
  bool waitingFor(TorrentId id) const { return waiting_.contains(id); }

 signals:
  void dialogOpened(tessera::gui::AddTorrentDialog* dialog);

 private:
  void open(const TorrentStatus& status);

  struct Waiting {
    bool seen = false;  // in a snapshot yet (the first one after adding may not have it)
  };
  SessionClient& session_;
  DetailTorrents& details_;
  QPointer<QWidget> dialogParent_;
  std::map<TorrentId, Waiting> waiting_;
};

}  // namespace tessera::gui
