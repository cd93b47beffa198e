// Demo mode: a tessera::DemoSwarm (seeds and leechers on 127.0.0.x) and its torrent added to our
// session, saved into an emptied "demo-download" folder next to it, so there is always something
// to watch. The torrent is ephemeral: the state folder never keeps it, so every demo starts afresh
// and a later start does not bring it back. The swarm starts on a worker thread (it writes and
// hashes its payload); a demo torrent restored from the state folder (older versions kept it) is
// removed with its data first.
#pragma once

#include <QObject>
#include <QString>

#include <memory>
#include <optional>

#include <tessera/demo_swarm.hpp>

#include "session/session_client.hpp"

class QThread;

namespace tessera::gui {

class DemoController : public QObject {
  Q_OBJECT

 public:
  DemoController(SessionClient& session, QString workDir, DemoSwarmOptions options, QObject* parent = nullptr);
  ~DemoController() override;

  // Starts the swarm and adds its torrent; if it runs already, announces its torrent again.
  void start();
  bool running() const { return swarm_ != nullptr; }
  std::optional<TorrentId> torrent() const { return torrent_; }
  QString downloadFolder() const;

 public slots:
  void onSnapshot(const std::shared_ptr<const tessera::SessionSnapshot>& snapshot);

 signals:
  void message(const QString& text);
  void torrentAdded(tessera::TorrentId id);
  void failed(const QString& message);

 private:
  enum class Step { idle, startingSwarm, removingOld, adding, running };
  void swarmStarted();
  void addTorrent();

  SessionClient& session_;
  QString workDir_;
  DemoSwarmOptions options_;
  Step step_ = Step::idle;
  QThread* starter_ = nullptr;
  std::shared_ptr<expected<std::unique_ptr<DemoSwarm>, std::string>> result_;
  std::unique_ptr<DemoSwarm> swarm_;
  std::string infoHash_;
  std::optional<TorrentId> oldTorrent_;
  std::optional<TorrentId> torrent_;
  int addAttempts_ = 0;
};

}  // namespace tessera::gui
