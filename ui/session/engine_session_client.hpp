// SessionClient over a real tessera::Session (owned; shut down when this goes away).
#pragma once

#include <memory>

#include "session/session_client.hpp"

namespace tessera::gui {

class EngineSessionClient final : public SessionClient {
 public:
  explicit EngineSessionClient(std::unique_ptr<Session> session);
  ~EngineSessionClient() override;
  EngineSessionClient(const EngineSessionClient&) = delete;
  EngineSessionClient& operator=(const EngineSessionClient&) = delete;

  expected<TorrentId, std::string> addTorrent(const AddTorrentParams& params) override;
  void pause(TorrentId id) override;
  void resume(TorrentId id) override;
  void remove(TorrentId id, bool deleteFiles) override;
  void setRateLimits(std::int64_t download, std::int64_t upload) override;
  void setTorrentRateLimits(TorrentId id, std::int64_t download, std::int64_t upload) override;
  void setFilePriority(TorrentId id, std::uint32_t fileIndex, FilePriority priority) override;
  void setTorrentRatioLimit(TorrentId id, std::optional<double> limit) override;
  void forceRecheck(TorrentId id) override;
  void setDetailTorrents(std::vector<TorrentId> ids) override;
  void applySettings(const SessionSettings& settings) override;
  std::shared_ptr<const SessionSnapshot> snapshot() const override;
  std::vector<SessionEvent> takeEvents() override;
  void setNotify(std::function<void()> notify) override;
  std::uint16_t listenPort() const override;

  // Stops the engine (trackers are told, at most `grace`); the client is inert afterwards.
  void shutdown(std::chrono::milliseconds grace);

 private:
  std::unique_ptr<Session> session_;
};

}  // namespace tessera::gui
