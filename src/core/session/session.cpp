// The public Session: each command is posted to the network thread (see session_impl.hpp).
#include "tessera/session.hpp"

#include <future>

#include "metainfo/read_torrent_file.hpp"
#include "session/session_impl.hpp"

namespace tessera {

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Session::~Session() { shutdown(); }

expected<std::unique_ptr<Session>, std::string> Session::create(const SessionSettings& settings) {
  auto impl = std::make_unique<Impl>(settings);
  if (auto ok = impl->listen(); !ok) return unexpected(ok.error());
  impl->start();
  if (!settings.state_dir.empty() && settings.restore_torrents) {
    impl->restore();
    // The first snapshot anyone sees holds the restored torrents (and the events name the
    // damaged files): a caller never races the restore.
    std::promise<void> restored;
    boost::asio::post(impl->io, [&impl, &restored] {
      impl->publish();
      restored.set_value();
    });
    restored.get_future().wait();
  }
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

expected<TorrentId, std::string> Session::add_torrent(const AddTorrentParams& params) {
  if (!params.magnet_uri.empty()) {
    auto link = magnet::parse_magnet_uri(params.magnet_uri);
    if (!link) return unexpected(link.error().message);
    return impl_->add_magnet(std::move(*link), params);
  }
  std::string data = params.torrent_data;
  const std::string source = params.torrent_file.empty() ? std::string("torrent") : params.torrent_file;
  if (data.empty()) {
    auto read = read_torrent_file(params.torrent_file, MetainfoLimits{}.bencode.max_input);
    if (!read) return unexpected(read.error());
    data = std::move(*read);
  }
  auto meta = parse_metainfo(std::string_view(data));
  if (!meta) return unexpected(source + ": " + meta.error().message);
  return impl_->add(std::move(*meta), std::move(data), params, std::nullopt);
}

void Session::pause(TorrentId id) {
  boost::asio::post(impl_->io, [impl = impl_.get(), id] {
    if (auto it = impl->torrents.find(id); it != impl->torrents.end()) it->second->pause();
    if (auto it = impl->magnets.find(id); it != impl->magnets.end()) it->second.torrent->pause();
  });
}

void Session::resume(TorrentId id) {
  boost::asio::post(impl_->io, [impl = impl_.get(), id] {
    if (auto it = impl->torrents.find(id); it != impl->torrents.end()) it->second->resume();
    if (auto it = impl->magnets.find(id); it != impl->magnets.end()) it->second.torrent->resume();
  });
}

void Session::remove(TorrentId id, bool delete_files) {
  boost::asio::post(impl_->io, [impl = impl_.get(), id, delete_files] {
    if (auto m = impl->magnets.find(id); m != impl->magnets.end()) {
      // Nothing on disk yet: only the fetch stops.
      std::shared_ptr<MagnetTorrent> t = m->second.torrent;
      impl->magnets.erase(m);
      {
        std::lock_guard lock(impl->mutex);
        impl->info_hashes.erase(t->info_hash());
      }
      t->forget_state();
      t->stop([impl, t, id] { impl->emit(SessionEvent{SessionEvent::Kind::removed, id, t->name(), {}}); });
      return;
    }
    auto it = impl->torrents.find(id);
    if (it == impl->torrents.end()) return;
    std::shared_ptr<Torrent> t = it->second;
    impl->torrents.erase(it);
    {
      std::lock_guard lock(impl->mutex);
      impl->info_hashes.erase(t->info_hash());
    }
    // Its state files go now (in order with a re-add's, on the state store's strand), not after
    // the trackers have answered.
    t->forget_state();
    t->stop([impl, t, delete_files, id] {
      if (delete_files) t->delete_files();
      impl->emit(SessionEvent{SessionEvent::Kind::removed, id, t->name(), {}});
    });
  });
}

void Session::add_peer(TorrentId id, const std::string& host_port) {
  auto ep = parse_peer_endpoint(host_port);
  if (!ep) return;
  boost::asio::post(impl_->io, [impl = impl_.get(), id, e = *ep] {
    if (auto it = impl->torrents.find(id); it != impl->torrents.end()) it->second->add_peer(e, PeerSource::manual);
    if (auto it = impl->magnets.find(id); it != impl->magnets.end()) it->second.torrent->add_peer(e, PeerSource::manual);
  });
}

void Session::set_rate_limits(std::int64_t download, std::int64_t upload) {
  boost::asio::post(impl_->io, [impl = impl_.get(), download, upload] { impl->set_rate_limits(download, upload); });
}

void Session::set_torrent_rate_limits(TorrentId id, std::int64_t download, std::int64_t upload) {
  boost::asio::post(impl_->io, [impl = impl_.get(), id, download, upload] {
    if (auto it = impl->torrents.find(id); it != impl->torrents.end()) {
      it->second->set_rate_limits(std::max<std::int64_t>(0, download), std::max<std::int64_t>(0, upload));
      impl->wake_bandwidth();
    }
    if (auto it = impl->magnets.find(id); it != impl->magnets.end()) {  // for the torrent that follows
      it->second.params.download_limit = std::max<std::int64_t>(0, download);
      it->second.params.upload_limit = std::max<std::int64_t>(0, upload);
    }
  });
}

void Session::set_file_priority(TorrentId id, std::uint32_t file_index, FilePriority priority) {
  boost::asio::post(impl_->io, [impl = impl_.get(), id, file_index, priority] {
    if (auto it = impl->torrents.find(id); it != impl->torrents.end()) {
      it->second->set_file_priority(file_index, priority);
    }
  });
}

void Session::set_torrent_ratio_limit(TorrentId id, std::optional<double> limit) {
  if (limit) limit = std::max(0.0, *limit);
  boost::asio::post(impl_->io, [impl = impl_.get(), id, limit] {
    if (auto it = impl->torrents.find(id); it != impl->torrents.end()) it->second->set_ratio_limit(limit);
    if (auto it = impl->magnets.find(id); it != impl->magnets.end()) it->second.params.ratio_limit = limit;
  });
}

void Session::force_recheck(TorrentId id) {
  boost::asio::post(impl_->io, [impl = impl_.get(), id] {
    if (auto it = impl->torrents.find(id); it != impl->torrents.end()) it->second->force_recheck();
  });
}

void Session::set_detail_torrents(std::vector<TorrentId> ids) {
  boost::asio::post(impl_->io, [impl = impl_.get(), ids = std::move(ids)] {
    impl->detail_torrents = std::set<TorrentId>(ids.begin(), ids.end());
  });
}

void Session::apply_settings(const SessionSettings& s) {
  boost::asio::post(impl_->io, [impl = impl_.get(), s] {
    SessionSettings& live = impl->settings;
    live.max_connections = std::max(1, s.max_connections);
    live.max_connections_hard = std::max(live.max_connections, s.max_connections_hard);
    live.max_peers_per_torrent = std::max(1, s.max_peers_per_torrent);
    live.max_peers_per_torrent_hard = std::max(live.max_peers_per_torrent, s.max_peers_per_torrent_hard);
    live.max_connecting = std::max(1, s.max_connecting);
    live.upload_slots = std::max(1, s.upload_slots);
    live.rate_based_slots = s.rate_based_slots;
    live.max_peer_list_size = std::max(1, s.max_peer_list_size);
    live.max_connections_per_address = std::max(1, s.max_connections_per_address);
    live.max_connect_failures = std::max(1, s.max_connect_failures);
    live.stop_at_ratio = std::max(0.0, s.stop_at_ratio);
    impl->set_rate_limits(s.download_limit, s.upload_limit);  // tells every torrent its limits changed
  });
}

std::shared_ptr<const SessionSnapshot> Session::snapshot() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->snapshot;
}

std::vector<SessionEvent> Session::take_events() {
  std::lock_guard lock(impl_->mutex);
  return std::exchange(impl_->events, {});
}

void Session::set_notify(std::function<void()> notify) {
  std::lock_guard lock(impl_->mutex);
  impl_->notify = std::move(notify);
}

std::uint16_t Session::listen_port() const { return impl_->port; }

void Session::shutdown(std::chrono::milliseconds grace) {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  impl_->shutdown(grace);
}

}  // namespace tessera
