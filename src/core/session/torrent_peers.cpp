// The torrent's peers: dialling and admitting connections through the PeerList, feeding each
// PeerSession its messages and acting on what it reports, the choker's rounds, and pruning.
#include <algorithm>

#include "log/logging.hpp"
#include "session/torrent.hpp"
#include "tessera/version.hpp"
#include "wire/allowed_fast.hpp"
#include "wire/extension_handshake.hpp"
#include "wire/peer_id.hpp"

namespace tessera {
namespace {

using namespace std::chrono_literals;

constexpr auto kHandshakeTimeout = 10s;
constexpr std::size_t kMaxReadsInFlight = 64;  // blocks being read for one peer (4 disk jobs)
constexpr std::size_t kAllowedFastCount = 8;
constexpr int kBanAfterHashFailures = 3;

std::shared_ptr<spdlog::logger> peer_log() {
  static auto logger = log::get("peer");
  return logger;
}

wire::TorrentShape shape_of(const Metainfo& m) { return wire::TorrentShape{m.piece_count, m.piece_length, m.total_size}; }

}  // namespace

Torrent::Peer::Peer(PeerKey key, std::shared_ptr<PeerConnection> c, const tcp::endpoint& ep, bool in, PeerSource src,
                    const PieceMap& map, const wire::Handshake& theirs, Clock::time_point now,
                    const PeerSessionLimits& limits)
    : conn(std::move(c)),
      session(key, *conn, map, theirs.supports_fast(), theirs.supports_extensions(), now, limits),
      endpoint(ep),
      incoming(in),
      source(src),
      peer_id(theirs.peer_id) {
  session.set_client(wire::client_name_from_peer_id(theirs.peer_id));
}

PeerListConfig Torrent::peer_list_config() const {
  PeerListConfig c;
  c.max_size = static_cast<std::size_t>(std::max(1, ctx_.settings.max_peer_list_size));
  c.max_per_address = std::max(1, ctx_.settings.max_connections_per_address);
  c.max_failures = std::max(1, ctx_.settings.max_connect_failures);
  return c;
}

PeerSessionLimits Torrent::peer_limits() const { return PeerSessionLimits{}; }

void Torrent::add_peer(const tcp::endpoint& ep, PeerSource source) {
  // BEP 27: a private torrent hears of peers from its trackers only (and from incoming peers and
  // the user). Peers a magnet link's PEX found before the metadata said "private" stop here.
  const bool trackerless =
      source == PeerSource::pex || source == PeerSource::dht || source == PeerSource::lsd;
  if (meta_.is_private && trackerless) return;
  if (peer_list_.add(ep, source, Clock::now()) == PeerList::AddResult::added) connect_peers(Clock::now());
}

// ---------------------------------------------------------------- connections

void Torrent::connect_peers(Clock::time_point now) {
  if (!running()) return;
  // Soft limits: no new outgoing connections past them (per torrent and session-wide).
  const auto room = [&] {
    return static_cast<int>(peers_.size() + peer_list_.connecting()) < ctx_.settings.max_peers_per_torrent &&
           ctx_.counters.peers + ctx_.counters.connecting < ctx_.settings.max_connections &&
           static_cast<int>(peer_list_.connecting()) < ctx_.settings.max_connecting;
  };
  while (room()) {
    const auto ep = peer_list_.next_to_dial(now);
    if (!ep) break;
    ++ctx_.counters.connecting;
    auto conn = std::make_shared<PeerConnection>(ctx_.io, false);
    wire::Handshake ours;
    ours.info_hash = meta_.info_hash;
    ours.peer_id = ctx_.peer_id;
    ours.set_fast();
    ours.set_extensions();
    conn->connect(*ep, ctx_.bind_address, ours, kHandshakeTimeout,
                  [self = shared_from_this(), conn, ep = *ep](expected<wire::Handshake, std::string> hs) {
                    --self->ctx_.counters.connecting;
                    const auto at = Clock::now();
                    if (!hs) {
                      peer_log()->debug("{}: connect to {} failed: {}", self->meta_.name, PeerList::endpoint_text(ep),
                                        hs.error());
                      self->peer_list_.dial_failed(ep, at);
                      return;
                    }
                    if (hs->info_hash != self->meta_.info_hash) {
                      conn->close("wrong info-hash");
                      self->peer_list_.departed(ep, Departure{DepartureReason::protocol_violation, "wrong info-hash"}, at);
                      return;
                    }
                    if (self->peer_list_.admit(ep, false, at) != PeerList::Admit::ok) {
                      conn->close("refused");
                      self->peer_list_.departed(ep, Departure{DepartureReason::stopped, "refused"}, at);
                      return;
                    }
                    self->on_connected(conn, *hs, false, ep);
                  });
  }
}

void Torrent::attach_incoming(std::shared_ptr<PeerConnection> conn, const wire::Handshake& theirs) {
  // Hard limit: past it even incoming peers are refused (the session checks its own).
  if (!running() || static_cast<int>(peers_.size()) >= ctx_.settings.max_peers_per_torrent_hard) {
    conn->close("not accepting peers");
    return;
  }
  const tcp::endpoint remote = conn->remote();
  switch (peer_list_.admit(remote, true, Clock::now())) {
    case PeerList::Admit::ok: break;
    case PeerList::Admit::banned: conn->close("banned"); return;
    case PeerList::Admit::address_busy: conn->close("already connected to this address"); return;
  }
  wire::Handshake ours;
  ours.info_hash = meta_.info_hash;
  ours.peer_id = ctx_.peer_id;
  ours.set_fast();
  ours.set_extensions();
  conn->send_handshake(ours);
  on_connected(std::move(conn), theirs, true, remote);
}

// After admission by the PeerList: every way out from here reports a departure.
void Torrent::on_connected(std::shared_ptr<PeerConnection> conn, const wire::Handshake& theirs, bool incoming,
                           const tcp::endpoint& ep) {
  const auto now = Clock::now();
  if (theirs.peer_id == ctx_.peer_id) {
    conn->close("connected to ourselves");
    peer_list_.is_us(ep);
    return;
  }
  const auto refuse = [&](DepartureReason why, const char* detail) {
    conn->close(detail);
    peer_list_.departed(ep, Departure{why, detail}, now);
  };
  if (std::any_of(peers_.begin(), peers_.end(), [&](const auto& kv) { return kv.second->peer_id == theirs.peer_id; })) {
    return refuse(DepartureReason::duplicate, "duplicate connection");
  }
  if (!running()) return refuse(DepartureReason::stopped, "not accepting peers");
  const PeerKey key = next_key_++;
  auto owned = std::make_unique<Peer>(key, conn, ep, incoming, incoming ? PeerSource::incoming : peer_list_.source_of(ep),
                                      map_, theirs, now, peer_limits());
  Peer& peer = *owned;
  if (pex_) peer.session.enable_pex(ep);
  by_conn_[conn.get()] = key;
  peers_.emplace(key, std::move(owned));
  ++ctx_.counters.peers;
  peer_log()->debug("{}: connected {} {} ({})", meta_.name, incoming ? "from" : "to", PeerList::endpoint_text(ep),
                    peer.session.client());

  conn->set_bandwidth(&ctx_.bandwidth, BandwidthPath{{up_bucket_, ctx_.global_up, nullptr}},
                      BandwidthPath{{down_bucket_, ctx_.global_down, nullptr}});
  conn->start(this, shape_of(meta_));
  std::string ext;
  if (peer.session.extended()) {
    ext = wire::encode_extension_handshake(PeerExtensions::our_handshake(
        std::string("Tessera ") + kVersion, ctx_.listen_port,
        static_cast<std::uint32_t>(peer_limits().max_queued_requests),
        static_cast<std::int64_t>(meta_.info_dict.size()), pex_));
  }
  // BEP 6: a few pieces they may fetch even while choked, to get a newcomer started.
  std::vector<std::uint32_t> allowed;
  if (ep.address().is_v4()) {
    allowed = wire::allowed_fast_set(ep.address().to_v4().to_uint(), meta_.info_hash, meta_.piece_count,
                                     kAllowedFastCount);
  }
  peer.session.greet(picker_.have_bitfield(), ext, allowed);
}

Torrent::Peer* Torrent::find(PeerConnection& c) {
  auto it = by_conn_.find(&c);
  if (it == by_conn_.end()) return nullptr;
  auto p = peers_.find(it->second);
  return p == peers_.end() ? nullptr : p->second.get();
}

void Torrent::drop_peer(PeerKey key, DepartureReason reason, const std::string& detail) {
  auto it = peers_.find(key);
  if (it == peers_.end()) return;
  std::unique_ptr<Peer> p = std::move(it->second);
  peers_.erase(it);
  --ctx_.counters.peers;
  by_conn_.erase(p->conn.get());
  choker_.forget(key);
  p->session.detach(picker_);
  peer_log()->debug("{}: dropped {}: {}", meta_.name, PeerList::endpoint_text(p->endpoint), detail);
  p->conn->close(detail);
  peer_list_.departed(p->endpoint,
                      Departure{reason, detail, p->session.client(), p->session.downloaded(), p->session.uploaded()},
                      Clock::now());
  // The blocks it held are free for others now.
  for (auto& [k, other] : peers_) fill(*other);
}

void Torrent::drop_all_peers(const std::string& detail) {
  std::vector<PeerKey> keys;  // dropping edits peers_
  for (auto& [k, p] : peers_) keys.push_back(k);
  for (PeerKey k : keys) drop_peer(k, DepartureReason::stopped, detail);
}

void Torrent::on_peer_closed(PeerConnection& c, const std::string& reason) {
  Peer* p = find(c);
  if (p == nullptr) return;
  DepartureReason why = DepartureReason::closed_by_peer;
  if (reason.starts_with("protocol error")) why = DepartureReason::protocol_violation;
  if (reason.starts_with("send queue full")) why = DepartureReason::timed_out;
  drop_peer(p->session.key(), why, reason);
}

void Torrent::on_peer_drained(PeerConnection& c) {
  if (Peer* p = find(c)) serve(*p);
}

void Torrent::on_peer_read_done(PeerConnection& c) {
  io_->flush();
  if (io_->backlogged() && !c.reading_paused()) {
    c.pause_reading();
    if (Peer* p = find(c)) paused_for_disk_.push_back(p->conn);
  }
}

void Torrent::on_backlog_low() {
  for (auto& weak : std::exchange(paused_for_disk_, {})) {
    if (auto conn = weak.lock()) conn->resume_reading();
  }
}

// ---------------------------------------------------------------- messages

void Torrent::on_peer_message(PeerConnection& c, wire::Message&& msg) {
  Peer* p = find(c);
  if (p == nullptr) return;
  PeerReaction r = p->session.on_message(msg, picker_, Clock::now());
  react(*p, r);
}

void Torrent::react(Peer& p, PeerReaction& r) {
  uploaded_ -= r.upload_refund;
  if (r.listen_port && p.incoming) {
    peer_list_.learned_listen_port(p.endpoint, *r.listen_port, Clock::now());
    p.listen_port = r.listen_port;
  }
  if (!r.pex_candidates.empty()) take_pex(r.pex_candidates);
  if (r.block) received(p, *r.block);
  if (r.metadata) serve_metadata(p, *r.metadata);
  if (r.close) {
    drop_peer(p.session.key(), r.close->reason, r.close->detail);
    return;
  }
  if (r.interested && running()) {
    if (auto d = choker_.on_interested(choker_views(Clock::now()), p.session.key(), Clock::now())) apply(*d);
  }
  if (r.serve) serve(p);
  if (r.refill) fill(p);
}

// BEP 9: we have the whole info dictionary; requests are answered within the peer's ration.
// Its data and rejects are not for us (we asked for nothing) and are ignored.
void Torrent::serve_metadata(Peer& p, const wire::MetadataMessage& m) {
  if (m.type != wire::MetadataMessage::Type::request) return;
  const auto size = static_cast<std::int64_t>(meta_.info_dict.size());
  wire::MetadataMessage answer{wire::MetadataMessage::Type::reject, m.piece, 0, {}};
  if (m.piece < wire::metadata_piece_count(size) && p.session.extensions().take_metadata_request(Clock::now())) {
    answer.type = wire::MetadataMessage::Type::data;
    answer.total_size = size;
    const std::int64_t begin = std::int64_t{m.piece} * wire::kMetadataPieceSize;
    answer.data = meta_.info_dict.substr(static_cast<std::size_t>(begin),
                                         static_cast<std::size_t>(wire::metadata_piece_size(size, m.piece)));
  }
  p.session.send_metadata(answer);
}

void Torrent::received(Peer& p, const PeerReaction::Block& b) {
  const auto now = Clock::now();
  const auto n = static_cast<std::int64_t>(b.data.size());
  down_.add(n, now);
  downloaded_ += n;
  for (PeerKey k : b.arrival.cancel) {
    if (auto it = peers_.find(k); it != peers_.end()) it->second->session.cancel(b.ref);
  }
  if (!b.arrival.duplicate) io_->write(b.ref.piece, b.begin, b.data, b.arrival.piece_complete);
  (void)p;
}

void Torrent::fill(Peer& p) {
  if (state_ != TorrentState::downloading || paused_ || !p.conn->is_open()) return;
  p.session.fill_requests(picker_,
                          scheduler_.budget(p.session.pipeline(), p.session.snubbed(), p.conn->receive_window()));
}

void Torrent::serve(Peer& p) {
  const std::size_t budget = scheduler_.read_ahead();
  while (p.session.queued_requests() > 0 && p.session.reads_in_flight() < kMaxReadsInFlight &&
         p.conn->queued_bytes() + p.session.reads_in_flight() * kBlockSize < budget) {
    auto batch = p.session.take_reads(std::min(PieceIo::kReadBatch, kMaxReadsInFlight - p.session.reads_in_flight()));
    io_->read(batch, [self = shared_from_this(), key = p.session.key(), batch](
                         expected<std::vector<std::string>, StorageError> blocks) {
      auto it = self->peers_.find(key);
      if (it == self->peers_.end()) return;
      Peer& peer = *it->second;
      if (!blocks) {
        // Data vanished under us: never serve garbage; the torrent needs a recheck.
        peer.session.read_failed(batch.size());
        self->set_error(blocks.error().message);
        return;
      }
      const auto now = Clock::now();
      const std::int64_t sent = peer.session.blocks_read(batch, std::move(*blocks), now);
      self->up_.add(sent, now);
      self->uploaded_ += sent;
      self->serve(peer);
    });
  }
}

// ---------------------------------------------------------------- pieces

void Torrent::on_piece_hashed(std::uint32_t piece, const expected<Sha1Digest, StorageError>& digest) {
  if (stopping_ || state_ == TorrentState::error) return;
  if (!digest) {
    set_error(digest.error().message);
  } else if (*digest == meta_.piece_hash(piece)) {
    piece_passed(piece);
  } else {
    piece_failed(piece);
  }
}

void Torrent::on_write_failed(const StorageError& error) {
  if (!stopping_) set_error(error.message);
}

void Torrent::piece_passed(std::uint32_t piece) {
  picker_.on_hash_passed(piece);
  mark_dirty(false);
  for (auto& [k, p] : peers_) p->session.piece_verified(piece, picker_);
  if (picker_.is_finished() && state_ == TorrentState::downloading) {
    if (auto r = io_->files()->create_empty_files(); !r) {
      set_error(r.error().message);
      return;
    }
    enter_seeding();
  }
}

void Torrent::piece_failed(std::uint32_t piece) {
  ++hash_failures_;
  const auto contributors = picker_.contributors(piece);
  picker_.on_hash_failed(piece);
  peer_log()->warn("{}: piece {} failed its hash check ({} contributing peers)", meta_.name, piece,
                   contributors.size());
  for (PeerKey k : contributors) {
    auto it = peers_.find(k);
    if (it == peers_.end()) continue;
    // A peer that alone supplied a bad piece is certainly at fault: charge it double.
    it->second->hash_failures += contributors.size() == 1 ? 2 : 1;
    if (it->second->hash_failures >= kBanAfterHashFailures) {
      peer_log()->warn("{}: banned {} ({}) for sending corrupt data", meta_.name,
                       PeerList::endpoint_text(it->second->endpoint), it->second->session.client());
      drop_peer(k, DepartureReason::corrupt_data, "sent data that failed the hash check (banned)");
    }
  }
  for (auto& [k, p] : peers_) fill(*p);
}

// ---------------------------------------------------------------- choking

std::vector<ChokerPeer> Torrent::choker_views(Clock::time_point now) const {
  std::vector<ChokerPeer> views;
  views.reserve(peers_.size());
  for (const auto& [k, p] : peers_) views.push_back(p->session.choker_view(now));
  return views;
}

void Torrent::apply(const ChokeDecision& d) {
  auto it = peers_.find(d.key);
  if (it != peers_.end()) it->second->session.set_choke(!d.unchoke, d.describe());
}

// The pure choker decides (rate-ranked slots, the optimistic unchoke, snubbing); this applies it.
void Torrent::rechoke(Clock::time_point now) {
  if (!running() || !choker_.due(now)) return;
  ChokerConfig c;
  c.regular_slots = std::max(1, ctx_.settings.upload_slots);
  c.rate_based_slots = ctx_.settings.rate_based_slots;
  choker_.set_config(c);
  std::int64_t cap = up_bucket_->rate();
  if (const std::int64_t global = ctx_.global_up->rate(); global > 0) cap = cap > 0 ? std::min(cap, global) : global;
  const auto views = choker_views(now);
  for (const ChokeDecision& d : choker_.rechoke(views, state_ == TorrentState::seeding, now, cap)) apply(d);
}

void Torrent::count_active_peers() {
  downloading_peers_ = 0;
  uploading_peers_ = 0;
  for (const auto& [k, p] : peers_) {
    if (p->session.am_interested() && !p->session.peer_choking()) ++downloading_peers_;
    if (!p->session.am_choking() && p->session.peer_interested()) ++uploading_peers_;
  }
  scheduler_.set_download_caps(down_bucket_->rate(), downloading_peers_, ctx_.global_down->rate(),
                               ctx_.counters.downloading);
  scheduler_.set_upload_caps(up_bucket_->rate(), uploading_peers_, ctx_.global_up->rate(), ctx_.counters.uploading);
}

void Torrent::limits_changed() {
  peer_list_.set_config(peer_list_config());
  count_active_peers();
  for (auto& [k, p] : peers_) {
    const RequestBudget b = scheduler_.budget(p->session.pipeline(), p->session.snubbed(), p->conn->receive_window());
    p->session.trim_requests(picker_, b.target);
    fill(*p);
    serve(*p);
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
    const std::int64_t down = p->session.down_rate(now);
    const std::int64_t up = p->session.up_rate(now);
    const bool trading = (down > 0 && !p->session.peer_choking()) || (up > 0 && !p->session.am_choking());
    if (trading) continue;
    victims.push_back({k, p->session.am_interested() || p->session.peer_interested(), down + up});
  }
  // Least useful first: nobody interested either way, then the slowest.
  std::sort(victims.begin(), victims.end(), [](const Victim& a, const Victim& b) {
    if (a.mutual_interest != b.mutual_interest) return !a.mutual_interest;
    return a.rate < b.rate;
  });
  std::size_t dropped = 0;
  for (const Victim& v : victims) {
    if (dropped == n) break;
    drop_peer(v.key, DepartureReason::pruned, "pruned: over the connection limit");
    ++dropped;
  }
  return dropped;
}

// ---------------------------------------------------------------- peer exchange (BEP 11)

// Candidates from a peer's ut_pex message, already rationed by its PexState; the PeerList's
// filters and size cap apply as to any other source, and they are dialled like tracker peers.
void Torrent::take_pex(const std::vector<wire::PexPeer>& candidates) {
  const auto now = Clock::now();
  bool added = false;
  for (const wire::PexPeer& c : candidates) {
    // A seed has nothing for another seed.
    if (state_ == TorrentState::seeding && (c.flags & wire::pex_flag::seed) != 0) continue;
    added |= peer_list_.add(c.endpoint, PeerSource::pex, now) == PeerList::AddResult::added;
  }
  if (added) connect_peers(now);
}

// Tells each peer that takes ut_pex who else is connected (PexState decides when and what).
// Peers are named by an endpoint others can dial: the one we dialled, or an incoming peer's
// address with the listen port it gave; an incoming peer without one is not advertised.
void Torrent::exchange_peers(Clock::time_point now) {
  if (!pex_) return;
  std::vector<PexSwarmPeer> connected;
  connected.reserve(peers_.size());
  for (const auto& [k, p] : peers_) {
    PexSwarmPeer s{p->endpoint, p->session.seed(), !p->incoming};
    if (p->incoming && p->listen_port) {
      s.endpoint = tcp::endpoint(p->endpoint.address(), *p->listen_port);
      s.connectable = true;
    }
    connected.push_back(s);
  }
  for (auto& [k, p] : peers_) p->session.send_pex(connected, now);
}

}  // namespace tessera
