// One torrent inside the session: its pieces (picker + storage), its peers' protocol state, its
// trackers and its choking. Lives on the network thread; disk and hash work go to the pool.
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
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "bandwidth/rate_meter.hpp"
#include "bandwidth/token_bucket.hpp"
#include "choker/choker.hpp"
#include "bitfield/bitfield.hpp"
#include "metainfo/metainfo.hpp"
#include "net/peer_connection.hpp"
#include "picker/piece_picker.hpp"
#include "storage/disk_io.hpp"
#include "storage/resume_data.hpp"
#include "storage/torrent_files.hpp"
#include "tessera/settings.hpp"
#include "tessera/status.hpp"
#include "tracker/announcer.hpp"
#include "tracker/tracker_client.hpp"

namespace tessera {

using Clock = std::chrono::steady_clock;

// Session-wide connection counts the torrents keep up to date (and read for the global limits).
struct SessionCounters {
  int peers = 0;        // connected, handshake done
  int connecting = 0;   // outgoing attempts in flight
  int downloading = 0;  // peers we are receiving from (refreshed each tick): shares of the global download cap
  int uploading = 0;    // peers we unchoke that want data: shares of the global upload cap
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
  std::filesystem::path state_dir;  // empty: nothing persists
  std::mt19937_64& rng;
  BandwidthGate& bandwidth;
  std::shared_ptr<TokenBucket> global_up, global_down;
  SessionCounters& counters;
};

// Shared-owned: pending disk and tracker callbacks keep it alive after removal, and do nothing then.
class Torrent : public PeerConnection::Owner, public std::enable_shared_from_this<Torrent> {
 public:
  using tcp = boost::asio::ip::tcp;

  Torrent(TorrentContext& ctx, TorrentId id, Metainfo meta, std::filesystem::path save_path, bool paused);
  ~Torrent() override;

  // Before start(): what an earlier session saved. Its verified pieces are trusted where the
  // files' sizes and mtimes still match; pieces of files that changed are hashed again.
  void use_resume(ResumeData r);
  void start();                        // check existing data, then download or seed
  void pause();
  void resume();
  // Sends `stopped` to trackers and closes peers; `done` runs when the announces finished.
  void stop(std::function<void()> done);
  void delete_files();                 // after stop()
  void forget_state();                 // removed: its resume file and .torrent copy go, no more saves
  void add_peer(const tcp::endpoint& ep);
  // An incoming connection whose handshake named this torrent. Answers it or drops it.
  void attach_incoming(std::shared_ptr<PeerConnection> conn, const wire::Handshake& theirs);
  void tick(Clock::time_point now);    // once a second
  // `details`: files and piece availability too (a pass over the pieces).
  TorrentStatus status(Clock::time_point now, bool details = false) const;
  void set_file_priority(std::uint32_t file_index, FilePriority priority);
  void set_file_priorities(const std::vector<FilePriority>& priorities);  // by file index
  void force_recheck();
  // Writes the resume file (on this torrent's disk strand, after its queued writes); `done`
  // runs on the network thread afterwards. No-op without a state folder or while checking.
  void save_resume(std::function<void()> done = {});
  // When first added to a state folder: the .torrent's copy (and a first resume file).
  void save_initial_state(std::string torrent_bytes);
  // Saves when something changed: at once for state changes, every 30 s for new pieces.
  void maybe_save_resume(Clock::time_point now);
  std::filesystem::path resume_path() const;
  std::filesystem::path torrent_copy_path() const;
  // Per-torrent caps in bytes/s (0 = unlimited), effective at once.
  void set_rate_limits(std::int64_t download, std::int64_t upload);
  // The caps or slot settings changed (here or session-wide): resize pipelines and slots now.
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

  // PeerConnection::Owner
  void on_peer_message(PeerConnection& c, wire::Message&& m) override;
  void on_peer_closed(PeerConnection& c, const std::string& reason) override;
  void on_peer_drained(PeerConnection& c) override;
  void on_peer_read_done(PeerConnection& c) override;

 private:
  struct Peer {
    PeerKey key = 0;
    std::shared_ptr<PeerConnection> conn;
    tcp::endpoint endpoint;
    std::array<std::uint8_t, 20> peer_id{};
    std::string client;
    bool incoming = false;
    bool fast = false;
    bool extended = false;
    bool am_choking = true;
    bool am_interested = false;
    bool peer_choking = true;
    bool peer_interested = false;
    bool seed = false;
    bool snubbed = false;
    bool counted_in_availability = false;
    Bitfield has;
    std::uint32_t wanted_from = 0;                 // pieces they have that we lack and want
    std::vector<BlockRef> requested;               // our requests awaiting a block
    std::deque<BlockRef> cancelled;                // withdrawn requests that may still be answered
    std::deque<wire::Request> their_requests;      // queued for reading from disk
    std::size_t reads_in_flight = 0;
    std::vector<std::uint32_t> allowed_fast;       // pieces they let us request while choked
    std::set<std::uint32_t> allowed_fast_given;    // pieces we let them request while choked
    RateMeter down, up;
    std::int64_t downloaded = 0, uploaded = 0;
    std::size_t pipeline = 16;
    int hash_failures = 0;
    Clock::time_point connected_at{}, last_block_at{};
    std::string choke_reason = "not interested";
  };

  void begin_check();
  void plan_check(const std::vector<ResumeFileStamp>& on_disk);
  void check_next();
  void mark_dirty(bool urgent);
  ResumeData resume_record() const;  // everything but the files' stamps
  void finish_check();
  void set_error(const std::string& message);
  void enter_seeding();
  // Picker priorities from the file priorities; moves between downloading and seeding if the
  // wanted set became (in)complete.
  void apply_file_priorities();
  void start_recheck();  // once this torrent's queued writes have reached the disk

  void connect_peers(Clock::time_point now);
  void on_connected(std::shared_ptr<PeerConnection> conn, const wire::Handshake& theirs, bool incoming);
  Peer* find(PeerConnection& c);
  void drop_peer(PeerKey key, const std::string& reason);
  void drop_all_peers(const std::string& reason);

  void handle_bitfield(Peer& p, Bitfield bits);
  void handle_have(Peer& p, std::uint32_t piece);
  void handle_block(Peer& p, std::uint32_t piece, std::uint32_t begin, std::string_view data);
  void handle_request(Peer& p, const wire::Request& r);
  void recount_interest(Peer& p);
  void set_interest(Peer& p, bool want);
  void fill_requests(Peer& p);
  // Gives the peer's outstanding requests back to the picker; late answers are then ignored.
  void withdraw_requests(Peer& p);
  static void remember_cancelled(Peer& p, const BlockRef& b);
  void serve_requests(Peer& p);
  void write_done(std::uint32_t piece);
  void flush_writes();
  void start_hash(std::uint32_t piece);
  void hash_done(std::uint32_t piece, const expected<Sha1Digest, StorageError>& result);
  void piece_passed(std::uint32_t piece);
  void piece_failed(std::uint32_t piece);

  void rechoke(Clock::time_point now);
  ChokerPeer choker_view(const Peer& p) const;
  std::vector<ChokerPeer> choker_views() const;
  void apply(const ChokeDecision& d);
  void set_choke(Peer& p, bool choke);
  ChokerConfig choker_config() const;
  // Bytes/s one peer can expect under the caps that apply (0 when none does).
  std::int64_t download_share() const;
  std::int64_t upload_share() const;
  std::size_t request_target(const Peer& p) const;
  void trim_requests(Peer& p);  // cancels requests beyond the target (a cap was lowered)
  void count_active_peers();
  void announce_due(Clock::time_point now);
  void send_announce(const tracker::AnnounceJob& job, std::function<void()> after = {});
  void scrape(Clock::time_point now);
  struct ByteCounts {
    std::int64_t left = 0;         // not verified yet (what trackers call `left`)
    std::int64_t wanted_left = 0;  // of that, in pieces we want
    std::int64_t have_wanted = 0;  // verified, in pieces we want
  };
  ByteCounts byte_counts() const;  // one pass over the pieces

  TorrentContext& ctx_;
  TorrentId id_;
  Metainfo meta_;
  std::filesystem::path save_path_;
  std::shared_ptr<TorrentFiles> files_;
  PiecePicker picker_;
  std::vector<FilePriority> file_priorities_;  // one per file of the metainfo (pad files: skip)
  std::uint32_t generation_ = 0;               // bumped by a recheck: older hash results are void
  bool recheck_pending_ = false;
  bool complete_ = false;
  std::optional<ResumeData> resume_;           // until the first check has used it
  std::int64_t added_at_ = 0;                  // seconds since the Unix epoch
  std::int64_t active_seconds_ = 0;
  std::int64_t downloaded_before_ = 0, uploaded_before_ = 0;  // payload in earlier sessions
  bool forgotten_ = false;
  bool resume_dirty_ = false, resume_urgent_ = false, resume_saving_ = false;
  Clock::time_point last_resume_save_{};                      // every wanted piece verified (seeding, or paused so)
  std::optional<tracker::Announcer> announcer_;
  TorrentState state_ = TorrentState::checking;
  bool paused_ = false;
  bool stopping_ = false;
  std::string error_;

  // Checking existing data: the pieces to hash, in order.
  std::vector<std::uint32_t> check_list_;
  std::size_t check_next_piece_ = 0;
  std::uint32_t check_in_flight_ = 0;
  std::uint32_t check_done_ = 0;

  std::map<PeerKey, std::unique_ptr<Peer>> peers_;
  std::unordered_map<PeerConnection*, PeerKey> by_conn_;
  PeerKey next_key_ = 1;
  struct Candidate {
    int failures = 0;
    Clock::time_point not_before{};  // retry backoff after failed attempts
  };
  std::map<tcp::endpoint, Candidate> candidates_;   // known, not connected
  std::set<tcp::endpoint> connecting_;
  std::set<boost::asio::ip::address> banned_;
  struct PendingWrite {
    std::uint32_t piece;
    std::uint32_t begin;
    std::string data;
  };
  DiskIo::Strand write_strand_;            // this torrent's writes, in order, one at a time
  std::vector<PendingWrite> write_batch_;  // blocks of one socket read, written by one disk job
  std::int64_t write_backlog_ = 0;         // bytes received but not yet written to disk
  std::vector<std::weak_ptr<PeerConnection>> paused_for_disk_;
  std::unordered_map<std::uint32_t, int> writes_in_flight_;
  std::set<std::uint32_t> awaiting_hash_;
  std::int64_t hash_failures_ = 0;

  RateMeter down_, up_;
  std::int64_t downloaded_ = 0, uploaded_ = 0;
  std::shared_ptr<TokenBucket> up_bucket_ = std::make_shared<TokenBucket>();
  std::shared_ptr<TokenBucket> down_bucket_ = std::make_shared<TokenBucket>();
  Choker choker_;
  int downloading_peers_ = 0, uploading_peers_ = 0;
  Clock::time_point last_scrape_{};
  std::optional<std::int64_t> scrape_seeds_, scrape_leechers_;
  bool scrape_pending_ = false;
};

}  // namespace tessera
