// One torrent inside the session: its state machine (checking, downloading, seeding, paused,
// error) and the wiring between its parts, each of which does one job and knows no other:
//   PeerList        who we know, who to dial, who is banned, why peers left
//   PeerSession     one peer's protocol state (sans I/O), per connection
//   PiecePicker     which block to request from whom; the one owner of outstanding requests
//   RequestScheduler how many requests per peer within the caps
//   PieceIo         writes, hashes and reads on the disk pool, with backpressure
//   DataChecker     the check of existing data
//   ResumeKeeper    when to save resume data (the session's StateStore writes it)
//   TorrentTrackers announces and scrapes
//   Choker          who we upload to
// Lives on the network thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "bandwidth/rate_meter.hpp"
#include "bandwidth/token_bucket.hpp"
#include "choker/choker.hpp"
#include "metainfo/metainfo.hpp"
#include "net/peer_connection.hpp"
#include "peers/peer_list.hpp"
#include "peers/peer_session.hpp"
#include "picker/piece_picker.hpp"
#include "session/data_checker.hpp"
#include "session/piece_io.hpp"
#include "session/request_scheduler.hpp"
#include "session/resume_keeper.hpp"
#include "session/torrent_trackers.hpp"
#include "storage/disk_io.hpp"
#include "storage/resume_data.hpp"
#include "storage/state_store.hpp"
#include "storage/torrent_files.hpp"
#include "tessera/settings.hpp"
#include "tessera/status.hpp"
#include "tracker/tracker_client.hpp"

namespace tessera {

using Clock = std::chrono::steady_clock;

// Session-wide numbers the torrents keep up to date (and read for the global limits).
struct SessionCounters {
  int peers = 0;        // connected, handshake done
  int connecting = 0;   // outgoing attempts in flight
  int downloading = 0;  // peers we are receiving from (refreshed each tick): shares of the global download cap
  int uploading = 0;    // peers we unchoke that want data: shares of the global upload cap
  std::int64_t down_rate = 0;  // the session's payload rate at the last snapshot
};

// What a torrent needs from its session; nothing points back up.
struct TorrentContext {
  boost::asio::io_context& io;
  DiskIo& disk;
  tracker::TrackerClient* trackers;  // null when trackers are disabled
  const SessionSettings& settings;
  std::array<std::uint8_t, 20> peer_id;
  std::optional<boost::asio::ip::address> bind_address;
  std::uint16_t listen_port;
  std::uint32_t tracker_key;
  std::function<void(SessionEvent)> emit;
  StateStore& state;
  std::mt19937_64& rng;
  BandwidthGate& bandwidth;
  std::shared_ptr<TokenBucket> global_up, global_down;
  SessionCounters& counters;
};

// Shared-owned: pending disk and tracker callbacks keep it alive after removal, and do nothing then.
class Torrent : public PeerConnection::Owner, public PieceIo::Listener, public std::enable_shared_from_this<Torrent> {
 public:
  using tcp = boost::asio::ip::tcp;

  // `persist`: kept in the session's state folder (false: gone after a restart).
  Torrent(TorrentContext& ctx, TorrentId id, Metainfo meta, std::filesystem::path save_path, bool paused,
          bool persist);
  ~Torrent() override;

  // Before start(): what an earlier session saved. Its verified pieces are trusted where the
  // files' sizes and mtimes still match; pieces of files that changed are hashed again.
  void use_resume(ResumeData r);
  // When first added to a state folder: the .torrent's copy and a first resume file, so a quit
  // or a crash before the first check ends still brings the torrent back (and checks it again).
  void save_initial_state(std::string torrent_bytes);
  void start();                        // check existing data, then download or seed
  void pause();
  void resume();
  // Sends `stopped` to trackers and closes peers; `done` runs when the announces finished.
  void stop(std::function<void()> done);
  void delete_files();                 // after stop()
  void forget_state();                 // removed: its state files go, no more saves
  void add_peer(const tcp::endpoint& ep, PeerSource source);
  // An incoming connection whose handshake named this torrent. Answers it or drops it.
  void attach_incoming(std::shared_ptr<PeerConnection> conn, const wire::Handshake& theirs);
  void tick(Clock::time_point now);    // once a second
  // `details`: files and piece availability too (a pass over the pieces).
  TorrentStatus status(Clock::time_point now, bool details = false) const;
  void set_file_priority(std::uint32_t file_index, FilePriority priority);
  void set_file_priorities(const std::vector<FilePriority>& priorities);  // by file index
  void force_recheck();
  // Writes the resume file (after this torrent's queued writes); `done` runs on the network
  // thread afterwards. No-op without a state folder or while checking.
  void save_resume(std::function<void()> done = {});
  // Per-torrent caps in bytes/s (0 = unlimited), effective at once.
  void set_rate_limits(std::int64_t download, std::int64_t upload);
  // Unset: the session's stop_at_ratio applies; 0: never stop.
  void set_ratio_limit(std::optional<double> limit);
  // The caps, slots or peer-list settings changed (here or session-wide): apply them now.
  void limits_changed();
  int peer_count() const { return static_cast<int>(peers_.size()); }
  int downloading_peers() const { return downloading_peers_; }
  int uploading_peers() const { return uploading_peers_; }
  // Drops up to n of the least useful peers, never ones we are trading with. Returns how many.
  std::size_t prune_peers(std::size_t n, Clock::time_point now);

  TorrentId id() const { return id_; }
  const Sha1Digest& info_hash() const { return meta_.info_hash; }
  const std::string& name() const { return meta_.name; }
  TorrentState state() const { return state_; }
  bool is_private() const { return meta_.is_private; }

  // PeerConnection::Owner
  void on_peer_message(PeerConnection& c, wire::Message&& m) override;
  void on_peer_closed(PeerConnection& c, const std::string& reason) override;
  void on_peer_drained(PeerConnection& c) override;
  void on_peer_read_done(PeerConnection& c) override;
  // PieceIo::Listener
  void on_piece_hashed(std::uint32_t piece, const expected<Sha1Digest, StorageError>& digest) override;
  void on_write_failed(const StorageError& error) override;
  void on_backlog_low() override;

 private:
  struct Peer {
    Peer(PeerKey key, std::shared_ptr<PeerConnection> c, const tcp::endpoint& ep, bool in, PeerSource src,
         const PieceMap& map, const wire::Handshake& theirs, Clock::time_point now, const PeerSessionLimits& limits);
    std::shared_ptr<PeerConnection> conn;
    PeerSession session;
    tcp::endpoint endpoint;
    bool incoming;
    PeerSource source;
    std::array<std::uint8_t, 20> peer_id;
    int hash_failures = 0;
    std::optional<std::uint16_t> listen_port;  // an incoming peer's, from its extension handshake
  };

  // ---- state machine (torrent.cpp)
  void begin_check(bool have_resume);
  void finish_check();
  void set_error(const std::string& message);
  void enter_seeding();
  void apply_file_priorities();
  void start_recheck();
  bool running() const;  // downloading or seeding, not paused or stopping
  void check_ratio();
  ResumeData resume_record() const;
  void mark_dirty(bool urgent) { keeper_.mark_dirty(urgent); }

  // ---- peers (torrent_peers.cpp)
  void connect_peers(Clock::time_point now);
  void on_connected(std::shared_ptr<PeerConnection> conn, const wire::Handshake& theirs, bool incoming,
                    const tcp::endpoint& ep);
  Peer* find(PeerConnection& c);
  void drop_peer(PeerKey key, DepartureReason reason, const std::string& detail);
  void drop_all_peers(const std::string& detail);
  void react(Peer& p, PeerReaction& r);
  void received(Peer& p, const PeerReaction::Block& b);
  void serve_metadata(Peer& p, const wire::MetadataMessage& m);
  void take_pex(const std::vector<wire::PexPeer>& candidates);
  void exchange_peers(Clock::time_point now);
  void fill(Peer& p);
  void serve(Peer& p);
  void piece_passed(std::uint32_t piece);
  void piece_failed(std::uint32_t piece);
  void rechoke(Clock::time_point now);
  std::vector<ChokerPeer> choker_views(Clock::time_point now) const;
  void apply(const ChokeDecision& d);
  void count_active_peers();
  PeerListConfig peer_list_config() const;
  PeerSessionLimits peer_limits() const;

  TorrentTrackers::Totals totals() const;

  TorrentContext& ctx_;
  TorrentId id_;
  Metainfo meta_;
  std::filesystem::path save_path_;
  bool persist_;
  // Peer exchange (BEP 11): the setting when the torrent was created, never for a private
  // torrent (BEP 27). Fixed for the torrent's life.
  bool pex_ = false;
  PieceMap map_;
  PiecePicker picker_;
  std::shared_ptr<PieceIo> io_;
  std::shared_ptr<DataChecker> checker_;
  std::shared_ptr<TorrentTrackers> trackers_;
  PeerList peer_list_;
  RequestScheduler scheduler_;
  ResumeKeeper keeper_;
  Choker choker_;
  std::vector<FilePriority> file_priorities_;  // one per file of the metainfo (pad files: skip)
  bool recheck_pending_ = false;
  bool complete_ = false;
  std::optional<ResumeData> resume_;           // until the first check has used it
  bool forgotten_ = false;
  TorrentState state_ = TorrentState::checking;
  bool paused_ = false;
  bool stopping_ = false;
  std::string error_;
  std::optional<double> ratio_limit_;
  bool stopped_at_ratio_ = false;
  bool seeds_past_ratio_ = false;

  std::map<PeerKey, std::unique_ptr<Peer>> peers_;
  std::unordered_map<PeerConnection*, PeerKey> by_conn_;
  PeerKey next_key_ = 1;
  std::vector<std::weak_ptr<PeerConnection>> paused_for_disk_;
  std::int64_t hash_failures_ = 0;

  RateMeter down_, up_;
  std::int64_t downloaded_ = 0, uploaded_ = 0;
  std::shared_ptr<TokenBucket> up_bucket_ = std::make_shared<TokenBucket>();
  std::shared_ptr<TokenBucket> down_bucket_ = std::make_shared<TokenBucket>();
  int downloading_peers_ = 0, uploading_peers_ = 0;
};

}  // namespace tessera
