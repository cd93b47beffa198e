#include "dht/dht_node.hpp"

#include <algorithm>

namespace tessera::dht {

std::string_view dht_state_name(DhtState state) noexcept {
  switch (state) {
    case DhtState::off:
      return "off";
    case DhtState::bootstrapping:
      return "bootstrapping";
    case DhtState::ready:
      return "ready";
  }
  return "off";
}

DhtNode::DhtNode(const NodeId& own_id, TimePoint now, std::uint64_t seed,
                 AnnounceTokens::SecretSource secrets, DhtNodeConfig config)
    : id_(own_id),
      config_(config),
      rng_(seed),
      table_(own_id, now, config.table),
      tokens_(std::move(secrets), now),
      store_(config.storage),
      limiter_(config.limits),
      transactions_(config.max_pending_queries, config.query_timeout),
      retry_delay_(config.bootstrap_retry),
      last_sweep_(now) {}

// ---- incoming ----------------------------------------------------------------------------

void DhtNode::on_datagram(const UdpEndpoint& from, std::string_view bytes, TimePoint now) {
  auto message = decode_message(bytes);
  if (!message) {
    ++bad_datagrams_;
    // A broken query still deserves its error reply, within the same limits as any query.
    if (message.error().query && limiter_.allow(from.address(), now)) {
      if (auto error = error_reply_for(message.error())) reply(from, error->transaction_id, error->body);
    }
    return;
  }
  if (const auto* query = std::get_if<Query>(&message->body)) {
    handle_query(from, *message, *query, now);
  } else if (const auto* response = std::get_if<Response>(&message->body)) {
    handle_response(from, *message, *response, now);
  } else {
    handle_error(from, *message, now);
  }
}

void DhtNode::handle_query(const UdpEndpoint& from, const Message& message, const Query& query,
                           TimePoint now) {
  if (!limiter_.allow(from.address(), now)) {
    ++queries_dropped_;
    return;
  }
  // A read-only node (BEP 43) does not answer queries, so it must not enter the table.
  if (!message.read_only) {
    if (const auto update = table_.on_query(query.id, from, now); update.ping) ping(*update.ping, now);
  }
  Response response;
  response.id = id_;
  switch (query.method) {
    case Method::ping:
      break;
    case Method::find_node:
      response.nodes = closest_v4(query.target, now);
      break;
    case Method::get_peers:
      response.nodes = closest_v4(query.info_hash, now);
      response.token = tokens_.issue(from.address(), now);
      response.values = store_.peers(query.info_hash, now, rng_);
      break;
    case Method::announce_peer: {
      if (!tokens_.accepts(query.token, from.address(), now)) {
        reply(from, message.transaction_id, ErrorReply{kErrorProtocol, "bad token"});
        return;
      }
      const std::uint16_t port = query.implied_port ? from.port() : query.port;
      if (port == 0) {
        reply(from, message.transaction_id, ErrorReply{kErrorProtocol, "announce_peer without a port"});
        return;
      }
      store_.announce(query.info_hash, TcpEndpoint(from.address(), port), now);
      break;
    }
  }
  ++queries_answered_;
  reply(from, message.transaction_id, std::move(response));
}

void DhtNode::handle_response(const UdpEndpoint& from, const Message& message, const Response& response,
                              TimePoint now) {
  const auto pending = transactions_.close(message.transaction_id, from);
  if (!pending) {
    ++bad_datagrams_;
    return;
  }
  if (!is_router(from)) {
    if (const auto update = table_.on_response(response.id, from, now); update.ping) ping(*update.ping, now);
  }
  const auto it = lookups_.find(pending->lookup);
  if (it == lookups_.end()) return;  // a ping, an announce, or a lookup that has ended
  ActiveLookup& active = it->second;
  std::vector<CompactNode> nodes;
  for (const CompactNode& n : response.nodes) {
    if (n.endpoint.address().is_v4()) nodes.push_back(n);
  }
  active.lookup.on_answer(from, response.id, nodes, response.token);
  if ((active.kind == Kind::get_peers || active.kind == Kind::announce) && !response.values.empty()) {
    report_peers(it->first, active, response.values);
  }
  drive(it->first, now);
}

void DhtNode::handle_error(const UdpEndpoint& from, const Message& message, TimePoint now) {
  const auto pending = transactions_.close(message.transaction_id, from);
  if (!pending) {
    ++bad_datagrams_;
    return;
  }
  // The node is alive but refused: no table change, a failure for the lookup.
  if (const auto it = lookups_.find(pending->lookup); it != lookups_.end()) {
    it->second.lookup.on_failure(from);
    drive(it->first, now);
  }
}

void DhtNode::report_peers(LookupId id, ActiveLookup& active, const std::vector<TcpEndpoint>& values) {
  PeersFound found{id, active.lookup.target(), {}};
  for (const TcpEndpoint& peer : values) {
    if (peer.port() == 0 || active.peers.size() >= config_.max_peers_per_lookup) continue;
    if (active.peers.insert(peer).second) found.peers.push_back(peer);
  }
  if (!found.peers.empty()) events_.emplace_back(std::move(found));
}

// ---- outgoing ----------------------------------------------------------------------------

void DhtNode::reply(const UdpEndpoint& to, const std::string& transaction_id,
                    std::variant<Query, Response, ErrorReply> body) {
  if (out_.size() >= config_.max_outgoing) return;
  Message message;
  message.transaction_id = transaction_id;
  message.body = std::move(body);
  out_.push_back(Datagram{to, encode_message(message)});
}

bool DhtNode::send_query(const UdpEndpoint& to, const std::optional<NodeId>& id, Query query, LookupId lookup,
                         TimePoint now) {
  if (out_.size() >= config_.max_outgoing) return false;
  const auto tid = transactions_.open(PendingQuery{to, id, query.method, lookup, now}, rng_);
  if (!tid) return false;
  query.id = id_;
  Message message;
  message.transaction_id = *tid;
  message.body = std::move(query);
  out_.push_back(Datagram{to, encode_message(message)});
  return true;
}

void DhtNode::ping(const CompactNode& node, TimePoint now) {
  // One question at a time: a forged stream of queries must not make us ping a victim repeatedly.
  if (transactions_.pending_to(node.endpoint)) return;
  send_query(node.endpoint, node.id, Query{Method::ping, {}, {}, {}, 0, false, {}}, 0, now);
}

std::vector<CompactNode> DhtNode::closest_v4(const NodeId& target, TimePoint now) const {
  auto nodes = table_.closest(target, config_.table.bucket_size * 2, now);
  std::erase_if(nodes, [](const CompactNode& n) { return !n.endpoint.address().is_v4(); });
  if (nodes.size() > config_.table.bucket_size) nodes.resize(config_.table.bucket_size);
  return nodes;
}

bool DhtNode::is_router(const UdpEndpoint& endpoint) const {
  return std::find(routers_.begin(), routers_.end(), endpoint) != routers_.end();
}

// ---- time --------------------------------------------------------------------------------

void DhtNode::tick(TimePoint now) {
  for (const PendingQuery& expired : transactions_.expire(now)) {
    if (expired.id && !is_router(expired.endpoint)) {
      // The replacement the table promotes (if any) needs nothing from us: it answered before.
      table_.on_timeout(*expired.id, expired.endpoint, now);
    }
    if (const auto it = lookups_.find(expired.lookup); it != lookups_.end()) {
      it->second.lookup.on_failure(expired.endpoint);
    }
  }
  // Every lookup: the expired ones may move on, and those that found no room may send now.
  std::vector<LookupId> ids;
  for (const auto& [id, active] : lookups_) ids.push_back(id);
  for (const LookupId id : ids) drive(id, now);

  if (now - last_sweep_ >= config_.storage_sweep) {
    store_.expire(now);
    last_sweep_ = now;
  }

  if (state_ == DhtState::ready && table_nodes(now) == 0) {
    state_ = DhtState::bootstrapping;  // every node went bad: join again
    bootstrap_retry_at_ = now;
  }
  // A retry is due after its backoff, or at once when nodes that queried us have entered the
  // table meanwhile: they are somewhere to start from.
  if (state_ == DhtState::bootstrapping && !bootstrap_lookup_ && bootstrap_retry_at_ &&
      (now >= *bootstrap_retry_at_ || table_nodes(now) > 0)) {
    start_bootstrap(now);
  }
  if (state_ == DhtState::ready && lookups_.size() < config_.max_active_lookups) {
    for (const auto& due : table_.refresh_due(now, rng_)) {
      if (lookups_.size() >= config_.max_active_lookups) break;  // named again after another quiet spell
      start_lookup(next_lookup_++, Kind::refresh, due.target, now);
    }
  }
  start_queued(now);
}

// ---- commands and lookups ----------------------------------------------------------------

void DhtNode::bootstrap(std::span<const UdpEndpoint> routers, std::span<const CompactNode> known,
                        TimePoint now) {
  routers_.clear();
  for (const UdpEndpoint& r : routers) {
    if (routers_.size() < config_.max_routers) routers_.push_back(r);
  }
  known_.clear();
  for (const CompactNode& n : known) {
    if (known_.size() < config_.max_known_nodes) known_.push_back(n);
  }
  state_ = DhtState::bootstrapping;
  retry_delay_ = config_.bootstrap_retry;
  if (!bootstrap_lookup_) start_bootstrap(now);
}

void DhtNode::add_routers(std::span<const UdpEndpoint> routers, TimePoint now) {
  for (const UdpEndpoint& r : routers) {
    if (routers_.size() < config_.max_routers && std::find(routers_.begin(), routers_.end(), r) == routers_.end()) {
      routers_.push_back(r);
    }
  }
  if (state_ == DhtState::ready) return;
  state_ = DhtState::bootstrapping;
  retry_delay_ = config_.bootstrap_retry;
  if (!bootstrap_lookup_) start_bootstrap(now);
}

void DhtNode::start_bootstrap(TimePoint now) {
  bootstrap_retry_at_.reset();
  const LookupId id = next_lookup_++;
  bootstrap_lookup_ = id;
  start_lookup(id, Kind::bootstrap, id_, now);
}

DhtNode::LookupId DhtNode::get_peers(const NodeId& info_hash, TimePoint now) {
  return queue_lookup(info_hash, false, 0, false, now);
}

DhtNode::LookupId DhtNode::announce(const NodeId& info_hash, std::uint16_t port, bool implied_port,
                                    TimePoint now) {
  return queue_lookup(info_hash, true, port, implied_port, now);
}

DhtNode::LookupId DhtNode::queue_lookup(const NodeId& info_hash, bool announce, std::uint16_t port,
                                        bool implied_port, TimePoint now) {
  const LookupId id = next_lookup_++;
  if (queued_.size() >= config_.max_queued_lookups) {
    LookupDone done{id, info_hash};
    done.dropped = true;
    events_.emplace_back(done);
    return id;
  }
  queued_.push_back(QueuedLookup{id, info_hash, announce, port, implied_port});
  start_queued(now);
  return id;
}

void DhtNode::start_queued(TimePoint now) {
  while (state_ == DhtState::ready && !queued_.empty() && lookups_.size() < config_.max_active_lookups) {
    const QueuedLookup q = queued_.front();
    queued_.pop_front();
    start_lookup(q.id, q.announce ? Kind::announce : Kind::get_peers, q.info_hash, now, q.port,
                 q.implied_port);
  }
}

void DhtNode::start_lookup(LookupId id, Kind kind, const NodeId& target, TimePoint now, std::uint16_t port,
                           bool implied_port) {
  ActiveLookup active{kind, Lookup(target, id_, config_.lookup), port, implied_port, {}};
  for (const CompactNode& n : table_.closest(target, config_.lookup.k, now)) active.lookup.add_candidate(n);
  if (kind == Kind::bootstrap) {
    for (const CompactNode& n : known_) active.lookup.add_candidate(n);
    for (const UdpEndpoint& r : routers_) active.lookup.add_seed(r);
  }
  const auto it = lookups_.emplace(id, std::move(active)).first;
  // We are a node like the others: what was announced to us counts as found.
  if (kind == Kind::get_peers || kind == Kind::announce) {
    if (const auto stored = store_.peers(target, now, rng_); !stored.empty())
      report_peers(id, it->second, stored);
  }
  drive(id, now);
}

void DhtNode::drive(LookupId id, TimePoint now) {
  const auto it = lookups_.find(id);
  if (it == lookups_.end()) return;
  ActiveLookup& active = it->second;
  const std::size_t room = transactions_.full() ? 0 : config_.max_pending_queries - transactions_.size();
  for (const Lookup::Contact& c : active.lookup.next_queries(room)) {
    Query q;
    if (active.kind == Kind::get_peers || active.kind == Kind::announce) {
      q.method = Method::get_peers;
      q.info_hash = active.lookup.target();
    } else {
      q.method = Method::find_node;
      q.target = active.lookup.target();
    }
    if (!send_query(c.endpoint, c.id, q, id, now)) active.lookup.on_failure(c.endpoint);
  }
  if (active.lookup.done()) finish(it, now);
}

void DhtNode::finish(std::map<LookupId, ActiveLookup>::iterator it, TimePoint now) {
  const LookupId id = it->first;
  ActiveLookup& active = it->second;
  std::size_t announced = 0;
  if (active.kind == Kind::announce) {
    for (const Lookup::Contact& c : active.lookup.closest_answered()) {
      if (!c.token) continue;
      Query q{Method::announce_peer, {},      {}, active.lookup.target(), active.port,
              active.implied_port,   *c.token};
      if (send_query(c.endpoint, c.id, q, 0, now)) ++announced;
    }
  }
  if (active.kind == Kind::get_peers || active.kind == Kind::announce) {
    events_.emplace_back(LookupDone{id, active.lookup.target(), active.lookup.answered(), announced,
                                    active.peers.size(), false});
  }
  const bool was_bootstrap = active.kind == Kind::bootstrap;
  lookups_.erase(it);
  if (!was_bootstrap) return;
  bootstrap_lookup_.reset();
  if (table_nodes(now) > 0) {
    state_ = DhtState::ready;
    retry_delay_ = config_.bootstrap_retry;
    // Our own id's lookup filled the near buckets; without contacts farther out, lookups for
    // other parts of the id space would stall at the edge of our neighbourhood.
    for (const auto& far : table_.refresh_all(now, rng_)) {
      if (lookups_.size() >= config_.max_active_lookups) break;
      start_lookup(next_lookup_++, Kind::refresh, far.target, now);
    }
    start_queued(now);
  } else {
    bootstrap_retry_at_ = now + retry_delay_;
    retry_delay_ = std::min(retry_delay_ * 2, config_.bootstrap_retry_max);
  }
}

// ---- status ------------------------------------------------------------------------------

std::size_t DhtNode::table_nodes(TimePoint now) const {
  const auto counts = table_.counts(now);
  return counts.good + counts.questionable;
}

DhtStatus DhtNode::status(TimePoint now) const {
  const auto counts = table_.counts(now);
  DhtStatus s;
  s.state = state_;
  s.nodes = counts.good + counts.questionable;
  s.good_nodes = counts.good;
  s.cached_nodes = counts.cached;
  s.lookups = lookups_.size();
  s.queued_lookups = queued_.size();
  s.pending_queries = transactions_.size();
  s.stored_info_hashes = store_.info_hash_count();
  s.stored_peers = store_.peer_count();
  s.queries_answered = queries_answered_;
  s.queries_dropped = queries_dropped_;
  s.bad_datagrams = bad_datagrams_;
  return s;
}

std::vector<CompactNode> DhtNode::nodes_to_save(TimePoint now, std::size_t max) const {
  std::vector<CompactNode> good, questionable;
  for (const NodeEntry& n : table_.nodes()) {
    switch (node_state(n, now, config_.table)) {
      case NodeState::good:
        good.push_back({n.id, n.endpoint});
        break;
      case NodeState::questionable:
        questionable.push_back({n.id, n.endpoint});
        break;
      case NodeState::bad:
        break;
    }
  }
  good.insert(good.end(), questionable.begin(), questionable.end());
  if (good.size() > max) good.resize(max);
  return good;
}

}  // namespace tessera::dht
