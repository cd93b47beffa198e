#include "session/magnet_torrent.hpp"

#include <boost/asio/post.hpp>

#include "log/logging.hpp"
#include "storage/magnet_record.hpp"
#include "tessera/version.hpp"
#include "wire/peer_id.hpp"

namespace tessera {
namespace {

using namespace std::chrono_literals;

constexpr auto kHandshakeTimeout = 10s;
// Trackers are told something is left (the size is unknown): a seed's answer would leave us out.
constexpr std::int64_t kUnknownLeft = 16 * 1024;

std::shared_ptr<spdlog::logger> magnet_log() {
  static auto logger = log::get("magnet");
  return logger;
}

// Each of the link's trackers in a tier of its own, in the link's order (BEP 12 semantics: all
// are tried, the first that works is kept).
std::vector<std::vector<std::string>> tiers_of(const magnet::Magnet& link) {
  std::vector<std::vector<std::string>> tiers;
  for (const std::string& url : link.trackers) tiers.push_back({url});
  return tiers;
}

}  // namespace

MagnetTorrent::MagnetTorrent(TorrentContext& ctx, TorrentId id, magnet::Magnet link, std::string save_path,
                             bool paused, bool persist, bool pause_after_metadata, std::int64_t added_at,
                             OnMetadata on_metadata)
    : ctx_(ctx),
      id_(id),
      link_(std::move(link)),
      save_path_(std::move(save_path)),
      on_metadata_(std::move(on_metadata)),
      pex_(ctx.settings.enable_pex),
      fetch_(link_.info_hash, MetadataFetchLimits{ctx.settings.max_metadata_size}),
      peer_list_(peer_list_config()),
      trackers_(std::make_shared<TorrentTrackers>(
          ctx.trackers, tiers_of(link_), ctx.rng,
          TorrentTrackers::Identity{link_.info_hash, ctx.peer_id, ctx.listen_port, ctx.tracker_key})),
      paused_(paused),
      persist_(persist && ctx.state.enabled()),
      pause_after_metadata_(pause_after_metadata),
      added_at_(added_at) {
  if (ctx_.bind_address) {
    peer_list_.set_self(tcp::endpoint(*ctx_.bind_address, ctx_.listen_port));
  } else {
    peer_list_.set_self(tcp::endpoint(boost::asio::ip::address_v4::any(), ctx_.listen_port));
  }
}

MagnetTorrent::~MagnetTorrent() {
  trackers_->detach();
  ctx_.counters.peers -= static_cast<int>(peers_.size());
  for (auto& [key, p] : peers_) p.conn->close("torrent removed");
}

std::string MagnetTorrent::name() const { return link_.name.empty() ? link_.info_hash.hex() : link_.name; }

PeerListConfig MagnetTorrent::peer_list_config() const {
  PeerListConfig c;
  c.max_size = static_cast<std::size_t>(std::max(1, ctx_.settings.max_peer_list_size));
  c.max_per_address = std::max(1, ctx_.settings.max_connections_per_address);
  c.max_failures = std::max(1, ctx_.settings.max_connect_failures);
  return c;
}

TorrentTrackers::Totals MagnetTorrent::totals() const { return TorrentTrackers::Totals{0, 0, kUnknownLeft}; }

void MagnetTorrent::save_record() {
  if (!persist_) return;
  const MagnetRecord r{magnet::make_magnet_uri(link_), save_path_, paused_, pause_after_metadata_, added_at_};
  ctx_.state.write_magnet(link_.info_hash, id_, encode_magnet_record(r), [name = name()](auto ok) {
    if (!ok) magnet_log()->warn("{}: not saved: {}", name, ok.error());
  });
}

void MagnetTorrent::forget_state() {
  if (persist_) ctx_.state.release(link_.info_hash, id_);
  persist_ = false;
}

void MagnetTorrent::start() {
  if (persist_) ctx_.state.claim(link_.info_hash, id_);
  save_record();
  trackers_->on_peers([weak = weak_from_this()](const std::vector<tcp::endpoint>& peers) {
    auto self = weak.lock();
    if (!self) return;
    for (const auto& ep : peers) self->peer_list_.add(ep, PeerSource::tracker, Clock::now());
    self->connect_peers(Clock::now());
  });
  for (const magnet::PeerAddress& p : link_.peers) {
    boost::system::error_code ec;
    const auto addr = boost::asio::ip::make_address(p.host, ec);
    if (!ec) peer_list_.add(tcp::endpoint(addr, p.port), PeerSource::magnet, Clock::now());
  }
  tick(Clock::now());
}

void MagnetTorrent::pause() {
  if (paused_) return;
  paused_ = true;
  save_record();
  drop_all_peers("paused");
  trackers_->stop(Clock::now(), totals(), true, [] {});
}

void MagnetTorrent::resume() {
  if (!paused_) return;
  paused_ = false;
  save_record();
  tick(Clock::now());
}

void MagnetTorrent::stop(std::function<void()> done) {
  stopping_ = true;
  drop_all_peers("shutting down");
  if (paused_ || handed_over_) {
    done();
    return;
  }
  trackers_->stop(Clock::now(), totals(), false, std::move(done));
}

void MagnetTorrent::hand_over() {
  handed_over_ = true;
  drop_all_peers("metadata received");
  // The torrent that follows announces `started` itself; this one just goes quiet.
  trackers_->detach();
}

void MagnetTorrent::fail(const std::string& message) {
  error_ = message;
  drop_all_peers("torrent error");
  trackers_->stop(Clock::now(), totals(), false, [] {});
}

void MagnetTorrent::add_peer(const tcp::endpoint& ep, PeerSource source) {
  if (peer_list_.add(ep, source, Clock::now()) == PeerList::AddResult::added) connect_peers(Clock::now());
}

std::vector<std::pair<boost::asio::ip::tcp::endpoint, PeerSource>> MagnetTorrent::candidates() const {
  return peer_list_.dialable();
}

// ---------------------------------------------------------------- connections

wire::Handshake MagnetTorrent::our_handshake() const {
  wire::Handshake ours;
  ours.info_hash = link_.info_hash;
  ours.peer_id = ctx_.peer_id;
  ours.set_fast();
  ours.set_extensions();
  return ours;
}

void MagnetTorrent::connect_peers(Clock::time_point now) {
  if (!running()) return;
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
    conn->connect(*ep, ctx_.bind_address, our_handshake(), kHandshakeTimeout,
                  [self = shared_from_this(), conn, ep = *ep](expected<wire::Handshake, std::string> hs) {
                    --self->ctx_.counters.connecting;
                    const auto at = Clock::now();
                    if (!hs) {
                      self->peer_list_.dial_failed(ep, at);
                      return;
                    }
                    const auto refuse = [&](DepartureReason why, const char* detail) {
                      conn->close(detail);
                      self->peer_list_.departed(ep, Departure{why, detail}, at);
                    };
                    if (hs->info_hash != self->link_.info_hash) {
                      return refuse(DepartureReason::protocol_violation, "wrong info-hash");
                    }
                    if (!self->running()) return refuse(DepartureReason::stopped, "not accepting peers");
                    if (self->peer_list_.admit(ep, false, at) != PeerList::Admit::ok) {
                      conn->close("refused");
                      return;
                    }
                    self->on_connected(conn, *hs, false, ep);
                  });
  }
}

void MagnetTorrent::attach_incoming(std::shared_ptr<PeerConnection> conn, const wire::Handshake& theirs) {
  if (!running() || static_cast<int>(peers_.size()) >= ctx_.settings.max_peers_per_torrent_hard) {
    conn->close("not accepting peers");
    return;
  }
  const tcp::endpoint remote = conn->remote();
  if (peer_list_.admit(remote, true, Clock::now()) != PeerList::Admit::ok) {
    conn->close("refused");
    return;
  }
  conn->send_handshake(our_handshake());
  on_connected(std::move(conn), theirs, true, remote);
}

// After admission by the PeerList: every way out from here reports a departure.
void MagnetTorrent::on_connected(std::shared_ptr<PeerConnection> conn, const wire::Handshake& theirs, bool incoming,
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
  if (!theirs.supports_extensions()) {
    // It cannot send metadata; the torrent dials it again once the metadata is in.
    return refuse(DepartureReason::not_useful, "no extension protocol: cannot send metadata");
  }
  for (const auto& [k, p] : peers_) {
    if (p.peer_id == theirs.peer_id) return refuse(DepartureReason::duplicate, "duplicate connection");
  }
  const PeerKey key = next_key_++;
  Peer& p = peers_[key];
  p.conn = conn;
  p.endpoint = ep;
  p.incoming = incoming;
  p.fast = theirs.supports_fast();
  p.source = incoming ? PeerSource::incoming : peer_list_.source_of(ep);
  p.peer_id = theirs.peer_id;
  p.client = wire::client_name_from_peer_id(theirs.peer_id);
  if (pex_) {
    p.extensions = PeerExtensions(true);
    p.pex.emplace(ep);
  }
  by_conn_[conn.get()] = key;
  ++ctx_.counters.peers;
  magnet_log()->debug("{}: connected {} {}", name(), incoming ? "from" : "to", PeerList::endpoint_text(ep));

  conn->set_bandwidth(&ctx_.bandwidth, BandwidthPath{{ctx_.global_up, nullptr, nullptr}},
                      BandwidthPath{{ctx_.global_down, nullptr, nullptr}});
  conn->start(this, wire::TorrentShape::unknown());
  if (p.fast) conn->send(wire::HaveNone{});
  conn->send(wire::Extended{0, wire::encode_extension_handshake(PeerExtensions::our_handshake(
                                   std::string("Tessera ") + kVersion, ctx_.listen_port, std::nullopt, 0, pex_))});
}

void MagnetTorrent::on_peer_message(PeerConnection& c, wire::Message&& m) {
  auto it = by_conn_.find(&c);
  if (it == by_conn_.end()) return;
  const PeerKey key = it->second;
  if (auto* ext = std::get_if<wire::Extended>(&m)) {
    on_extended(key, *ext);
  } else if (auto* req = std::get_if<wire::Request>(&m)) {
    // We have nothing; a fast peer is told so, others are ignored (we choke them).
    if (peers_[key].fast) c.send(wire::Reject{req->piece, req->begin, req->length});
  }
  // Everything else (their pieces, choke state) matters only once the metadata is in.
}

void MagnetTorrent::on_extended(PeerKey key, const wire::Extended& m) {
  Peer& p = peers_[key];
  ExtensionEvent ev = p.extensions.on_extended(m);
  if (ev.violation) return drop_peer(key, DepartureReason::protocol_violation, *ev.violation);
  if (ev.handshake) {
    if (!ev.handshake->client.empty()) p.client = ev.handshake->client;
    if (p.incoming && ev.handshake->listen_port) {
      peer_list_.learned_listen_port(p.endpoint, *ev.handshake->listen_port, Clock::now());
      p.listen_port = ev.handshake->listen_port;
    }
    if (p.pex && ev.handshake->listen_port) p.pex->set_remote_listen_port(*ev.handshake->listen_port);
    if (!p.extensions.offers_metadata()) {
      return drop_peer(key, DepartureReason::not_useful, "does not offer metadata (no ut_metadata)");
    }
    fetch_.add_peer(key, p.extensions.metadata_size());
    ask(p, key, Clock::now());
  }
  if (ev.pex) take_pex(p, *ev.pex, Clock::now());
  if (ev.metadata) on_metadata_message(key, *ev.metadata);
}

// ---------------------------------------------------------------- peer exchange (BEP 11)

// Rationed per peer by its PexState; the PeerList's filters and cap apply as to any source.
void MagnetTorrent::take_pex(Peer& p, const wire::PexMessage& m, Clock::time_point now) {
  if (!p.pex) return;
  bool added = false;
  for (const wire::PexPeer& c : p.pex->on_message(m, now).candidates) {
    added |= peer_list_.add(c.endpoint, PeerSource::pex, now) == PeerList::AddResult::added;
  }
  if (added) connect_peers(now);
}

// Our other peers, named by an endpoint others can dial (see Torrent::exchange_peers). Their
// piece sets mean nothing yet, so none is flagged a seed.
void MagnetTorrent::exchange_peers(Clock::time_point now) {
  if (!pex_) return;
  std::vector<PexSwarmPeer> connected;
  connected.reserve(peers_.size());
  for (const auto& [k, p] : peers_) {
    PexSwarmPeer s{p.endpoint, false, !p.incoming};
    if (p.incoming && p.listen_port) {
      s.endpoint = tcp::endpoint(p.endpoint.address(), *p.listen_port);
      s.connectable = true;
    }
    connected.push_back(s);
  }
  for (auto& [k, p] : peers_) {
    // Asked only when they take ut_pex: PexState counts a message it hands out as sent.
    if (!p.pex || !p.extensions.offers_pex()) continue;
    if (auto m = p.pex->message_due(connected, now)) p.conn->send(*p.extensions.pex_message(*m));
  }
}

void MagnetTorrent::on_metadata_message(PeerKey key, const wire::MetadataMessage& m) {
  Peer& p = peers_[key];
  const auto now = Clock::now();
  switch (m.type) {
    case wire::MetadataMessage::Type::request:
      if (auto reply = p.extensions.metadata_message({wire::MetadataMessage::Type::reject, m.piece, 0, {}})) {
        p.conn->send(*reply);
      }
      return;
    case wire::MetadataMessage::Type::reject:
      fetch_.on_reject(key, m.piece, now);
      return;
    case wire::MetadataMessage::Type::data: break;
  }
  auto out = fetch_.on_data(key, m, now);
  if (out.drop) return drop_peer(key, DepartureReason::protocol_violation, *out.drop);
  for (PeerKey bad : out.blamed) {
    auto it = peers_.find(bad);
    if (it == peers_.end()) continue;
    const auto address = it->second.endpoint.address();
    drop_peer(bad, DepartureReason::corrupt_data, "sent metadata that does not match the info-hash");
    peer_list_.ban(address);
  }
  if (out.complete) {
    magnet_log()->info("{}: metadata received ({} bytes)", name(), fetch_.size());
    // Posted: the session replaces this object, which must not happen inside its own call.
    boost::asio::post(ctx_.io, [self = shared_from_this()] {
      if (self->on_metadata_ && !self->stopping_) self->on_metadata_(self->fetch_.metadata());
    });
    return;
  }
  if (auto it = peers_.find(key); it != peers_.end()) ask(it->second, key, now);
}

void MagnetTorrent::ask(Peer& p, PeerKey key, Clock::time_point now) {
  for (std::uint32_t piece : fetch_.requests_for(key, now)) {
    if (auto msg = p.extensions.metadata_message({wire::MetadataMessage::Type::request, piece, 0, {}})) {
      p.conn->send(*msg);
    }
  }
}

void MagnetTorrent::on_peer_closed(PeerConnection& c, const std::string& reason) {
  auto it = by_conn_.find(&c);
  if (it == by_conn_.end()) return;
  DepartureReason why = DepartureReason::closed_by_peer;
  if (reason.starts_with("protocol error")) why = DepartureReason::protocol_violation;
  drop_peer(it->second, why, reason);
}

void MagnetTorrent::drop_peer(PeerKey key, DepartureReason reason, const std::string& detail) {
  auto it = peers_.find(key);
  if (it == peers_.end()) return;
  Peer p = std::move(it->second);
  peers_.erase(it);
  by_conn_.erase(p.conn.get());
  --ctx_.counters.peers;
  fetch_.remove_peer(key);
  magnet_log()->debug("{}: dropped {}: {}", name(), PeerList::endpoint_text(p.endpoint), detail);
  p.conn->close(detail);
  peer_list_.departed(p.endpoint, Departure{reason, detail, p.client, 0, 0}, Clock::now());
  // Its requests are free for others.
  for (auto& [k, other] : peers_) ask(other, k, Clock::now());
}

void MagnetTorrent::drop_all_peers(const std::string& detail) {
  std::vector<PeerKey> keys;
  for (const auto& [k, p] : peers_) keys.push_back(k);
  for (PeerKey k : keys) drop_peer(k, DepartureReason::stopped, detail);
}

void MagnetTorrent::tick(Clock::time_point now) {
  if (!running()) return;
  const bool want_more = peers_.size() + peer_list_.waiting_candidates() < 20;
  trackers_->tick(now, totals(), want_more);
  std::vector<PeerKey> idle;
  for (auto& [k, p] : peers_) {
    if (now - p.conn->last_received() > 120s) {
      idle.push_back(k);
    } else if (now - p.conn->last_sent() > 90s) {
      p.conn->send(wire::KeepAlive{});
    }
  }
  for (PeerKey k : idle) drop_peer(k, DepartureReason::timed_out, "inactive for 2 minutes");
  fetch_.tick(now);
  for (auto& [k, p] : peers_) ask(p, k, now);
  connect_peers(now);
  exchange_peers(now);
}

// ---------------------------------------------------------------- status

TorrentStatus MagnetTorrent::status(Clock::time_point now) const {
  TorrentStatus s;
  s.id = id_;
  s.name = name();
  s.info_hash = link_.info_hash.hex();
  s.save_path = save_path_;
  s.state = !error_.empty() ? TorrentState::error : paused_ ? TorrentState::paused : TorrentState::fetching_metadata;
  s.error = error_;
  s.metadata_size = fetch_.size();
  s.metadata_pieces = fetch_.pieces_total();
  s.metadata_pieces_have = fetch_.pieces_received();
  s.peers_connected = static_cast<int>(peers_.size());
  s.peers_known = static_cast<int>(peer_list_.size());
  s.peers_known_by_source = peer_list_.count_by_source();
  s.connect_failures = peer_list_.failures_in_a_row();
  for (const auto& [k, p] : peers_) {
    PeerInfo info;
    info.address = PeerList::endpoint_text(p.endpoint);
    info.client = p.client;
    info.incoming = p.incoming;
    info.fast_extension = p.fast;
    info.extension_protocol = true;
    info.source = p.source;
    info.down_rate_total = p.conn->wire_down_rate(now);
    info.up_rate_total = p.conn->wire_up_rate(now);
    info.choke_reason = p.extensions.offers_metadata() ? "sends metadata" : "handshaking";
    s.down_rate_total += info.down_rate_total;
    s.up_rate_total += info.up_rate_total;
    s.peers.push_back(std::move(info));
  }
  s.departed_peers = peer_list_.departed_peers(now);
  trackers_->fill_status(s, now);
  diagnose(s);
  return s;
}

// Why the metadata is not coming, in the words the StallReasons use.
void MagnetTorrent::diagnose(TorrentStatus& s) const {
  if (s.state != TorrentState::fetching_metadata) return;
  if (!peers_.empty()) {
    if (fetch_.peers_offering() > 0) return;
    s.stall = StallReason::no_metadata_source;
    s.stall_detail = std::to_string(peers_.size()) + (peers_.size() == 1 ? " peer connected" : " peers connected");
    if (!fetch_.problem().empty()) s.stall_detail += "; " + fetch_.problem();
    return;
  }
  if (peer_list_.size() == 0) {
    s.stall = StallReason::no_peers_known;
    s.stall_detail = trackers_->active() ? trackers_->summary() : "the link names no trackers and no peers";
    return;
  }
  if (peer_list_.failures_in_a_row() > 0 && peer_list_.connecting() == 0) {
    s.stall = StallReason::peers_unreachable;
    s.stall_detail = std::to_string(peer_list_.failures_in_a_row()) + " connection attempts failed";
  }
}

}  // namespace tessera
