#include "app/demo_controller.hpp"

#include <QDir>
#include <QThread>

#include <tessera/torrent_info.hpp>

namespace tessera::gui {

DemoController::DemoController(SessionClient& session, QString workDir, DemoSwarmOptions options, QObject* parent)
    : QObject(parent), session_(session), workDir_(std::move(workDir)), options_(std::move(options)) {
  options_.work_dir = workDir_.toStdString();
}

DemoController::~DemoController() {
  if (starter_ != nullptr) starter_->wait();  // it cannot be interrupted; it takes a second or two
  if (swarm_) swarm_->stop();
}

QString DemoController::downloadFolder() const { return QDir(workDir_).filePath(QStringLiteral("demo-download")); }

void DemoController::start() {
  if (step_ == Step::running && torrent_) {
    bool present = false;
    if (auto snapshot = session_.snapshot()) {
      for (const TorrentStatus& s : snapshot->torrents) present = present || s.id == *torrent_;
    }
    if (present) {
      emit torrentAdded(*torrent_);
    } else {
      // The user removed it meanwhile: the swarm still runs, so add it again.
      torrent_.reset();
      addAttempts_ = 0;
      addTorrent();
    }
    return;
  }
  if (step_ != Step::idle) return;  // on its way
  step_ = Step::startingSwarm;
  emit message(tr("Starting the demo swarm…"));
  QDir().mkpath(workDir_);
  result_ = std::make_shared<expected<std::unique_ptr<DemoSwarm>, std::string>>(
      unexpected(std::string("not started")));
  auto result = result_;
  const DemoSwarmOptions options = options_;
  starter_ = QThread::create([result, options] { *result = DemoSwarm::start(options); });
  connect(starter_, &QThread::finished, this, &DemoController::swarmStarted);
  starter_->start();
}

void DemoController::swarmStarted() {
  starter_->deleteLater();
  starter_ = nullptr;
  if (!*result_) {
    step_ = Step::idle;
    emit failed(tr("The demo swarm did not start: %1").arg(QString::fromStdString(result_->error())));
    return;
  }
  swarm_ = std::move(**result_);
  result_.reset();
  auto info = parse_torrent_info(swarm_->torrent_data());
  if (!info) {
    step_ = Step::idle;
    emit failed(tr("The demo torrent is invalid: %1").arg(QString::fromStdString(info.error())));
    return;
  }
  infoHash_ = info->info_hash;
  // The same payload makes the same torrent: one restored from the state folder (kept there by
  // versions before the demo's torrent was ephemeral) goes first, data and all.
  if (auto snapshot = session_.snapshot()) {
    for (const TorrentStatus& s : snapshot->torrents) {
      if (s.info_hash == infoHash_) oldTorrent_ = s.id;
    }
  }
  if (oldTorrent_) {
    step_ = Step::removingOld;
    session_.remove(*oldTorrent_, true);
    return;  // continued in onSnapshot once it is gone
  }
  addTorrent();
}

void DemoController::onSnapshot(const std::shared_ptr<const SessionSnapshot>& snapshot) {
  if (!snapshot) return;
  if (step_ == Step::removingOld) {
    for (const TorrentStatus& s : snapshot->torrents) {
      if (s.id == *oldTorrent_) return;  // not yet
    }
    oldTorrent_.reset();
    addTorrent();
  } else if (step_ == Step::adding) {
    addTorrent();  // retrying: the engine had not let go of the old one yet
  }
}

void DemoController::addTorrent() {
  const QString folder = downloadFolder();
  QDir(folder).removeRecursively();
  QDir().mkpath(folder);
  AddTorrentParams params;
  params.torrent_data = swarm_->torrent_data();
  params.torrent_file = swarm_->torrent_path().string();
  params.peers = swarm_->peers();
  params.save_path = folder.toStdString();
  // Not kept in the state folder: the next start (demo or not) does not bring it back.
  params.ephemeral = true;
  auto id = session_.addTorrent(params);
  if (!id) {
    // Right after a removal the engine may still know the info-hash for a moment: try again on the
    // next few snapshots before giving up.
    if (++addAttempts_ <= 10) {
      step_ = Step::adding;
      return;
    }
    step_ = Step::idle;
    swarm_->stop();
    swarm_.reset();
    emit failed(tr("Could not add the demo torrent: %1").arg(QString::fromStdString(id.error())));
    return;
  }
  step_ = Step::running;
  torrent_ = *id;
  emit message(tr("Demo swarm running: %1 peers on this machine").arg(swarm_->peers().size()));
  emit torrentAdded(*id);
}

}  // namespace tessera::gui
