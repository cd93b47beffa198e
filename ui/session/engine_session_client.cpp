#include "session/engine_session_client.hpp"

namespace tessera::gui {

EngineSessionClient::EngineSessionClient(std::unique_ptr<Session> session) : session_(std::move(session)) {}

EngineSessionClient::~EngineSessionClient() {
  session_->set_notify({});
  session_->shutdown();
}

expected<TorrentId, std::string> EngineSessionClient::addTorrent(const AddTorrentParams& params) {
  return session_->add_torrent(params);
}
void EngineSessionClient::pause(TorrentId id) { session_->pause(id); }
void EngineSessionClient::resume(TorrentId id) { session_->resume(id); }
void EngineSessionClient::remove(TorrentId id, bool deleteFiles) { session_->remove(id, deleteFiles); }
void EngineSessionClient::setRateLimits(std::int64_t download, std::int64_t upload) {
  session_->set_rate_limits(download, upload);
}
void EngineSessionClient::setTorrentRateLimits(TorrentId id, std::int64_t download, std::int64_t upload) {
  session_->set_torrent_rate_limits(id, download, upload);
}
void EngineSessionClient::setFilePriority(TorrentId id, std::uint32_t fileIndex, FilePriority priority) {
  session_->set_file_priority(id, fileIndex, priority);
}
void EngineSessionClient::setTorrentRatioLimit(TorrentId id, std::optional<double> limit) {
  session_->set_torrent_ratio_limit(id, limit);
}
void EngineSessionClient::forceRecheck(TorrentId id) { session_->force_recheck(id); }
void EngineSessionClient::setDetailTorrents(std::vector<TorrentId> ids) {
  session_->set_detail_torrents(std::move(ids));
}
void EngineSessionClient::applySettings(const SessionSettings& settings) { session_->apply_settings(settings); }
std::shared_ptr<const SessionSnapshot> EngineSessionClient::snapshot() const { return session_->snapshot(); }
std::vector<SessionEvent> EngineSessionClient::takeEvents() { return session_->take_events(); }
void EngineSessionClient::setNotify(std::function<void()> notify) { session_->set_notify(std::move(notify)); }
std::uint16_t EngineSessionClient::listenPort() const { return session_->listen_port(); }

void EngineSessionClient::shutdown(std::chrono::milliseconds grace) {
  session_->set_notify({});
  session_->shutdown(grace);
}

}  // namespace tessera::gui
