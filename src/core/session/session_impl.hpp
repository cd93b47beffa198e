// Session::Impl: the network thread, the disk pool, the listen socket, the timers, and the
// torrents. Private to the engine; session.cpp holds the public Session's methods,
// session_state.cpp adding and restoring torrents.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "log/logging.hpp"
#include "metainfo/metainfo.hpp"
#include "magnet/magnet_uri.hpp"
#include "session/magnet_torrent.hpp"
#include "session/peer_discovery.hpp"
#include "session/torrent.hpp"
#include "storage/resume_data.hpp"
#include "storage/state_store.hpp"
#include "tessera/session.hpp"
#include "tessera/version.hpp"
#include "wire/peer_id.hpp"

namespace tessera {

// "host:port" for a peer to dial, with a one-line error.
expected<boost::asio::ip::tcp::endpoint, std::string> parse_peer_endpoint(const std::string& text);

class Session::Impl {
 public:
  using tcp = boost::asio::ip::tcp;

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
    discovery = std::make_unique<PeerDiscovery>(
        io, disk->executor(), settings, acceptor.local_endpoint().address(), port,
        [this](const Sha1Digest& hash, const tcp::endpoint& peer, PeerSource source) { discovered(hash, peer, source); });
    discovery->start();
    publish();
    accept();
    schedule_tick();
    schedule_snapshot();
    thread = std::thread([this] { io.run(); });
  }

  // `data`: the .torrent's bytes, for the state folder's copy. With `resume`, it is being restored.
  expected<TorrentId, std::string> add(Metainfo meta, std::string data, const AddTorrentParams& params,
                                       std::optional<ResumeData> resume);
  // A magnet link: fetches the metadata first, then goes on as a torrent under the same id.
  expected<TorrentId, std::string> add_magnet(magnet::Magnet link, const AddTorrentParams& params);
  void restore();
  void restore_magnets();

  // A magnet torrent waiting for its metadata, and what the user asked for it.
  struct MagnetEntry {
    std::shared_ptr<MagnetTorrent> torrent;
    AddTorrentParams params;
  };

 private:
  using Candidates = std::vector<std::pair<tcp::endpoint, PeerSource>>;
  // Network thread: the Torrent itself, for add() and for a magnet whose metadata came in.
  void start_torrent(TorrentId id, Metainfo meta, std::filesystem::path save, const AddTorrentParams& params,
                     const Candidates& peers, std::optional<ResumeData> resume, bool restored, std::string data);
  void metadata_received(TorrentId id, std::string info_dict);

 public:

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
        conn->read_handshake(std::chrono::seconds(10), [this, conn](expected<wire::Handshake, std::string> hs) {
          --handshaking;
          if (!hs) return;
          for (auto& [id, t] : torrents) {
            if (t->info_hash() == hs->info_hash) {
              t->attach_incoming(conn, *hs);
              return;
            }
          }
          for (auto& [id, m] : magnets) {
            if (m.torrent->info_hash() == hs->info_hash) {
              m.torrent->attach_incoming(conn, *hs);
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
    tick_timer.expires_after(std::chrono::seconds(1));
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
      for (auto& [id, m] : magnets) m.torrent->tick(now);
      discovery->tick(now, discovery_torrents());
      prune_globally(now);
      schedule_tick();
    });
  }

  // The torrents the DHT and LSD may speak of: running, and not private (BEP 27). A magnet's
  // torrent counts as public until its metadata says otherwise.
  std::vector<DiscoveryTorrent> discovery_torrents() const {
    std::vector<DiscoveryTorrent> out;
    for (const auto& [id, t] : torrents) {
      const TorrentState st = t->state();
      if (t->is_private() || (st != TorrentState::downloading && st != TorrentState::seeding)) continue;
      out.push_back({t->info_hash(), st == TorrentState::downloading && t->peer_count() < kFewPeers});
    }
    for (const auto& [id, m] : magnets) {
      if (!m.torrent->paused()) out.push_back({m.torrent->info_hash(), true});
    }
    return out;
  }
  static constexpr int kFewPeers = 20;

  void discovered(const Sha1Digest& hash, const tcp::endpoint& peer, PeerSource source) {
    for (auto& [id, t] : torrents) {
      if (t->info_hash() == hash && !t->is_private()) t->add_peer(peer, source);
    }
    for (auto& [id, m] : magnets) {
      if (m.torrent->info_hash() == hash) m.torrent->add_peer(peer, source);
    }
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
    for (auto& [id, m] : magnets) {
      snap->torrents.push_back(m.torrent->status(now));
      snap->down_rate_total += snap->torrents.back().down_rate_total;
      snap->up_rate_total += snap->torrents.back().up_rate_total;
    }
    // One list in the order torrents were added, whichever kind each is.
    std::sort(snap->torrents.begin(), snap->torrents.end(),
              [](const TorrentStatus& a, const TorrentStatus& b) { return a.id < b.id; });
    counters.down_rate = snap->down_rate;
    snap->download_limit = settings.download_limit;
    snap->upload_limit = settings.upload_limit;
    snap->connections = counters.peers;
    if (discovery) discovery->fill(*snap);
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
        if (discovery) discovery->shutdown();
        // Resume data first (the pool finishes it before the process ends), then torrents send
        // `stopped` to their trackers; we finish when all are done or at the grace
        // period, whichever comes first.
        auto pending = std::make_shared<std::size_t>(torrents.size() + magnets.size());
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
        std::vector<std::shared_ptr<MagnetTorrent>> fetching;
        for (auto& [id, m] : magnets) fetching.push_back(m.torrent);
        for (auto& m : fetching) {
          m->stop([this, pending] {
            if (--*pending == 0) finish_shutdown();
          });
        }
        if (stopping.empty() && fetching.empty()) finish_shutdown();
      });
      thread.join();
    }
    if (disk) disk->stop();
    // Completions the pool posted after the loop ended: run them so nothing is left holding state.
    io.restart();
    io.poll();
    torrents.clear();
    magnets.clear();
    discovery.reset();
  }

  // Network thread; runs once, whichever of "all stopped" and "grace period over" comes first.
  void finish_shutdown() {
    if (shutdown_finished) return;
    shutdown_finished = true;
    shutdown_timer.reset();
    if (trackers) trackers->cancel_all();  // late `stopped` announces get "cancelled"
    torrents.clear();
    magnets.clear();
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
  static constexpr auto kBandwidthTick = std::chrono::milliseconds(5);
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
  std::unique_ptr<PeerDiscovery> discovery;  // DHT and LSD; network thread only
  std::map<TorrentId, std::shared_ptr<Torrent>> torrents;  // network thread only
  std::map<TorrentId, MagnetEntry> magnets;                 // network thread only
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

}  // namespace tessera
