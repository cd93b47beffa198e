#include "session/torrent.hpp"

#include <algorithm>
#include <variant>

#include "log/logging.hpp"
#include "storage/atomic_file.hpp"
#include "wire/allowed_fast.hpp"
#include "wire/extension_handshake.hpp"
#include "wire/peer_id.hpp"
#include "tessera/version.hpp"

namespace tessera {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kMinPipeline = 4;
constexpr std::size_t kMaxPipeline = 500;
constexpr std::size_t kMaxQueuedRequests = 2000;   // from one peer; more is abuse
constexpr std::size_t kMaxReadsInFlight = 64;      // blocks being read for one peer (4 disk jobs)
constexpr std::size_t kSendBudget = 4 << 20;       // bytes queued on a socket before we stop reading more
constexpr auto kIdleTimeout = 120s;
constexpr auto kKeepAlive = 90s;
constexpr auto kHandshakeTimeout = 10s;
constexpr std::size_t kAllowedFastCount = 8;
constexpr int kBanAfterHashFailures = 3;
// Received data waiting for the disk: past the high mark peers stop being read (TCP slows them
// down), below the low mark they are read again. Bounds memory when the disk is slower than
// the network (the kernel throttles writers once enough dirty pages pile up).
constexpr std::int64_t kWriteBacklogHigh = 16 << 20;
constexpr std::int64_t kWriteBacklogLow = 8 << 20;
constexpr int kMaxConnectFailures = 6;
constexpr auto kRetryBase = 5s;

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

std::string endpoint_string(const boost::asio::ip::tcp::endpoint& ep) {
  const auto a = ep.address();
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(ep.port());
}

std::shared_ptr<spdlog::logger> peer_log() {
  static auto logger = log::get("peer");
  return logger;
}
std::shared_ptr<spdlog::logger> torrent_log() {
  static auto logger = log::get("torrent");
  return logger;
}

// Calls f(piece) for every piece holding a byte of the file (none for an empty file).
template <class F>
void for_each_piece_of_file(const PieceMap& map, std::uint32_t file, F f) {
  const PieceRange r = map.pieces_of_file(file);
  for (std::uint32_t piece = r.first; piece <= r.last && r.first <= r.last; ++piece) f(piece);
}

wire::TorrentShape shape_of(const Metainfo& m) {
  return wire::TorrentShape{m.piece_count, m.piece_length, m.total_size};
}

}  // namespace

Torrent::Torrent(TorrentContext& ctx, TorrentId id, Metainfo meta, std::filesystem::path save_path, bool paused)
    : ctx_(ctx),
      id_(id),
      meta_(std::move(meta)),
      save_path_(std::move(save_path)),
      files_(std::make_shared<TorrentFiles>(save_path_, meta_)),
      picker_(files_->map(), ctx.rng()),
      paused_(paused),
      write_strand_(ctx.disk.make_strand()),
      choker_(ChokerConfig{}, ctx.rng()) {
  if (ctx_.trackers != nullptr && !meta_.tracker_tiers.empty()) {
    announcer_.emplace(meta_.tracker_tiers, ctx.rng());
  }
  added_at_ = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  file_priorities_.resize(meta_.files.size(), FilePriority::normal);
  for (std::size_t i = 0; i < meta_.files.size(); ++i) {
    if (meta_.files[i].pad) file_priorities_[i] = FilePriority::skip;
  }
}

Torrent::~Torrent() {
  ctx_.counters.peers -= static_cast<int>(peers_.size());
  for (auto& [key, p] : peers_) {
    if (p->conn) p->conn->close("torrent removed");
  }
}

// ---------------------------------------------------------------- checking

void Torrent::start() {
  ctx_.emit(SessionEvent{SessionEvent::Kind::added, id_, meta_.name, {}});
  begin_check();
}

void Torrent::set_file_priorities(const std::vector<FilePriority>& priorities) {
  for (std::size_t i = 0; i < priorities.size() && i < file_priorities_.size(); ++i) {
    if (!meta_.files[i].pad) file_priorities_[i] = priorities[i];
  }
  apply_file_priorities();
}

void Torrent::set_file_priority(std::uint32_t file_index, FilePriority priority) {
  if (file_index >= file_priorities_.size() || meta_.files[file_index].pad) return;
  if (file_priorities_[file_index] == priority) return;
  file_priorities_[file_index] = priority;
  apply_file_priorities();
}

void Torrent::apply_file_priorities() {
  mark_dirty(true);
  // A piece is as important as the most important file it touches.
  std::vector<std::uint8_t> wanted(meta_.piece_count, 0);
  for (std::uint32_t f = 0; f < meta_.files.size(); ++f) {
    if (meta_.files[f].pad || meta_.files[f].size == 0) continue;
    const std::uint8_t prio = file_priorities_[f] == FilePriority::high     ? 4
                              : file_priorities_[f] == FilePriority::normal ? 1
                                                                            : 0;
    for_each_piece_of_file(files_->map(), f, [&](std::uint32_t piece) { wanted[piece] = std::max(wanted[piece], prio); });
  }
  for (std::uint32_t piece = 0; piece < meta_.piece_count; ++piece) {
    if (picker_.piece_priority(piece) != wanted[piece]) picker_.set_piece_priority(piece, wanted[piece]);
  }
  if (state_ == TorrentState::checking || state_ == TorrentState::error) return;
  const bool was_complete = complete_;
  if (picker_.is_finished() && !was_complete) {
    enter_seeding();
    return;
  }
  if (!picker_.is_finished() && was_complete) {
    complete_ = false;
    if (!paused_) state_ = TorrentState::downloading;
  }
  for (auto& [k, p] : peers_) recount_interest(*p);
  connect_peers(Clock::now());
}

void Torrent::force_recheck() {
  if (state_ == TorrentState::checking || stopping_ || recheck_pending_) return;
  recheck_pending_ = true;
  state_ = TorrentState::checking;
  check_done_ = 0;
  drop_all_peers("rechecking");
  // Writes already queued go to disk first, so the check sees them.
  flush_writes();
  ctx_.disk.submit_on(write_strand_, ctx_.io.get_executor(), [] { return 0; },
                      [this, self = shared_from_this()](int) { start_recheck(); });
}

void Torrent::start_recheck() {
  recheck_pending_ = false;
  if (stopping_) return;
  ++generation_;  // hashes of the old attempt that are still running are ignored
  writes_in_flight_.clear();
  awaiting_hash_.clear();
  // A fresh view of the files: no running piece hashes from before.
  files_ = std::make_shared<TorrentFiles>(save_path_, meta_);
  picker_ = PiecePicker(files_->map(), ctx_.rng());
  apply_file_priorities();
  error_.clear();
  torrent_log()->info("{}: recheck", meta_.name);
  begin_check();
}

void Torrent::use_resume(ResumeData r) {
  added_at_ = r.added_at;
  active_seconds_ = r.active_seconds;
  downloaded_before_ = r.downloaded;
  uploaded_before_ = r.uploaded;
  resume_ = std::move(r);
}

void Torrent::begin_check() {
  state_ = TorrentState::checking;
  check_list_.clear();
  check_next_piece_ = 0;
  check_in_flight_ = 0;
  check_done_ = 0;
  // What is on disk is looked at on the pool: the network thread never waits on the disk.
  auto files = files_;
  ctx_.disk.submit(ctx_.io.get_executor(), [files] { return files->stamps(); },
                   [this, self = shared_from_this(), gen = generation_](std::vector<ResumeFileStamp> on_disk) {
                     if (stopping_ || gen != generation_) return;
                     plan_check(on_disk);
                   });
}

void Torrent::plan_check(const std::vector<ResumeFileStamp>& on_disk) {
  // Pieces touching a file that is there and differs from what the resume data recorded (or
  // every existing file, without resume data) are hashed; the rest of the verified ones are trusted.
  std::vector<bool> suspect(meta_.piece_count, false);
  std::vector<bool> present(meta_.piece_count, false);  // touches at least one existing file
  for (std::uint32_t f = 0; f < meta_.files.size(); ++f) {
    if (meta_.files[f].pad || meta_.files[f].size == 0) continue;
    const bool changed = !resume_ || resume_->files[f] != on_disk[f];
    const bool exists = on_disk[f].size >= 0;
    for_each_piece_of_file(files_->map(), f, [&](std::uint32_t piece) {
      if (changed) suspect[piece] = true;
      if (exists) present[piece] = true;
    });
  }
  // Spare bits set would be a damaged file: then nothing in it is trusted.
  Bitfield verified(meta_.piece_count);
  if (resume_ && !Bitfield::from_bytes(resume_->verified, meta_.piece_count, verified)) {
    verified = Bitfield(meta_.piece_count);
  }
  std::uint32_t trusted = 0;
  for (std::uint32_t piece = 0; piece < meta_.piece_count; ++piece) {
    if (verified.get(piece) && !suspect[piece]) {
      picker_.set_have(piece);
      ++trusted;
    } else if (suspect[piece] && present[piece]) {
      check_list_.push_back(piece);
    }
  }
  if (resume_) {
    torrent_log()->info("{}: resume data: {} pieces trusted, {} to check", meta_.name, trusted, check_list_.size());
  }
  resume_.reset();
  if (check_list_.empty()) {
    finish_check();
    return;
  }
  check_next();
}

void Torrent::check_next() {
  const std::uint32_t parallel = static_cast<std::uint32_t>(std::max<std::size_t>(2, ctx_.settings.disk_threads * 2));
  while (check_in_flight_ < parallel && check_next_piece_ < check_list_.size()) {
    const std::uint32_t piece = check_list_[check_next_piece_++];
    ++check_in_flight_;
    auto files = files_;
    ctx_.disk.submit(
        ctx_.io.get_executor(), [files, piece] { return files->hash_piece(piece); },
        [this, self = shared_from_this(), piece, gen = generation_](expected<Sha1Digest, StorageError> r) {
          if (gen != generation_) return;
          --check_in_flight_;
          ++check_done_;
          if (stopping_) return;
          if (r && *r == meta_.piece_hash(piece)) picker_.set_have(piece);
          if (check_done_ == check_list_.size()) {
            finish_check();
          } else {
            check_next();
          }
        });
  }
}

void Torrent::mark_dirty(bool urgent) {
  resume_dirty_ = true;
  resume_urgent_ = resume_urgent_ || urgent;
}

std::filesystem::path Torrent::resume_path() const {
  return ctx_.state_dir / "torrents" / (meta_.info_hash.hex() + ".resume");
}

std::filesystem::path Torrent::torrent_copy_path() const {
  return ctx_.state_dir / "torrents" / (meta_.info_hash.hex() + ".torrent");
}

void Torrent::maybe_save_resume(Clock::time_point now) {
  if (!resume_dirty_ || resume_saving_) return;
  if (resume_urgent_ || now - last_resume_save_ >= 30s) save_resume();
}

ResumeData Torrent::resume_record() const {
  ResumeData r;
  r.info_hash = meta_.info_hash.hex();
  r.save_path = save_path_.string();
  r.paused = paused_;
  r.added_at = added_at_;
  r.active_seconds = active_seconds_;
  r.downloaded = downloaded_before_ + downloaded_;
  r.uploaded = uploaded_before_ + uploaded_;
  r.download_limit = down_bucket_->rate();
  r.upload_limit = up_bucket_->rate();
  r.file_priorities = file_priorities_;
  r.verified = std::string(picker_.have_bitfield().bytes());
  return r;
}

void Torrent::save_initial_state(std::string torrent_bytes) {
  if (ctx_.state_dir.empty()) return;
  // Without earlier resume data, a first resume file goes with the copy, so a crash before the
  // first check still brings the torrent back. Its file stamps match nothing: whatever is on
  // disk then gets checked.
  std::optional<std::string> first;
  if (!resume_) {
    ResumeData r = resume_record();
    r.files.assign(meta_.files.size(), ResumeFileStamp{-2, 0});
    first = encode_resume(r);
  }
  ctx_.disk.submit_on(
      write_strand_, ctx_.io.get_executor(),
      [dir = ctx_.state_dir / "torrents", copy = torrent_copy_path(), resume = resume_path(),
       bytes = std::move(torrent_bytes), first = std::move(first)]() -> expected<void, std::string> {
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec) return unexpected("cannot create " + dir.string() + ": " + ec.message());
        if (auto w = write_file_atomically(copy, bytes); !w) return w;
        if (first) return write_file_atomically(resume, *first);
        return {};
      },
      [this, self = shared_from_this()](expected<void, std::string> ok) {
        if (!ok) torrent_log()->warn("{}: not saved: {}", meta_.name, ok.error());
      });
}

void Torrent::save_resume(std::function<void()> done) {
  if (ctx_.state_dir.empty() || forgotten_ || state_ == TorrentState::checking || resume_) {
    // While checking, the verified set is incomplete: the file on disk stays as it was.
    if (done) done();
    return;
  }
  flush_writes();  // blocks received so far reach the disk before the stamps are taken
  ResumeData r = resume_record();
  resume_dirty_ = false;
  resume_urgent_ = false;
  resume_saving_ = true;
  last_resume_save_ = Clock::now();
  auto files = files_;
  // On the write strand: the sizes and mtimes recorded are those after every queued write.
  ctx_.disk.submit_on(
      write_strand_, ctx_.io.get_executor(),
      [files, r = std::move(r), path = resume_path()]() mutable {
        r.files = files->stamps();
        return write_file_atomically(path, encode_resume(r));
      },
      [this, self = shared_from_this(), done = std::move(done)](expected<void, std::string> ok) {
        resume_saving_ = false;
        if (!ok) torrent_log()->warn("{}: resume data not saved: {}", meta_.name, ok.error());
        if (done) done();
      });
}

void Torrent::finish_check() {
  mark_dirty(true);
  ctx_.emit(SessionEvent{SessionEvent::Kind::checked, id_, meta_.name,
                         std::to_string(picker_.have_bitfield().count()) + "/" + std::to_string(meta_.piece_count) +
                             " pieces verified"});
  torrent_log()->info("{}: check done, {}/{} pieces", meta_.name, picker_.have_bitfield().count(), meta_.piece_count);
  if (picker_.is_finished()) {
    enter_seeding();
    if (auto r = files_->create_empty_files(); !r) set_error(r.error().message);
  } else {
    complete_ = false;
    state_ = TorrentState::downloading;
  }
  if (paused_) state_ = TorrentState::paused;
  connect_peers(Clock::now());
  announce_due(Clock::now());
}

void Torrent::set_error(const std::string& message) {
  if (state_ == TorrentState::error) return;
  error_ = message;
  state_ = TorrentState::error;
  torrent_log()->error("{}: {}", meta_.name, message);
  ctx_.emit(SessionEvent{SessionEvent::Kind::error, id_, meta_.name, message});
  drop_all_peers("torrent error");
}

void Torrent::enter_seeding() {
  const bool was_downloading = state_ == TorrentState::downloading;
  complete_ = true;
  mark_dirty(true);
  state_ = paused_ ? TorrentState::paused : TorrentState::seeding;
  if (was_downloading) {
    if (announcer_) announcer_->set_completed();
    ctx_.emit(SessionEvent{SessionEvent::Kind::finished, id_, meta_.name, {}});
    torrent_log()->info("{}: download complete", meta_.name);
  }
  std::vector<PeerKey> seeds;
  for (auto& [k, p] : peers_) {
    if (p->seed) {
      seeds.push_back(k);
    } else {
      p->wanted_from = 0;
      set_interest(*p, false);
    }
  }
  for (PeerKey k : seeds) drop_peer(k, "both seeding");
}

// ---------------------------------------------------------------- commands

void Torrent::pause() {
  if (paused_) return;
  paused_ = true;
  mark_dirty(true);
  if (state_ != TorrentState::checking && state_ != TorrentState::error) state_ = TorrentState::paused;
  drop_all_peers("paused");
  if (announcer_) {
    for (const auto& job : announcer_->stop(Clock::now())) send_announce(job);
    announcer_.emplace(meta_.tracker_tiers, ctx_.rng());  // fresh `started` on resume
  }
}

void Torrent::resume() {
  if (!paused_) return;
  paused_ = false;
  mark_dirty(true);
  if (state_ == TorrentState::error) {
    // Blocks received but never written (the disk failed) must be fetched again: start over
    // from what the disk really holds, with a fresh picker.
    force_recheck();
    return;
  }
  if (state_ == TorrentState::paused) state_ = picker_.is_finished() ? TorrentState::seeding : TorrentState::downloading;
}

void Torrent::stop(std::function<void()> done) {
  stopping_ = true;
  drop_all_peers("shutting down");
  if (!announcer_ || paused_) {
    done();
    return;
  }
  auto jobs = announcer_->stop(Clock::now());
  if (jobs.empty()) {
    done();
    return;
  }
  auto remaining = std::make_shared<std::size_t>(jobs.size());
  auto finish = std::make_shared<std::function<void()>>(std::move(done));
  for (const auto& job : jobs) {
    send_announce(job, [remaining, finish] {
      if (--*remaining == 0) (*finish)();
    });
  }
}

void Torrent::forget_state() {
  forgotten_ = true;
  if (ctx_.state_dir.empty()) return;
  // On the write strand, after any save still queued there.
  ctx_.disk.submit_on(
      write_strand_, ctx_.io.get_executor(),
      [a = resume_path(), b = torrent_copy_path()] {
        std::error_code ec;
        std::filesystem::remove(a, ec);
        std::filesystem::remove(b, ec);
        return 0;
      },
      [](int) {});
}

void Torrent::delete_files() {
  auto files = files_;
  ctx_.disk.submit(ctx_.io.get_executor(), [files] { files->remove_files(); return 0; }, [](int) {});
}

void Torrent::add_peer(const tcp::endpoint& ep) {
  if (ep.port() == 0 || banned_.contains(ep.address())) return;
  if (ctx_.bind_address && ep.address() == *ctx_.bind_address && ep.port() == ctx_.listen_port) return;  // us
  for (const auto& [k, p] : peers_) {
    if (p->endpoint == ep) return;
  }
  if (connecting_.contains(ep)) return;
  candidates_.try_emplace(ep);  // a known candidate keeps its backoff
  connect_peers(Clock::now());
}

// ---------------------------------------------------------------- connections

void Torrent::connect_peers(Clock::time_point now) {
  if (paused_ || stopping_ || state_ == TorrentState::error || state_ == TorrentState::checking) return;
  // Soft limits: no new outgoing connections past them (per torrent and session-wide).
  auto room = [&] {
    return static_cast<int>(peers_.size() + connecting_.size()) < ctx_.settings.max_peers_per_torrent &&
           ctx_.counters.peers + ctx_.counters.connecting < ctx_.settings.max_connections &&
           static_cast<int>(connecting_.size()) < ctx_.settings.max_connecting;
  };
  for (auto it = candidates_.begin(); it != candidates_.end() && room();) {
    if (it->second.not_before > now) {
      ++it;
      continue;
    }
    const tcp::endpoint ep = it->first;
    const int failures = it->second.failures;
    it = candidates_.erase(it);
    connecting_.insert(ep);
    ++ctx_.counters.connecting;
    auto conn = std::make_shared<PeerConnection>(ctx_.io, false);
    wire::Handshake ours;
    ours.info_hash = meta_.info_hash;
    ours.peer_id = ctx_.peer_id;
    ours.set_fast();
    ours.set_extensions();
    conn->connect(ep, ctx_.bind_address, ours, kHandshakeTimeout,
                  [this, self = shared_from_this(), conn, ep, failures](expected<wire::Handshake, std::string> hs) {
                    connecting_.erase(ep);
                    --ctx_.counters.connecting;
                    if (!hs) {
                      peer_log()->debug("{}: connect to {} failed: {}", meta_.name, endpoint_string(ep), hs.error());
                      // Retry later (the peer may be busy checking, or restarting): 5 s, 10 s, ... 
                      // then forget it until a tracker lists it again.
                      if (!stopping_ && failures < kMaxConnectFailures) {
                        Candidate& c = candidates_[ep];
                        c.failures = failures + 1;
                        c.not_before = Clock::now() + kRetryBase * (1 << failures);
                      }
                      return;
                    }
                    if (hs->info_hash != meta_.info_hash) {
                      conn->close("wrong info-hash");
                      return;
                    }
                    on_connected(conn, *hs, false);
                  });
  }
}

void Torrent::attach_incoming(std::shared_ptr<PeerConnection> conn, const wire::Handshake& theirs) {
  // Hard limit: past it even incoming peers are refused (the session checks its own).
  if (paused_ || stopping_ || state_ == TorrentState::error || state_ == TorrentState::checking ||
      static_cast<int>(peers_.size()) >= ctx_.settings.max_peers_per_torrent_hard ||
      banned_.contains(conn->remote().address())) {
    conn->close("not accepting peers");
    return;
  }
  wire::Handshake ours;
  ours.info_hash = meta_.info_hash;
  ours.peer_id = ctx_.peer_id;
  ours.set_fast();
  ours.set_extensions();
  conn->send_handshake(ours);
  on_connected(std::move(conn), theirs, true);
}

void Torrent::on_connected(std::shared_ptr<PeerConnection> conn, const wire::Handshake& theirs, bool incoming) {
  if (theirs.peer_id == ctx_.peer_id) {
    conn->close("connected to ourselves");
    return;
  }
  for (const auto& [k, p] : peers_) {
    if (p->peer_id == theirs.peer_id) {
      conn->close("duplicate connection");
      return;
    }
  }
  if (paused_ || stopping_ || state_ == TorrentState::error) {
    conn->close("not accepting peers");
    return;
  }
  auto p = std::make_unique<Peer>();
  p->key = next_key_++;
  p->conn = conn;
  p->endpoint = conn->remote();
  p->peer_id = theirs.peer_id;
  p->client = wire::client_name_from_peer_id(theirs.peer_id);
  p->incoming = incoming;
  p->fast = theirs.supports_fast();
  p->extended = theirs.supports_extensions();
  p->has = Bitfield(meta_.piece_count);
  p->connected_at = Clock::now();
  p->last_block_at = p->connected_at;
  Peer& peer = *p;
  by_conn_[conn.get()] = p->key;
  peers_.emplace(p->key, std::move(p));
  ++ctx_.counters.peers;
  candidates_.erase(peer.endpoint);
  peer_log()->debug("{}: connected {} {} ({})", meta_.name, incoming ? "from" : "to", endpoint_string(peer.endpoint),
                    peer.client);

  conn->set_bandwidth(&ctx_.bandwidth, BandwidthPath{{up_bucket_, ctx_.global_up, nullptr}},
                      BandwidthPath{{down_bucket_, ctx_.global_down, nullptr}});
  conn->start(this, shape_of(meta_));
  const Bitfield& have = picker_.have_bitfield();
  if (peer.fast && have.all()) {
    conn->send(wire::HaveAll{});
  } else if (peer.fast && have.none()) {
    conn->send(wire::HaveNone{});
  } else if (!have.none()) {
    conn->send(wire::BitfieldMsg{have});
  }
  // The bitfield must be the first message; the extension handshake follows it.
  if (peer.extended) {
    wire::ExtensionHandshake ext;
    ext.client = std::string("Tessera ") + kVersion;
    ext.listen_port = ctx_.listen_port;
    ext.request_queue = static_cast<std::uint32_t>(kMaxQueuedRequests);
    std::string payload = wire::encode_extension_handshake(ext);
    conn->send(wire::Extended{0, std::move(payload)});
  }
  if (peer.fast && peer.endpoint.address().is_v4()) {
    // BEP 6: a few pieces they may fetch even while choked, to get a newcomer started.
    for (std::uint32_t piece : wire::allowed_fast_set(peer.endpoint.address().to_v4().to_uint(), meta_.info_hash,
                                                      meta_.piece_count, kAllowedFastCount)) {
      if (picker_.have(piece)) {
        peer.allowed_fast_given.insert(piece);
        conn->send(wire::AllowedFast{piece});
      }
    }
  }
}

Torrent::Peer* Torrent::find(PeerConnection& c) {
  auto it = by_conn_.find(&c);
  if (it == by_conn_.end()) return nullptr;
  auto p = peers_.find(it->second);
  return p == peers_.end() ? nullptr : p->second.get();
}

void Torrent::drop_peer(PeerKey key, const std::string& reason) {
  auto it = peers_.find(key);
  if (it == peers_.end()) return;
  std::unique_ptr<Peer> p = std::move(it->second);
  peers_.erase(it);
  --ctx_.counters.peers;
  by_conn_.erase(p->conn.get());
  choker_.forget(key);
  picker_.abort_peer(key);
  if (p->counted_in_availability) {
    if (p->seed) {
      picker_.remove_seed();
    } else {
      picker_.remove_peer_bitfield(p->has);
    }
  }
  peer_log()->debug("{}: dropped {}: {}", meta_.name, endpoint_string(p->endpoint), reason);
  p->conn->close(reason);
  // Peers that dropped us may be dialled again later (they may have restarted).
  const bool useless = p->seed && picker_.is_finished();  // two seeds have nothing to trade
  if (!banned_.contains(p->endpoint.address()) && !p->incoming && !stopping_ && !useless) {
    candidates_[p->endpoint].not_before = Clock::now() + kRetryBase;
  }
  // The blocks it held are free for others now.
  for (auto& [k, other] : peers_) fill_requests(*other);
}

void Torrent::drop_all_peers(const std::string& reason) {
  std::vector<PeerKey> keys;  // dropping edits peers_
  for (auto& [k, p] : peers_) keys.push_back(k);
  for (PeerKey k : keys) drop_peer(k, reason);
}

void Torrent::on_peer_closed(PeerConnection& c, const std::string& reason) {
  if (Peer* p = find(c)) drop_peer(p->key, reason);
}

void Torrent::on_peer_drained(PeerConnection& c) {
  if (Peer* p = find(c)) serve_requests(*p);
}

// ---------------------------------------------------------------- messages

void Torrent::on_peer_message(PeerConnection& c, wire::Message&& msg) {
  Peer* pp = find(c);
  if (pp == nullptr) return;
  Peer& p = *pp;
  peer_log()->trace("{}: {} sent message #{}", meta_.name, endpoint_string(p.endpoint), msg.index());
  auto protocol_violation = [&](const std::string& why) { drop_peer(p.key, why); };

  std::visit(
      Overloaded{
          [&](wire::KeepAlive&) {},
          [&](wire::Choke&) {
            p.peer_choking = true;
            // Without the fast extension, a choke silently discards our requests.
            if (!p.fast) withdraw_requests(p);
          },
          [&](wire::Unchoke&) {
            // The snub clock starts when they unchoke us.
            if (p.peer_choking) p.last_block_at = Clock::now();
            p.peer_choking = false;
            fill_requests(p);
          },
          [&](wire::Interested&) {
            p.peer_interested = true;
            if (state_ == TorrentState::downloading || state_ == TorrentState::seeding) {
              if (auto d = choker_.on_interested(choker_views(), p.key, Clock::now())) apply(*d);
            }
          },
          [&](wire::NotInterested&) {
            p.peer_interested = false;
            if (!p.am_choking) set_choke(p, true);
            p.choke_reason = "not interested";
          },
          [&](wire::Have& m) { handle_have(p, m.piece); },
          // BEP 3 puts the bitfield first; aria2 also sends a full one later. Like libtorrent we
          // accept a later one as a replacement of what the peer has.
          [&](wire::BitfieldMsg& m) { handle_bitfield(p, std::move(m.bits)); },
          [&](wire::Request& m) { handle_request(p, m); },
          [&](wire::Piece& m) { handle_block(p, m.piece, m.begin, m.data); },
          [&](wire::Cancel& m) {
            auto& q = p.their_requests;
            q.erase(std::remove_if(q.begin(), q.end(),
                                   [&](const wire::Request& r) {
                                     return r.piece == m.piece && r.begin == m.begin && r.length == m.length;
                                   }),
                    q.end());
            // Already read and waiting for upload quota: not sent either (endgame cancels
            // would otherwise cost a capped seed its bandwidth).
            if (const auto n = static_cast<std::int64_t>(p.conn->cancel_block(m.piece, m.begin)); n > 0) {
              p.uploaded -= n;
              uploaded_ -= n;
            }
          },
          [&](wire::Port&) {},
          [&](wire::Suggest&) {},
          [&](wire::HaveAll&) {
            if (!p.fast) return protocol_violation("have-all without the fast extension");
            Bitfield all(meta_.piece_count, true);
            handle_bitfield(p, std::move(all));
          },
          [&](wire::HaveNone&) {
            if (!p.fast) return protocol_violation("have-none without the fast extension");
            handle_bitfield(p, Bitfield(meta_.piece_count));
          },
          [&](wire::Reject& m) {
            if (!p.fast) return protocol_violation("reject without the fast extension");
            const BlockRef b{m.piece, m.begin / static_cast<std::uint32_t>(kBlockSize)};
            auto it = std::find(p.requested.begin(), p.requested.end(), b);
            if (it == p.requested.end()) return;  // late reject of a block we cancelled: harmless
            p.requested.erase(it);
            picker_.abort_request(b, p.key);
            fill_requests(p);
          },
          [&](wire::AllowedFast& m) {
            if (std::find(p.allowed_fast.begin(), p.allowed_fast.end(), m.piece) == p.allowed_fast.end() &&
                p.allowed_fast.size() < 64) {
              p.allowed_fast.push_back(m.piece);
              fill_requests(p);
            }
          },
          [&](wire::Extended& m) {
            if (m.id != 0) return;  // no extension messages beyond the handshake yet
            auto ext = wire::decode_extension_handshake(m.payload);
            if (ext && ext->client.size() > 0 && p.client.starts_with("Unknown")) p.client = ext->client;
          },
          [&](wire::Unknown&) {},
      },
      msg);
}

void Torrent::handle_bitfield(Peer& p, Bitfield bits) {
  if (p.counted_in_availability) {  // a replacement: take the old set out first
    if (p.seed) {
      picker_.remove_seed();
    } else {
      picker_.remove_peer_bitfield(p.has);
    }
  }
  p.has = std::move(bits);
  p.seed = p.has.all();
  if (p.seed) {
    picker_.add_seed();
  } else {
    picker_.add_peer_bitfield(p.has);
  }
  p.counted_in_availability = true;
  if (p.seed && picker_.is_finished()) {
    drop_peer(p.key, "both seeding");
    return;
  }
  recount_interest(p);
}

void Torrent::handle_have(Peer& p, std::uint32_t piece) {
  if (p.has.get(piece)) return;
  p.has.set(piece);
  if (!p.counted_in_availability) {
    p.counted_in_availability = true;
    picker_.add_peer_bitfield(p.has);
  } else {
    picker_.add_peer_have(piece);  // not a seed: a seed already has every piece
  }
  if (p.has.all() && !p.seed) {
    picker_.remove_peer_bitfield(p.has);
    picker_.add_seed();
    p.seed = true;
    if (picker_.is_finished()) {
      drop_peer(p.key, "both seeding");
      return;
    }
  }
  if (!picker_.have(piece) && picker_.piece_priority(piece) > 0) {
    ++p.wanted_from;
    set_interest(p, true);
  }
  fill_requests(p);
}

// A full count, for when a peer's whole piece set is (re)announced; every later change adjusts
// the count by one (their haves, our verified pieces), so interest never needs a rescan.
void Torrent::recount_interest(Peer& p) {
  p.wanted_from = 0;
  const std::string_view theirs = p.has.bytes();
  const std::string_view ours = picker_.have_bitfield().bytes();
  for (std::size_t i = 0; i < theirs.size(); ++i) {
    const unsigned missing = static_cast<unsigned>(static_cast<unsigned char>(theirs[i])) &
                             ~static_cast<unsigned>(static_cast<unsigned char>(ours[i])) & 0xFFu;
    if (missing == 0) continue;
    for (std::uint32_t bit = 0; bit < 8; ++bit) {
      const auto piece = static_cast<std::uint32_t>(i * 8 + bit);
      if ((missing & (0x80u >> bit)) != 0 && picker_.piece_priority(piece) > 0) ++p.wanted_from;
    }
  }
  set_interest(p, p.wanted_from > 0);
}

void Torrent::set_interest(Peer& p, bool want) {
  if (want && picker_.is_finished()) want = false;
  if (want != p.am_interested) {
    p.am_interested = want;
    if (want) {
      p.conn->send(wire::Interested{});
    } else {
      p.conn->send(wire::NotInterested{});
    }
  }
  if (want) fill_requests(p);
}

void Torrent::fill_requests(Peer& p) {
  if (!p.am_interested || state_ != TorrentState::downloading || !p.conn->is_open()) return;
  const bool choked = p.peer_choking;
  if (choked && (!p.fast || p.allowed_fast.empty())) return;
  const std::size_t target = request_target(p);
  if (p.requested.size() >= target) return;
  // Refill in batches (a quarter of the pipeline, at most 16 blocks) rather than block by block;
  // under a cap block by block, so the data waiting in socket buffers stays level.
  const std::size_t batch = download_share() > 0 ? 1 : std::clamp<std::size_t>(target / 4, 1, 16);
  if (target - p.requested.size() < batch && !p.requested.empty()) return;
  const auto blocks = picker_.pick(p.has, p.key, target - p.requested.size(), choked, p.allowed_fast);
  for (const BlockRef& b : blocks) {
    const auto begin = static_cast<std::uint32_t>(std::int64_t{b.block} * kBlockSize);
    const auto length = static_cast<std::uint32_t>(files_->map().block_size(b.piece, b.block));
    p.requested.push_back(b);
    p.conn->send(wire::Request{b.piece, begin, length});
  }
}

std::size_t Torrent::request_target(const Peer& p) const {
  // A snubbed peer keeps one request, so it can prove itself again.
  std::size_t target = p.snubbed ? 1 : p.pipeline;
  if (const std::int64_t share = download_share(); share > 0) {
    // Under a cap: at most half a second of this peer's share in flight, and no more than the
    // kernel's receive window holds. Data we cannot read yet then never waits behind a closed
    // window (which reopens in bursts of whole segments), so what arrives tracks what we read,
    // second by second. The kernel grows the window on long-delay links, and the pipeline with it.
    std::size_t bytes = static_cast<std::size_t>(share / 2);
    if (const std::size_t window = p.conn->receive_window(); window > 0) bytes = std::min(bytes, window / 2);
    target = std::min(target, std::max<std::size_t>(2, bytes / kBlockSize));
  }
  return target;
}

void Torrent::trim_requests(Peer& p) {
  const std::size_t target = request_target(p);
  while (p.requested.size() > target) {
    const BlockRef b = p.requested.back();
    p.requested.pop_back();
    picker_.abort_request(b, p.key);
    remember_cancelled(p, b);
    p.conn->send(wire::Cancel{b.piece, static_cast<std::uint32_t>(std::int64_t{b.block} * kBlockSize),
                              static_cast<std::uint32_t>(files_->map().block_size(b.piece, b.block))});
  }
}

std::int64_t Torrent::download_share() const {
  std::int64_t share = 0;
  auto consider = [&](std::int64_t cap, int peers) {
    if (cap <= 0) return;
    const std::int64_t s = cap / std::max(1, peers);
    share = share == 0 ? s : std::min(share, s);
  };
  consider(down_bucket_->rate(), downloading_peers_);
  consider(ctx_.global_down->rate(), ctx_.counters.downloading);
  return share;
}

std::int64_t Torrent::upload_share() const {
  std::int64_t share = 0;
  auto consider = [&](std::int64_t cap, int peers) {
    if (cap <= 0) return;
    const std::int64_t s = cap / std::max(1, peers);
    share = share == 0 ? s : std::min(share, s);
  };
  consider(up_bucket_->rate(), uploading_peers_);
  consider(ctx_.global_up->rate(), ctx_.counters.uploading);
  return share;
}

void Torrent::remember_cancelled(Peer& p, const BlockRef& b) {
  constexpr std::size_t kRemember = 1024;
  p.cancelled.push_back(b);
  if (p.cancelled.size() > kRemember) p.cancelled.pop_front();
}

void Torrent::withdraw_requests(Peer& p) {
  for (const BlockRef& b : p.requested) {
    picker_.abort_request(b, p.key);
    remember_cancelled(p, b);
  }
  p.requested.clear();
}

void Torrent::handle_block(Peer& p, std::uint32_t piece, std::uint32_t begin, std::string_view data) {
  const BlockRef b{piece, begin / static_cast<std::uint32_t>(kBlockSize)};
  const bool aligned = begin % kBlockSize == 0 &&
                       static_cast<std::int64_t>(data.size()) == files_->map().block_size(piece, b.block);
  auto mine = std::find(p.requested.begin(), p.requested.end(), b);
  if (!aligned || mine == p.requested.end()) {
    // A withdrawn request may still be answered: drop the data. Anything else we never asked for.
    if (aligned && std::find(p.cancelled.begin(), p.cancelled.end(), b) != p.cancelled.end()) return;
    drop_peer(p.key, "sent a block we never requested");
    return;
  }
  p.requested.erase(mine);
  const BlockArrival arrival = picker_.on_block(b, p.key);
  if (!arrival.expected) {
    drop_peer(p.key, "sent a block we never requested");
    return;
  }
  const auto now = Clock::now();
  const auto n = static_cast<std::int64_t>(data.size());
  p.down.add(n, now);
  down_.add(n, now);
  p.downloaded += n;
  downloaded_ += n;
  p.last_block_at = now;
  p.snubbed = false;
  p.pipeline = std::min(kMaxPipeline, p.pipeline + 1);  // slow start until the rate speaks
  for (PeerKey k : arrival.cancel) {
    auto it = peers_.find(k);
    if (it == peers_.end()) continue;
    Peer& other = *it->second;
    auto r = std::find(other.requested.begin(), other.requested.end(), b);
    if (r != other.requested.end()) {
      other.requested.erase(r);
      remember_cancelled(other, b);
      other.conn->send(wire::Cancel{piece, begin, static_cast<std::uint32_t>(data.size())});
    }
  }
  if (!arrival.duplicate) {
    ++writes_in_flight_[piece];
    write_backlog_ += n;
    write_batch_.push_back(PendingWrite{piece, begin, std::string(data)});
    if (arrival.piece_complete) awaiting_hash_.insert(piece);
  }
  fill_requests(p);
}

void Torrent::on_peer_read_done(PeerConnection& c) {
  flush_writes();
  if (write_backlog_ > kWriteBacklogHigh && !c.reading_paused()) {
    c.pause_reading();
    if (Peer* p = find(c)) paused_for_disk_.push_back(p->conn);
  }
}

// One disk job per socket read instead of one per block: far fewer thread hand-offs.
void Torrent::flush_writes() {
  if (write_batch_.empty()) return;
  std::vector<std::uint32_t> pieces;
  pieces.reserve(write_batch_.size());
  std::int64_t bytes = 0;
  for (const PendingWrite& w : write_batch_) {
    pieces.push_back(w.piece);
    bytes += static_cast<std::int64_t>(w.data.size());
  }
  auto files = files_;
  ctx_.disk.submit_on(
      write_strand_, ctx_.io.get_executor(),
      [files, batch = std::move(write_batch_)]() -> expected<void, StorageError> {
        for (const PendingWrite& w : batch) {
          if (auto r = files->write(w.piece, w.begin, w.data); !r) return r;
        }
        return {};
      },
      [this, self = shared_from_this(), pieces = std::move(pieces), bytes](expected<void, StorageError> r) {
        write_backlog_ -= bytes;
        if (stopping_) return;
        if (!r) set_error(r.error().message);
        for (const std::uint32_t piece : pieces) write_done(piece);
        if (write_backlog_ < kWriteBacklogLow && !paused_for_disk_.empty()) {
          for (auto& weak : std::exchange(paused_for_disk_, {})) {
            if (auto conn = weak.lock()) conn->resume_reading();
          }
        }
      });
  write_batch_.clear();
}

void Torrent::write_done(std::uint32_t piece) {
  auto it = writes_in_flight_.find(piece);
  if (it != writes_in_flight_.end() && --it->second == 0) {
    writes_in_flight_.erase(it);
    if (awaiting_hash_.erase(piece) != 0 && state_ != TorrentState::error) start_hash(piece);
  }
}

void Torrent::start_hash(std::uint32_t piece) {
  auto files = files_;
  ctx_.disk.submit(
      ctx_.io.get_executor(), [files, piece] { return files->finish_piece_hash(piece); },
      [this, self = shared_from_this(), piece, gen = generation_](expected<Sha1Digest, StorageError> r) {
        if (gen == generation_) hash_done(piece, r);
      });
}

void Torrent::hash_done(std::uint32_t piece, const expected<Sha1Digest, StorageError>& result) {
  if (stopping_) return;
  if (!result) {
    set_error(result.error().message);
    return;
  }
  if (*result == meta_.piece_hash(piece)) {
    piece_passed(piece);
  } else {
    piece_failed(piece);
  }
}

void Torrent::piece_passed(std::uint32_t piece) {
  picker_.on_hash_passed(piece);
  mark_dirty(false);
  for (auto& [k, p] : peers_) {
    p->conn->send(wire::Have{piece});
  }
  if (picker_.is_finished() && state_ == TorrentState::downloading) {
    if (auto r = files_->create_empty_files(); !r) {
      set_error(r.error().message);
      return;
    }
    enter_seeding();
    return;
  }
  // One piece fewer to want from everyone who has it; at zero they are no longer interesting.
  for (auto& [k, p] : peers_) {
    if (p->has.get(piece) && p->wanted_from > 0 && --p->wanted_from == 0) set_interest(*p, false);
  }
}

void Torrent::piece_failed(std::uint32_t piece) {
  ++hash_failures_;
  const auto contributors = picker_.contributors(piece);
  picker_.on_hash_failed(piece);
  torrent_log()->warn("{}: piece {} failed its hash check ({} contributing peers)", meta_.name, piece,
                      contributors.size());
  for (PeerKey k : contributors) {
    auto it = peers_.find(k);
    if (it == peers_.end()) continue;
    Peer& p = *it->second;
    // A peer that alone supplied a bad piece is certainly at fault: charge it double.
    p.hash_failures += contributors.size() == 1 ? 2 : 1;
    if (p.hash_failures >= kBanAfterHashFailures) {
      torrent_log()->warn("{}: banned {} ({}) for sending corrupt data", meta_.name, endpoint_string(p.endpoint),
                          p.client);
      banned_.insert(p.endpoint.address());
      candidates_.erase(p.endpoint);
      drop_peer(k, "banned after sending corrupt data");
    }
  }
  for (auto& [k, p] : peers_) fill_requests(*p);
}

void Torrent::handle_request(Peer& p, const wire::Request& r) {
  const bool allowed = !p.am_choking || p.allowed_fast_given.contains(r.piece);
  if (!allowed || !picker_.have(r.piece) || r.length > kBlockSize) {
    if (p.fast) p.conn->send(wire::Reject{r.piece, r.begin, r.length});
    return;
  }
  if (p.their_requests.size() >= kMaxQueuedRequests) {
    drop_peer(p.key, "too many outstanding requests");
    return;
  }
  p.their_requests.push_back(r);
  serve_requests(p);
}

void Torrent::serve_requests(Peer& p) {
  constexpr std::size_t kReadBatch = 16;  // blocks read by one disk job
  // Under an upload cap, read ahead about a second of this peer's share, not megabytes that
  // would sit in memory waiting for quota.
  std::size_t budget = kSendBudget;
  if (const std::int64_t share = upload_share(); share > 0) {
    budget = std::clamp<std::size_t>(static_cast<std::size_t>(share), 4 * kBlockSize, kSendBudget);
  }
  while (!p.their_requests.empty() && p.reads_in_flight < kMaxReadsInFlight &&
         p.conn->queued_bytes() + p.reads_in_flight * kBlockSize < budget) {
    std::vector<wire::Request> batch;
    while (!p.their_requests.empty() && batch.size() < kReadBatch && p.reads_in_flight < kMaxReadsInFlight) {
      batch.push_back(p.their_requests.front());
      p.their_requests.pop_front();
      ++p.reads_in_flight;
    }
    auto files = files_;
    const PeerKey key = p.key;
    ctx_.disk.submit(
        ctx_.io.get_executor(),
        [files, batch]() -> expected<std::vector<std::string>, StorageError> {
          std::vector<std::string> blocks;
          blocks.reserve(batch.size());
          for (const wire::Request& r : batch) {
            std::string block(r.length, '\0');
            if (auto ok = files->read(r.piece, r.begin, std::span<char>(block.data(), block.size())); !ok) {
              return unexpected(ok.error());
            }
            blocks.push_back(std::move(block));
          }
          return blocks;
        },
        [this, self = shared_from_this(), key, batch](expected<std::vector<std::string>, StorageError> blocks) {
          auto it = peers_.find(key);
          if (it == peers_.end()) return;
          Peer& peer = *it->second;
          peer.reads_in_flight -= batch.size();
          if (!blocks) {
            // Data vanished under us: never serve garbage; the torrent needs a recheck.
            set_error(blocks.error().message);
            return;
          }
          const auto now = Clock::now();
          for (std::size_t i = 0; i < batch.size(); ++i) {
            const wire::Request& r = batch[i];
            if (peer.am_choking && !peer.allowed_fast_given.contains(r.piece)) continue;
            const auto n = static_cast<std::int64_t>(r.length);
            peer.up.add(n, now);
            up_.add(n, now);
            peer.uploaded += n;
            uploaded_ += n;
            peer.conn->send_block(r.piece, r.begin, std::move((*blocks)[i]));
          }
          serve_requests(peer);
        });
  }
}

// ---------------------------------------------------------------- choking

void Torrent::set_choke(Peer& p, bool choke) {
  if (p.am_choking == choke) return;
  p.am_choking = choke;
  if (choke) {
    p.conn->send(wire::Choke{});
    // BEP 6: with the fast extension, queued requests are rejected explicitly.
    for (const wire::Request& r : p.their_requests) {
      if (p.allowed_fast_given.contains(r.piece)) continue;
      if (p.fast) p.conn->send(wire::Reject{r.piece, r.begin, r.length});
    }
    std::erase_if(p.their_requests, [&](const wire::Request& r) { return !p.allowed_fast_given.contains(r.piece); });
  } else {
    p.conn->send(wire::Unchoke{});
  }
}

ChokerConfig Torrent::choker_config() const {
  ChokerConfig c;
  c.regular_slots = std::max(1, ctx_.settings.upload_slots);
  c.rate_based_slots = ctx_.settings.rate_based_slots;
  return c;
}

ChokerPeer Torrent::choker_view(const Peer& p) const {
  const auto now = Clock::now();
  ChokerPeer v;
  v.key = p.key;
  v.interested = p.peer_interested && !p.seed;  // a seed wants nothing from us
  v.am_choking = p.am_choking;
  v.am_interested = p.am_interested;
  v.peer_choking = p.peer_choking;
  v.down_rate = p.down.rate(now);
  v.up_rate = p.up.rate(now);
  v.connected_at = p.connected_at;
  v.last_block_at = p.last_block_at;
  return v;
}

std::vector<ChokerPeer> Torrent::choker_views() const {
  std::vector<ChokerPeer> views;
  views.reserve(peers_.size());
  for (const auto& [k, p] : peers_) views.push_back(choker_view(*p));
  return views;
}

void Torrent::apply(const ChokeDecision& d) {
  auto it = peers_.find(d.key);
  if (it == peers_.end()) return;
  set_choke(*it->second, !d.unchoke);
  it->second->choke_reason = d.describe();
}

// The pure choker decides (rate-ranked slots, the optimistic unchoke, snubbing); this applies it.
void Torrent::rechoke(Clock::time_point now) {
  if (state_ != TorrentState::downloading && state_ != TorrentState::seeding) return;
  if (!choker_.due(now)) return;
  choker_.set_config(choker_config());
  std::int64_t cap = up_bucket_->rate();
  if (const std::int64_t global = ctx_.global_up->rate(); global > 0) cap = cap > 0 ? std::min(cap, global) : global;
  const auto views = choker_views();
  for (const ChokeDecision& d : choker_.rechoke(views, state_ == TorrentState::seeding, now, cap)) apply(d);
}

// ---------------------------------------------------------------- trackers

Torrent::ByteCounts Torrent::byte_counts() const {
  ByteCounts c;
  for (std::uint32_t i = 0; i < meta_.piece_count; ++i) {
    const std::int64_t size = meta_.piece_size(i);
    if (picker_.have(i)) {
      if (picker_.piece_priority(i) > 0) c.have_wanted += size;
    } else {
      c.left += size;
      if (picker_.piece_priority(i) > 0) c.wanted_left += size;
    }
  }
  return c;
}

void Torrent::send_announce(const tracker::AnnounceJob& job, std::function<void()> after) {
  tracker::AnnounceParams params;
  params.info_hash = meta_.info_hash;
  params.peer_id = ctx_.peer_id;
  params.port = ctx_.listen_port;
  params.uploaded = uploaded_;
  params.downloaded = downloaded_;
  params.left = byte_counts().left;
  params.event = job.event;
  params.numwant = job.event == tracker::Event::stopped ? 0 : 200;
  params.key = ctx_.tracker_key;
  ctx_.trackers->announce(job.url, params,
                          [this, self = shared_from_this(), job, after = std::move(after)](expected<tracker::AnnounceResult, std::string> r) {
                            if (announcer_) announcer_->on_result(job, r, Clock::now());
                            if (r && !stopping_) {
                              for (const auto& ep : r->peers) add_peer(ep);
                              connect_peers(Clock::now());
                            }
                            if (!r) torrent_log()->info("{}: {}", meta_.name, r.error());
                            if (after) after();
                          });
}

void Torrent::announce_due(Clock::time_point now) {
  if (!announcer_ || paused_ || stopping_ || state_ == TorrentState::checking || state_ == TorrentState::error) return;
  if (peers_.size() + candidates_.size() < 20 && state_ == TorrentState::downloading) announcer_->want_more_peers(now);
  for (const auto& job : announcer_->due(now)) send_announce(job);
}

void Torrent::scrape(Clock::time_point now) {
  if (!announcer_ || scrape_pending_ || paused_ || now - last_scrape_ < 5min) return;
  last_scrape_ = now;
  scrape_pending_ = true;
  ctx_.trackers->scrape(meta_.tracker_tiers.front().front(), meta_.info_hash,
                        [this, self = shared_from_this()](expected<tracker::ScrapeResult, std::string> r) {
                          scrape_pending_ = false;
                          if (r) {
                            scrape_seeds_ = r->seeders;
                            scrape_leechers_ = r->leechers;
                          }
                        });
}

// ---------------------------------------------------------------- timer

void Torrent::tick(Clock::time_point now) {
  if (stopping_) return;
  if (!paused_ && (state_ == TorrentState::downloading || state_ == TorrentState::seeding)) ++active_seconds_;
  maybe_save_resume(now);
  announce_due(now);
  if (state_ == TorrentState::checking || state_ == TorrentState::error || paused_) return;
  scrape(now);
  std::vector<PeerKey> to_drop;
  for (auto& [k, p] : peers_) {
    if (now - p->conn->last_received() > kIdleTimeout) {
      to_drop.push_back(k);
      continue;
    }
    if (now - p->conn->last_sent() > kKeepAlive) p->conn->send(wire::KeepAlive{});
    if (!p->snubbed && !p->requested.empty() && Choker::is_snubbed(choker_view(*p), now, choker_.config())) {
      p->snubbed = true;
      withdraw_requests(*p);
    }
    // Keep about three seconds of data in flight at the measured rate.
    if (now - p->connected_at > 5s) {
      const auto rate_blocks = static_cast<std::size_t>(p->down.rate(now) / kBlockSize);
      p->pipeline = std::clamp(std::max(rate_blocks, std::size_t{8}), kMinPipeline, kMaxPipeline);
    }
  }
  for (PeerKey k : to_drop) drop_peer(k, "inactive");
  count_active_peers();
  if (peers_.size() > static_cast<std::size_t>(std::max(0, ctx_.settings.max_peers_per_torrent))) {
    prune_peers(peers_.size() - static_cast<std::size_t>(ctx_.settings.max_peers_per_torrent), now);
  }
  rechoke(now);
  connect_peers(now);
  for (auto& [k, p] : peers_) fill_requests(*p);
}

void Torrent::count_active_peers() {
  downloading_peers_ = 0;
  uploading_peers_ = 0;
  for (const auto& [k, p] : peers_) {
    if (p->am_interested && !p->peer_choking) ++downloading_peers_;
    if (!p->am_choking && p->peer_interested) ++uploading_peers_;
  }
}

void Torrent::set_rate_limits(std::int64_t download, std::int64_t upload) {
  const auto now = Clock::now();
  down_bucket_->set_rate(download, now);
  up_bucket_->set_rate(upload, now);
  mark_dirty(true);
  limits_changed();
}

void Torrent::limits_changed() {
  count_active_peers();
  for (auto& [k, p] : peers_) {
    trim_requests(*p);
    fill_requests(*p);
    serve_requests(*p);
  }
}

// Past the soft limit: drop the peers that give and take least, keeping everyone we trade with
// (data moving either way while the other side lets it).
std::size_t Torrent::prune_peers(std::size_t n, Clock::time_point now) {
  struct Victim {
    PeerKey key;
    bool mutual_interest;
    std::int64_t rate;
  };
  std::vector<Victim> victims;
  for (const auto& [k, p] : peers_) {
    const std::int64_t down = p->down.rate(now);
    const std::int64_t up = p->up.rate(now);
    const bool trading = (down > 0 && !p->peer_choking) || (up > 0 && !p->am_choking);
    if (trading) continue;
    victims.push_back({k, p->am_interested || p->peer_interested, down + up});
  }
  // Least useful first: nobody interested either way, then the slowest.
  std::sort(victims.begin(), victims.end(), [](const Victim& a, const Victim& b) {
    if (a.mutual_interest != b.mutual_interest) return !a.mutual_interest;
    return a.rate < b.rate;
  });
  std::size_t dropped = 0;
  for (const Victim& c : victims) {
    if (dropped == n) break;
    const tcp::endpoint ep = peers_.at(c.key)->endpoint;
    drop_peer(c.key, "pruned: over the connection limit");
    // Not to be dialled again soon: we had too many, not too few.
    if (auto it = candidates_.find(ep); it != candidates_.end()) it->second.not_before = now + 5min;
    ++dropped;
  }
  return dropped;
}

// ---------------------------------------------------------------- status

TorrentStatus Torrent::status(Clock::time_point now, bool details) const {
  TorrentStatus s;
  s.piece_length = static_cast<std::uint32_t>(meta_.piece_length);
  s.comment = meta_.comment;
  if (details) {
    s.has_details = true;
    s.availability.resize(meta_.piece_count);
    for (std::uint32_t i = 0; i < meta_.piece_count; ++i) {
      s.availability[i] = static_cast<std::uint16_t>(std::min<std::uint32_t>(picker_.availability(i), 0xffff));
    }
    for (std::uint32_t f = 0; f < meta_.files.size(); ++f) {
      const TorrentFile& file = meta_.files[f];
      if (file.pad) continue;
      FileStatus fs;
      fs.index = f;
      fs.path = file.path;
      fs.size = file.size;
      fs.priority = file_priorities_[f];
      for_each_piece_of_file(files_->map(), f, [&](std::uint32_t piece) {
        if (!picker_.have(piece)) return;
        const std::int64_t begin = std::int64_t{piece} * meta_.piece_length;
        const std::int64_t end = begin + meta_.piece_size(piece);
        fs.have_bytes += std::min(end, file.offset + file.size) - std::max(begin, file.offset);
      });
      s.files.push_back(std::move(fs));
    }
  }
  s.id = id_;
  s.name = meta_.name;
  s.info_hash = meta_.info_hash.hex();
  s.save_path = save_path_.string();
  s.state = state_;
  s.error = error_;
  s.total_size = meta_.total_size;
  s.piece_count = meta_.piece_count;
  s.pieces_have = picker_.have_bitfield().count();
  s.have_bitfield = std::string(picker_.have_bitfield().bytes());
  s.partial_pieces = picker_.partial_pieces();
  const ByteCounts bytes = byte_counts();
  const std::int64_t have = bytes.have_wanted;
  const std::int64_t wanted = bytes.have_wanted + bytes.wanted_left;
  s.wanted_size = wanted;
  s.have_bytes = have;
  s.progress = wanted > 0 ? static_cast<double>(have) / static_cast<double>(wanted) : 1.0;
  s.check_progress =
      check_list_.empty() ? (state_ == TorrentState::checking ? 0.0 : 1.0)
                          : static_cast<double>(check_done_) / static_cast<double>(check_list_.size());
  s.added_at = added_at_;
  s.active_s = active_seconds_;
  s.all_time_downloaded = downloaded_before_ + downloaded_;
  s.all_time_uploaded = uploaded_before_ + uploaded_;
  s.down_rate = down_.rate(now);
  s.up_rate = up_.rate(now);
  s.download_limit = down_bucket_->rate();
  s.upload_limit = up_bucket_->rate();
  s.downloaded = downloaded_;
  s.uploaded = uploaded_;
  s.hash_failures = hash_failures_;
  if (state_ == TorrentState::downloading && s.down_rate > 0) s.eta_s = (wanted - have) / s.down_rate;
  for (const auto& [k, p] : peers_) {
    PeerInfo info;
    info.address = endpoint_string(p->endpoint);
    info.client = p->client;
    info.incoming = p->incoming;
    info.seed = p->seed;
    info.am_choking = p->am_choking;
    info.am_interested = p->am_interested;
    info.peer_choking = p->peer_choking;
    info.peer_interested = p->peer_interested;
    info.snubbed = p->snubbed;
    info.fast_extension = p->fast;
    info.extension_protocol = p->extended;
    info.progress = meta_.piece_count > 0 ? static_cast<double>(p->has.count()) / meta_.piece_count : 0;
    info.down_rate = p->down.rate(now);
    info.up_rate = p->up.rate(now);
    info.down_rate_total = p->conn->wire_down_rate(now);
    info.up_rate_total = p->conn->wire_up_rate(now);
    s.down_rate_total += info.down_rate_total;
    s.up_rate_total += info.up_rate_total;
    info.downloaded = p->downloaded;
    info.uploaded = p->uploaded;
    info.requests_out = static_cast<std::uint32_t>(p->requested.size());
    info.requests_in = static_cast<std::uint32_t>(p->their_requests.size());
    info.choke_reason = p->choke_reason;
    ++s.peers_connected;
    if (p->seed) {
      ++s.seeds_connected;
    } else {
      ++s.leechers_connected;
    }
    s.peers.push_back(std::move(info));
  }
  if (announcer_) {
    for (const auto& t : announcer_->status()) {
      TrackerInfo ti;
      ti.url = t.url;
      ti.tier = t.tier;
      switch (t.state) {
        case tracker::TrackerStatus::State::idle: ti.state = "idle"; break;
        case tracker::TrackerStatus::State::announcing: ti.state = "announcing"; break;
        case tracker::TrackerStatus::State::working: ti.state = "working"; break;
        case tracker::TrackerStatus::State::error: ti.state = "error"; break;
      }
      ti.message = t.message;
      ti.warning = t.warning;
      ti.seeders = t.seeders;
      ti.leechers = t.leechers;
      if (t.next_announce) {
        ti.next_announce_in_s = std::chrono::duration_cast<std::chrono::seconds>(*t.next_announce - now).count();
      }
      if (t.seeders) s.swarm_seeds = std::max(s.swarm_seeds.value_or(0), *t.seeders);
      if (t.leechers) s.swarm_leechers = std::max(s.swarm_leechers.value_or(0), *t.leechers);
      s.trackers.push_back(std::move(ti));
    }
  }
  if (!s.swarm_seeds && scrape_seeds_) s.swarm_seeds = scrape_seeds_;
  if (!s.swarm_leechers && scrape_leechers_) s.swarm_leechers = scrape_leechers_;
  return s;
}

}  // namespace tessera
