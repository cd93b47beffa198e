// The session: the network thread, the disk pool, the listen socket, and the torrents.
#include "tessera/session.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <map>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "log/logging.hpp"
#include "metainfo/metainfo.hpp"
#include "metainfo/read_torrent_file.hpp"
#include "net/host_port.hpp"
#include "session/torrent.hpp"
#include "storage/resume_data.hpp"
#include "storage/state_store.hpp"
#include "tessera/version.hpp"
#include "wire/peer_id.hpp"

namespace tessera {
namespace {

using tcp = boost::asio::ip::tcp;
using namespace std::chrono_literals;

constexpr std::uint64_t kMaxResumeFile = std::uint64_t{64} << 20;

expected<tcp::endpoint, std::string> parse_endpoint(const std::string& text) {
  auto hp = parse_host_port(text);
  boost::system::error_code ec;
  const auto addr = hp ? boost::asio::ip::make_address(hp->host, ec) : boost::asio::ip::address();
  if (!hp || ec || hp->port == 0) return unexpected("invalid peer address '" + text + "' (want ADDRESS:PORT)");
  return tcp::endpoint(addr, hp->port);
}

// A torrent's saved resume data, checked to be this torrent's (its info-hash, pieces and files).
expected<ResumeData, std::string> read_resume_for(const Metainfo& meta, const std::filesystem::path& file) {
  auto bytes = read_torrent_file(file.string(), kMaxResumeFile);
  if (!bytes) return unexpected(bytes.error());
  auto r = decode_resume(*bytes, meta.piece_count, meta.files.size());
  if (!r) return r;
  if (r->info_hash != meta.info_hash.hex()) {
    return unexpected("resume data is for another torrent (info-hash " + r->info_hash + ")");
  }
  return r;
}

}  // namespace

class Session::Impl {
 public:
  explicit Impl(const SessionSettings& s)
      : settings(s),
        work(boost::asio::make_work_guard(io)),
        acceptor(io),
        tick_timer(io),
        snapshot_timer(io),
        bandwidth_timer(io),
        rng(s.random_seed != 0 ? s.random_seed : std::random_device{}()) {}

  expected<void, std::string> listen() {
    boost::system::error_code ec;
    const auto addr = boost::asio::ip::make_address(settings.listen_address, ec);
    if (ec) return unexpected("invalid listen address '" + settings.listen_address + "'");
    if (!addr.is_unspecified()) bind_address = addr;
    const tcp::endpoint ep(addr, settings.listen_port);
    const std::string where = settings.listen_address + ":" + std::to_string(settings.listen_port);
    acceptor.open(ep.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(ep, ec);
    if (!ec) acceptor.listen(128, ec);
    if (ec) return unexpected("cannot listen on " + where + ": " + ec.message());
    port = acceptor.local_endpoint().port();
    return {};
  }

  void start() {
    peer_id = wire::make_peer_id(kPeerIdPrefix, rng());
    tracker_key = static_cast<std::uint32_t>(rng());
    disk = std::make_unique<DiskIo>(std::max<std::size_t>(1, settings.disk_threads));
    if (settings.use_trackers) {
      tracker::TrackerClientOptions opts;
      opts.bind_address = bind_address;
      opts.http_timeout = settings.tracker_timeout;
      opts.user_agent = std::string("Tessera/") + kVersion;
      trackers = std::make_unique<tracker::TrackerClient>(io, opts);
    }
    gate.wake = [this] { wake_bandwidth(); };
    const auto now = Clock::now();
    global_up->set_rate(settings.upload_limit, now);
    global_down->set_rate(settings.download_limit, now);
    state = std::make_unique<StateStore>(*disk, io.get_executor(), std::filesystem::path(settings.state_dir));
    ctx = std::make_unique<TorrentContext>(TorrentContext{
        io, *disk, trackers.get(), settings, peer_id, bind_address, port, tracker_key,
        [this](SessionEvent e) { emit(std::move(e)); }, *state, rng, gate, global_up, global_down, counters});
    publish();
    accept();
    schedule_tick();
    schedule_snapshot();
    thread = std::thread([this] { io.run(); });
  }

  // `data`: the .torrent's bytes, for the state folder's copy. With `resume`, it is being restored.
  expected<TorrentId, std::string> add(Metainfo meta, std::string data, const AddTorrentParams& params,
                                       std::optional<ResumeData> resume);
  void restore();

  void accept() {
    acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == boost::asio::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec && counters.peers + handshaking >= settings.max_connections_hard) {
        // Hard limit: refuse at once, before spending anything on it.
        boost::system::error_code ignored;
        socket.close(ignored);
      } else if (!ec) {
        auto conn = std::make_shared<PeerConnection>(std::move(socket));
        ++handshaking;
        conn->read_handshake(10s, [this, conn](expected<wire::Handshake, std::string> hs) {
          --handshaking;
          if (!hs) return;
          for (auto& [id, t] : torrents) {
            if (t->info_hash() == hs->info_hash) {
              t->attach_incoming(conn, *hs);
              return;
            }
          }
          conn->close("unknown torrent");
        });
      }
      accept();
    });
  }

  void schedule_tick() {
    tick_timer.expires_after(1s);
    tick_timer.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      const auto now = Clock::now();
      counters.downloading = 0;
      counters.uploading = 0;
      for (auto& [id, t] : torrents) {
        counters.downloading += t->downloading_peers();
        counters.uploading += t->uploading_peers();
      }
      for (auto& [id, t] : torrents) t->tick(now);
      prune_globally(now);
      schedule_tick();
    });
  }

  // Past the session's soft limit, the torrents with the most peers give up their least useful.
  void prune_globally(Clock::time_point now) {
    int excess = counters.peers - settings.max_connections;
    while (excess > 0) {
      Torrent* biggest = nullptr;
      for (auto& [id, t] : torrents) {
        if (biggest == nullptr || t->peer_count() > biggest->peer_count()) biggest = t.get();
      }
      if (biggest == nullptr || biggest->prune_peers(1, now) == 0) break;
      --excess;
    }
  }

  // Quota is handed out every few milliseconds while anyone waits for it, and not at all otherwise.
  void wake_bandwidth() {
    if (bandwidth_running) return;
    bandwidth_running = true;
    bandwidth_timer.expires_after(kBandwidthTick);
    bandwidth_timer.async_wait([this](boost::system::error_code ec) {
      bandwidth_running = false;
      if (ec) return;
      const auto now = Clock::now();
      gate.upload.update(now);
      gate.download.update(now);
      if (gate.upload.waiting() || gate.download.waiting()) wake_bandwidth();
    });
  }

  void set_rate_limits(std::int64_t download, std::int64_t upload) {
    settings.download_limit = std::max<std::int64_t>(0, download);
    settings.upload_limit = std::max<std::int64_t>(0, upload);
    const auto now = Clock::now();
    global_down->set_rate(settings.download_limit, now);
    global_up->set_rate(settings.upload_limit, now);
    for (auto& [id, t] : torrents) t->limits_changed();
    wake_bandwidth();  // requests queued under the old caps are looked at again
  }

  void schedule_snapshot() {
    snapshot_timer.expires_after(settings.snapshot_interval);
    snapshot_timer.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      publish();
      schedule_snapshot();
    });
  }

  void publish() {
    auto snap = std::make_shared<SessionSnapshot>();
    const auto now = Clock::now();
    snap->taken_at = now;
    snap->listen_port = port;
    for (auto& [id, t] : torrents) {
      snap->torrents.push_back(t->status(now, detail_torrents.contains(id)));
      const TorrentStatus& ts = snap->torrents.back();
      snap->down_rate += ts.down_rate;
      snap->up_rate += ts.up_rate;
      snap->down_rate_total += ts.down_rate_total;
      snap->up_rate_total += ts.up_rate_total;
    }
    counters.down_rate = snap->down_rate;
    snap->download_limit = settings.download_limit;
    snap->upload_limit = settings.upload_limit;
    snap->connections = counters.peers;
    std::function<void()> n;
    {
      std::lock_guard lock(mutex);
      snapshot = std::move(snap);
      n = notify;
    }
    if (n) n();
  }

  void emit(SessionEvent e) {
    std::function<void()> n;
    {
      std::lock_guard lock(mutex);
      events.push_back(std::move(e));
      n = notify;
    }
    if (n) n();
  }

  void shutdown(std::chrono::milliseconds grace) {
    if (thread.joinable()) {
      boost::asio::post(io, [this, grace] {
        boost::system::error_code ec;
        acceptor.close(ec);
        tick_timer.cancel();
        snapshot_timer.cancel();
        bandwidth_timer.cancel();
        // Resume data first (the pool finishes it before the process ends), then torrents send
        // `stopped` to their trackers; we finish when all are done or at the grace
        // period, whichever comes first.
        auto pending = std::make_shared<std::size_t>(torrents.size());
        shutdown_timer = std::make_unique<boost::asio::steady_timer>(io, grace);
        shutdown_timer->async_wait([this](boost::system::error_code e) {
          if (!e) finish_shutdown();
        });
        // A copy: stop() may finish at once, and finishing clears `torrents`.
        std::vector<std::shared_ptr<Torrent>> stopping;
        for (auto& [id, t] : torrents) stopping.push_back(t);
        for (auto& t : stopping) t->save_resume();
        for (auto& t : stopping) {
          t->stop([this, pending] {
            if (--*pending == 0) finish_shutdown();
          });
        }
        if (stopping.empty()) finish_shutdown();
      });
      thread.join();
    }
    if (disk) disk->stop();
    // Completions the pool posted after the loop ended: run them so nothing is left holding state.
    io.restart();
    io.poll();
    torrents.clear();
  }

  // Network thread; runs once, whichever of "all stopped" and "grace period over" comes first.
  void finish_shutdown() {
    if (shutdown_finished) return;
    shutdown_finished = true;
    shutdown_timer.reset();
    if (trackers) trackers->cancel_all();  // late `stopped` announces get "cancelled"
    torrents.clear();
    work.reset();
    // Everything that matters is closed or told; an operation still pending on some socket
    // must not keep the process from exiting.
    io.stop();
  }

  SessionSettings settings;
  bool shutdown_finished = false;
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
  tcp::acceptor acceptor;
  boost::asio::steady_timer tick_timer;
  boost::asio::steady_timer snapshot_timer;
  boost::asio::steady_timer bandwidth_timer;
  bool bandwidth_running = false;
  static constexpr auto kBandwidthTick = 5ms;
  BandwidthGate gate;
  std::shared_ptr<TokenBucket> global_up = std::make_shared<TokenBucket>();
  std::shared_ptr<TokenBucket> global_down = std::make_shared<TokenBucket>();
  SessionCounters counters;
  int handshaking = 0;  // incoming connections whose handshake we are still reading
  std::unique_ptr<boost::asio::steady_timer> shutdown_timer;
  std::mt19937_64 rng;
  std::optional<boost::asio::ip::address> bind_address;
  std::uint16_t port = 0;
  std::array<std::uint8_t, 20> peer_id{};
  std::uint32_t tracker_key = 0;
  std::unique_ptr<DiskIo> disk;
  std::unique_ptr<tracker::TrackerClient> trackers;
  std::unique_ptr<StateStore> state;
  std::unique_ptr<TorrentContext> ctx;
  std::map<TorrentId, std::shared_ptr<Torrent>> torrents;  // network thread only
  std::set<TorrentId> detail_torrents;                      // network thread only
  std::thread thread;

  mutable std::mutex mutex;  // guards everything below
  std::shared_ptr<const SessionSnapshot> snapshot;
  std::vector<SessionEvent> events;
  std::function<void()> notify;
  std::set<Sha1Digest> info_hashes;
  TorrentId next_id = 1;
  bool stopped = false;
};

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

expected<TorrentId, std::string> Session::Impl::add(Metainfo meta, std::string data, const AddTorrentParams& params,
                                                   std::optional<ResumeData> resume) {
  // Peers are checked first: a typo there should not leave a half-added torrent behind.
  std::vector<tcp::endpoint> peers;
  for (const std::string& p : params.peers) {
    auto ep = parse_endpoint(p);
    if (!ep) return unexpected(ep.error());
    peers.push_back(*ep);
  }
  if (params.save_path.empty()) return unexpected(std::string("no save folder given"));
  std::error_code ec;
  const std::filesystem::path save = std::filesystem::absolute(params.save_path, ec);
  const bool restored = resume.has_value();
  if (!restored) {
    // A restored torrent whose folder is gone comes back anyway (and reports the missing files).
    TorrentFiles probe(save, meta);
    if (auto w = probe.check_writable(); !w) return unexpected(w.error().message);
  }
  if (state->enabled() && !restored && !params.ephemeral) {
    // Added again (the CLI does this every run): its saved state counts if it is for the same folder.
    auto r = read_resume_for(meta, state->resume_path(meta.info_hash));
    if (r && r->save_path == save.string()) resume = std::move(*r);
  }
  TorrentId id = 0;
  {
    std::lock_guard lock(mutex);
    if (stopped) return unexpected(std::string("session is shut down"));
    if (!info_hashes.insert(meta.info_hash).second) {
      return unexpected("torrent already added: " + meta.name);
    }
    id = next_id++;
  }
  boost::asio::post(io, [this, id, m = std::move(meta), save, params, peers, resume = std::move(resume), restored,
                         data = std::move(data)]() mutable {
    auto t = std::make_shared<Torrent>(*ctx, id, std::move(m), save, params.paused, !params.ephemeral);
    torrents.emplace(id, t);
    if (resume) t->use_resume(std::move(*resume));
    if (params.download_limit > 0 || params.upload_limit > 0) {
      t->set_rate_limits(params.download_limit, params.upload_limit);
    }
    if (!params.file_priorities.empty()) t->set_file_priorities(params.file_priorities);
    if (params.ratio_limit) t->set_ratio_limit(params.ratio_limit);
    if (!restored) t->save_initial_state(std::move(data));
    t->start();
    for (const auto& ep : peers) t->add_peer(ep, PeerSource::manual);
  });
  return id;
}

// Every torrent saved in the state folder, oldest first. A damaged file is reported and left
// where it is: nothing is deleted on the way.
void Session::Impl::restore() {
  const std::filesystem::path dir = std::filesystem::path(settings.state_dir) / "torrents";
  auto logger = log::get("session");
  struct Saved {
    Metainfo meta;
    std::string data;
    ResumeData resume;
  };
  std::vector<Saved> loaded;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".torrent") continue;
    // Reported once each (logged, and an event the GUI shows), and left where it is.
    const auto damaged = [&](const std::filesystem::path& file, const std::string& what) {
      logger->error("{}: not restored: {}", file.string(), what);
      emit(SessionEvent{SessionEvent::Kind::state_damaged, 0, file.string(), what});
    };
    auto data = read_torrent_file(entry.path().string(), MetainfoLimits{}.bencode.max_input);
    if (!data) {
      damaged(entry.path(), data.error());
      continue;
    }
    auto meta = parse_metainfo(std::string_view(*data));
    if (!meta) {
      damaged(entry.path(), meta.error().message);
      continue;
    }
    std::filesystem::path resume_file = entry.path();
    resume_file.replace_extension(".resume");
    auto r = read_resume_for(*meta, resume_file);
    if (!r) {
      damaged(resume_file, r.error());
      continue;
    }
    loaded.push_back(Saved{std::move(*meta), std::move(*data), std::move(*r)});
  }
  std::sort(loaded.begin(), loaded.end(),
            [](const Saved& a, const Saved& b) { return a.resume.added_at < b.resume.added_at; });
  for (Saved& saved : loaded) {
    AddTorrentParams params;
    params.save_path = saved.resume.save_path;
    params.paused = saved.resume.paused;
    params.download_limit = saved.resume.download_limit;
    params.upload_limit = saved.resume.upload_limit;
    params.file_priorities = saved.resume.file_priorities;
    const std::string name = saved.meta.name;
    if (auto added = add(std::move(saved.meta), std::move(saved.data), params, std::move(saved.resume)); !added) {
      logger->error("{}: not restored: {}", name, added.error());
    }
  }
}

void Session::pause(TorrentId id) {
  boost::asio::post(impl_->io, [impl = impl_.get(), id] {
    if (auto it = impl->torrents.find(id); it != impl->torrents.end()) it->second->pause();
  });
}

void Session::resume(TorrentId id) {
  boost::asio::post(impl_->io, [impl = impl_.get(), id] {
    if (auto it = impl->torrents.find(id); it != impl->torrents.end()) it->second->resume();
  });
}

void Session::remove(TorrentId id, bool delete_files) {
  boost::asio::post(impl_->io, [impl = impl_.get(), id, delete_files] {
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
  auto ep = parse_endpoint(host_port);
  if (!ep) return;
  boost::asio::post(impl_->io, [impl = impl_.get(), id, e = *ep] {
    if (auto it = impl->torrents.find(id); it != impl->torrents.end()) it->second->add_peer(e, PeerSource::manual);
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
