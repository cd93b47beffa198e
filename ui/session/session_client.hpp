// What the GUI needs of the engine: tessera::Session's commands and state, behind a small
// interface so model and controller tests can substitute a scripted fake.
#pragma once

#include <tessera/session.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tessera::gui {

class SessionClient {
 public:
  virtual ~SessionClient() = default;

  virtual expected<TorrentId, std::string> addTorrent(const AddTorrentParams& params) = 0;
  virtual void pause(TorrentId id) = 0;
  virtual void resume(TorrentId id) = 0;
  virtual void remove(TorrentId id, bool deleteFiles) = 0;
  virtual void setRateLimits(std::int64_t download, std::int64_t upload) = 0;
  virtual void setTorrentRateLimits(TorrentId id, std::int64_t download, std::int64_t upload) = 0;
  virtual void setFilePriority(TorrentId id, std::uint32_t fileIndex, FilePriority priority) = 0;
  // nullopt: follow the session's stop_at_ratio; 0: never stop; else stop seeding at that ratio.
  virtual void setTorrentRatioLimit(TorrentId id, std::optional<double> limit) = 0;
  virtual void forceRecheck(TorrentId id) = 0;
  virtual void setDetailTorrents(std::vector<TorrentId> ids) = 0;
  virtual void applySettings(const SessionSettings& settings) = 0;

  virtual std::shared_ptr<const SessionSnapshot> snapshot() const = 0;
  virtual std::vector<SessionEvent> takeEvents() = 0;
  // Runs on an engine thread whenever a snapshot or events are published.
  virtual void setNotify(std::function<void()> notify) = 0;
  virtual std::uint16_t listenPort() const = 0;
};

}  // namespace tessera::gui
