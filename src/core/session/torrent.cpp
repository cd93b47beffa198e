// The torrent's state machine and commands; its peers' wiring is in torrent_peers.cpp.
#include "session/torrent.hpp"

#include <algorithm>

#include "log/logging.hpp"
#include "session/stall_diagnosis.hpp"
#include "session/torrent_status.hpp"

namespace tessera {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<spdlog::logger> torrent_log() {
  static auto logger = log::get("torrent");
  return logger;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

Torrent::Torrent(TorrentContext& ctx, TorrentId id, Metainfo meta, std::filesystem::path save_path, bool paused,
                 bool persist)
    : ctx_(ctx),
      id_(id),
      meta_(std::move(meta)),
      save_path_(std::move(save_path)),
      persist_(persist && ctx.state.enabled()),
      pex_(ctx.settings.enable_pex && !meta_.is_private),
      map_(meta_),
      picker_(map_, ctx.rng()),
      io_(std::make_shared<PieceIo>(ctx.disk, ctx.io.get_executor(), std::make_shared<TorrentFiles>(save_path_, meta_))),
      trackers_(std::make_shared<TorrentTrackers>(
          ctx.trackers, meta_.tracker_tiers, ctx.rng,
          TorrentTrackers::Identity{meta_.info_hash, ctx.peer_id, ctx.listen_port, ctx.tracker_key})),
      peer_list_(peer_list_config()),
      keeper_(unix_now()),
      choker_(ChokerConfig{}, ctx.rng()),
      paused_(paused) {
  io_->set_listener(this);
  if (ctx_.bind_address) {
    peer_list_.set_self(tcp::endpoint(*ctx_.bind_address, ctx_.listen_port));
  } else {
    peer_list_.set_self(tcp::endpoint(boost::asio::ip::address_v4::any(), ctx_.listen_port));
  }
  file_priorities_.resize(meta_.files.size(), FilePriority::normal);
  for (std::size_t i = 0; i < meta_.files.size(); ++i) {
    if (meta_.files[i].pad) file_priorities_[i] = FilePriority::skip;
  }
}

Torrent::~Torrent() {
  io_->detach();
  trackers_->detach();
  if (checker_) checker_->cancel();
  ctx_.counters.peers -= static_cast<int>(peers_.size());
  for (auto& [key, p] : peers_) p->conn->close("torrent removed");
}

bool Torrent::running() const {
  return !paused_ && !stopping_ && (state_ == TorrentState::downloading || state_ == TorrentState::seeding);
}

// ---------------------------------------------------------------- checking

void Torrent::use_resume(ResumeData r) {
  keeper_.restore(r);
  ratio_limit_ = r.ratio_limit;
  stopped_at_ratio_ = r.stopped_at_ratio;
  seeds_past_ratio_ = r.seeds_past_ratio;
  resume_ = std::move(r);
}

void Torrent::start() {
  if (persist_) ctx_.state.claim(meta_.info_hash, id_);
  if (!paused_) stopped_at_ratio_ = false;  // added again to run: the rule checks afresh
  trackers_->on_peers([weak = weak_from_this()](const std::vector<tcp::endpoint>& peers) {
    auto self = weak.lock();
    if (!self || self->stopping_) return;
    const auto now = Clock::now();
    for (const tcp::endpoint& ep : peers) self->peer_list_.add(ep, PeerSource::tracker, now);
    self->connect_peers(now);
  });
  ctx_.emit(SessionEvent{SessionEvent::Kind::added, id_, meta_.name, {}});
  begin_check(resume_.has_value());
}

ResumeData Torrent::resume_record() const {
  ResumeData r;
  r.info_hash = meta_.info_hash.hex();
  r.save_path = save_path_.string();
  r.paused = paused_;
  keeper_.fill(r, downloaded_, uploaded_);
  r.download_limit = down_bucket_->rate();
  r.upload_limit = up_bucket_->rate();
  r.file_priorities = file_priorities_;
  r.verified = std::string(picker_.have_bitfield().bytes());
  r.ratio_limit = ratio_limit_;
  r.stopped_at_ratio = stopped_at_ratio_;
  r.seeds_past_ratio = seeds_past_ratio_;
  return r;
}

void Torrent::save_initial_state(std::string torrent_bytes) {
  if (!persist_) return;
  ctx_.state.claim(meta_.info_hash, id_);
  ctx_.state.write_torrent(meta_.info_hash, id_, std::move(torrent_bytes), [self = shared_from_this()](auto ok) {
    if (!ok) torrent_log()->warn("{}: not saved: {}", self->meta_.name, ok.error());
  });
  if (resume_) return;  // an earlier record stays until this session's first check ends
  // No file was looked at: every stamp is "missing", so whatever is on disk at the next start
  // differs from it and gets checked.
  ResumeData r = resume_record();
  r.files.assign(meta_.files.size(), ResumeFileStamp{});
  ctx_.state.write_resume(meta_.info_hash, id_, encode_resume(r));
}

void Torrent::save_resume(std::function<void()> done) {
  if (!persist_ || forgotten_ || state_ == TorrentState::checking || resume_) {
    // While checking, the verified set is incomplete: the file on disk stays as it was.
    if (done) done();
    return;
  }
  keeper_.saving(Clock::now());
  // The stamps are taken on the write strand, after every queued write; the state store then
  // writes the record, all on the disk pool (so a shutdown that joins the pool finishes it).
  io_->flush();
  ctx_.state.write_resume_after(
      io_->strand(), meta_.info_hash, id_,
      [files = io_->files(), r = resume_record()]() mutable {
        r.files = files->stamps();
        return encode_resume(r);
      },
      [self = shared_from_this(), done = std::move(done)](expected<void, std::string> ok) {
        self->keeper_.saved();
        if (!ok) torrent_log()->warn("{}: resume data not saved: {}", self->meta_.name, ok.error());
        if (done) done();
      });
}

void Torrent::begin_check(bool have_resume) {
  state_ = TorrentState::checking;
  if (checker_) checker_->cancel();
  checker_.reset();
  // What is on disk is looked at on the pool: the network thread never waits on the disk.
  ctx_.disk.submit(ctx_.io.get_executor(), [files = io_->files()] { return files->stamps(); },
                   [self = shared_from_this(), files = io_->files(), have_resume](std::vector<ResumeFileStamp> on_disk) {
                     if (self->stopping_ || files != self->io_->files()) return;  // a recheck started meanwhile
                     const CheckPlan plan = plan_check(self->meta_, self->map_, self->resume_, on_disk);
                     for (const std::uint32_t piece : plan.trusted) self->picker_.set_have(piece);
                     if (have_resume) {
                       torrent_log()->info("{}: resume data: {} pieces trusted, {} to check", self->meta_.name,
                                           plan.trusted.size(), plan.to_hash.size());
                     }
                     self->resume_.reset();
                     const std::size_t parallel = std::max<std::size_t>(2, self->ctx_.settings.disk_threads * 2);
                     std::weak_ptr<Torrent> weak = self;
                     self->checker_ = std::make_shared<DataChecker>(
                         self->ctx_.disk, self->ctx_.io.get_executor(), files, self->meta_, plan.to_hash, parallel,
                         DataChecker::Callbacks{[weak](std::uint32_t piece, bool ok) {
                                                  if (auto t = weak.lock(); t && ok) t->picker_.set_have(piece);
                                                },
                                                [weak] {
                                                  if (auto t = weak.lock(); t && !t->stopping_) t->finish_check();
                                                }});
                     self->checker_->start();
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
    if (auto r = io_->files()->create_empty_files(); !r) set_error(r.error().message);
  } else {
    complete_ = false;
    state_ = TorrentState::downloading;
  }
  if (paused_ && state_ != TorrentState::error) state_ = TorrentState::paused;
  const auto now = Clock::now();
  connect_peers(now);
  if (!paused_ && state_ != TorrentState::error) trackers_->tick(now, totals(), false);
}

void Torrent::force_recheck() {
  if (state_ == TorrentState::checking || stopping_ || recheck_pending_) return;
  recheck_pending_ = true;
  state_ = TorrentState::checking;
  drop_all_peers("rechecking");
  // Writes already queued go to disk first, so the check sees them.
  io_->after_writes([self = shared_from_this()] { self->start_recheck(); });
}

void Torrent::start_recheck() {
  recheck_pending_ = false;
  if (stopping_) return;
  // A fresh view of the files: no running piece hashes from before.
  io_->reset(std::make_shared<TorrentFiles>(save_path_, meta_));
  picker_ = PiecePicker(map_, ctx_.rng());
  apply_file_priorities();
  error_.clear();
  torrent_log()->info("{}: recheck", meta_.name);
  if (persist_ && !forgotten_) {
    // A quit before the recheck ends must not trust the old record: every existing file then
    // differs from it and is checked again at the next start.
    ResumeData r = resume_record();
    r.files.assign(meta_.files.size(), ResumeFileStamp{});
    ctx_.state.write_resume(meta_.info_hash, id_, encode_resume(r));
  }
  begin_check(false);
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
    trackers_->completed();
    ctx_.emit(SessionEvent{SessionEvent::Kind::finished, id_, meta_.name, {}});
    torrent_log()->info("{}: download complete", meta_.name);
  }
  std::vector<PeerKey> seeds;
  for (auto& [k, p] : peers_) {
    if (p->session.seed()) {
      seeds.push_back(k);
    } else {
      p->session.recount_interest(picker_);  // we want nothing now
    }
  }
  for (PeerKey k : seeds) drop_peer(k, DepartureReason::not_useful, "both seeding");
}

// ---------------------------------------------------------------- commands

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
    const PieceRange r = map_.pieces_of_file(f);
    for (std::uint32_t piece = r.first; piece <= r.last && r.first <= r.last; ++piece) {
      wanted[piece] = std::max(wanted[piece], prio);
    }
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
  for (auto& [k, p] : peers_) {
    p->session.recount_interest(picker_);
    fill(*p);
  }
  connect_peers(Clock::now());
}

void Torrent::pause() {
  if (paused_) return;
  paused_ = true;
  mark_dirty(true);
  if (state_ != TorrentState::checking && state_ != TorrentState::error) state_ = TorrentState::paused;
  drop_all_peers("paused");
  trackers_->stop(Clock::now(), totals(), true, [] {});
}

void Torrent::resume() {
  if (!paused_) return;
  paused_ = false;
  if (stopped_at_ratio_) {
    // The user overrides the ratio rule for this torrent: it seeds on.
    stopped_at_ratio_ = false;
    seeds_past_ratio_ = true;
  }
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
  if (checker_) checker_->cancel();
  if (paused_) {
    done();  // the pause already told the trackers
    return;
  }
  trackers_->stop(Clock::now(), totals(), false, std::move(done));
}

void Torrent::forget_state() {
  forgotten_ = true;
  if (persist_) ctx_.state.release(meta_.info_hash, id_);
}

void Torrent::delete_files() {
  ctx_.disk.submit(ctx_.io.get_executor(), [files = io_->files()] { files->remove_files(); return 0; }, [](int) {});
}

void Torrent::set_rate_limits(std::int64_t download, std::int64_t upload) {
  const auto now = Clock::now();
  down_bucket_->set_rate(download, now);
  up_bucket_->set_rate(upload, now);
  mark_dirty(true);
  limits_changed();
}

void Torrent::set_ratio_limit(std::optional<double> limit) {
  ratio_limit_ = limit;
  seeds_past_ratio_ = false;  // a new rule for this torrent applies afresh
  mark_dirty(true);
  check_ratio();
}

void Torrent::check_ratio() {
  const double limit = ratio_limit_.value_or(ctx_.settings.stop_at_ratio);
  if (limit <= 0 || seeds_past_ratio_ || state_ != TorrentState::seeding || paused_ || stopping_) return;
  const std::int64_t up = keeper_.uploaded_before() + uploaded_;
  const std::int64_t down = keeper_.downloaded_before() + downloaded_;
  const std::int64_t have = down > 0 ? 0 : piece_totals(meta_, picker_).have_wanted;
  if (share_ratio(up, down, have) < limit) return;
  torrent_log()->info("{}: share ratio {} reached: stopped", meta_.name, limit);
  pause();
  stopped_at_ratio_ = true;
  ctx_.emit(SessionEvent{SessionEvent::Kind::stopped_at_ratio, id_, meta_.name, {}});
}

TorrentTrackers::Totals Torrent::totals() const {
  std::int64_t left = 0;
  for (std::uint32_t i = 0; i < meta_.piece_count; ++i) {
    if (!picker_.have(i)) left += meta_.piece_size(i);
  }
  return TorrentTrackers::Totals{uploaded_, downloaded_, left};
}

// ---------------------------------------------------------------- timer

void Torrent::tick(Clock::time_point now) {
  if (stopping_) return;
  if (running()) keeper_.count_active_second();
  if (keeper_.due(now)) save_resume();
  if (!paused_ && state_ != TorrentState::checking && state_ != TorrentState::error) {
    const bool want_more = state_ == TorrentState::downloading && peers_.size() + peer_list_.waiting_candidates() < 20;
    trackers_->tick(now, totals(), want_more);
  }
  if (!running()) return;
  std::vector<PeerKey> idle;
  for (auto& [k, p] : peers_) {
    if (now - p->conn->last_received() > 120s) {
      idle.push_back(k);
      continue;
    }
    if (now - p->conn->last_sent() > 90s) p->conn->send(wire::KeepAlive{});
    p->session.check_snub(picker_, now, choker_.config());
    // About a second of data in flight at the measured rate, once the rate speaks.
    if (now - p->session.connected_at() > 5s) {
      p->session.set_pipeline(RequestScheduler::pipeline_for_rate(p->session.down_rate(now)));
    }
  }
  for (PeerKey k : idle) drop_peer(k, DepartureReason::timed_out, "inactive for 2 minutes");
  count_active_peers();
  const auto soft = static_cast<std::size_t>(std::max(0, ctx_.settings.max_peers_per_torrent));
  if (peers_.size() > soft) prune_peers(peers_.size() - soft, now);
  rechoke(now);
  check_ratio();
  connect_peers(now);
  exchange_peers(now);
  for (auto& [k, p] : peers_) fill(*p);
}

// ---------------------------------------------------------------- status

TorrentStatus Torrent::status(Clock::time_point now, bool details) const {
  TorrentStatus s;
  s.id = id_;
  s.name = meta_.name;
  s.info_hash = meta_.info_hash.hex();
  s.save_path = save_path_.string();
  s.state = state_;
  s.error = error_;
  s.piece_length = static_cast<std::uint32_t>(meta_.piece_length);
  s.comment = meta_.comment;
  s.total_size = meta_.total_size;
  s.piece_count = meta_.piece_count;
  if (details) add_piece_details(s, meta_, map_, picker_, file_priorities_);
  s.pieces_have = picker_.have_bitfield().count();
  s.have_bitfield = std::string(picker_.have_bitfield().bytes());
  s.partial_pieces = picker_.partial_pieces();
  const PieceTotals bytes = piece_totals(meta_, picker_);
  const std::int64_t wanted = bytes.have_wanted + bytes.wanted_left;
  s.wanted_size = wanted;
  s.have_bytes = bytes.have_wanted;
  s.progress = wanted > 0 ? static_cast<double>(bytes.have_wanted) / static_cast<double>(wanted) : 1.0;
  s.check_progress = !checker_ || checker_->total() == 0
                         ? (state_ == TorrentState::checking ? 0.0 : 1.0)
                         : static_cast<double>(checker_->done()) / static_cast<double>(checker_->total());
  s.added_at = keeper_.added_at();
  s.active_s = keeper_.active_seconds();
  s.all_time_downloaded = keeper_.downloaded_before() + downloaded_;
  s.all_time_uploaded = keeper_.uploaded_before() + uploaded_;
  s.down_rate = down_.rate(now);
  s.up_rate = up_.rate(now);
  s.download_limit = down_bucket_->rate();
  s.upload_limit = up_bucket_->rate();
  s.downloaded = downloaded_;
  s.uploaded = uploaded_;
  s.hash_failures = hash_failures_;
  s.ratio_limit = seeds_past_ratio_ ? 0 : ratio_limit_.value_or(ctx_.settings.stop_at_ratio);
  s.stopped_at_ratio = stopped_at_ratio_;
  s.own_ratio_limit = ratio_limit_;
  s.seeds_past_ratio = seeds_past_ratio_;
  if (state_ == TorrentState::downloading && s.down_rate > 0) s.eta_s = (wanted - bytes.have_wanted) / s.down_rate;

  StallInputs stall;
  stall.state = state_;
  stall.error = error_;
  stall.down_rate = s.down_rate;
  for (const auto& [k, p] : peers_) {
    PeerInfo info = p->session.info(picker_, now);
    info.address = PeerList::endpoint_text(p->endpoint);
    info.incoming = p->incoming;
    info.source = p->source;
    info.down_rate_total = p->conn->wire_down_rate(now);
    info.up_rate_total = p->conn->wire_up_rate(now);
    s.down_rate_total += info.down_rate_total;
    s.up_rate_total += info.up_rate_total;
    ++s.peers_connected;
    ++(p->session.seed() ? s.seeds_connected : s.leechers_connected);
    if (p->session.wants_from()) {
      ++stall.peers_with_wanted;
      if (p->session.may_request()) ++stall.peers_unchoking_with_wanted;
    }
    s.peers.push_back(std::move(info));
  }
  trackers_->fill_status(s, now);
  s.peers_known = static_cast<int>(peer_list_.size());
  s.peers_known_by_source = peer_list_.count_by_source();
  s.connect_failures = peer_list_.failures_in_a_row();
  s.departed_peers = peer_list_.departed_peers(now);

  stall.download_cap = down_bucket_->rate();
  stall.session_download_cap = ctx_.global_down->rate();
  stall.session_down_rate = ctx_.counters.down_rate;
  stall.peers_connected = s.peers_connected;
  stall.candidates = peer_list_.waiting_candidates();
  stall.connecting = peer_list_.connecting();
  stall.connect_failures = peer_list_.failures_in_a_row();
  stall.wanted_missing = bytes.wanted_missing;
  stall.wanted_unavailable = bytes.wanted_unavailable;
  stall.trackers = trackers_->summary();
  if (paused_ && state_ != TorrentState::error && state_ != TorrentState::checking) stall.state = TorrentState::paused;
  const StallDiagnosis d = diagnose_stall(stall);
  s.stall = d.reason;
  s.stall_detail = d.detail;
  return s;
}

}  // namespace tessera
