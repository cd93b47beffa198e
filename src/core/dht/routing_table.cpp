#include "dht/routing_table.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace tessera::dht {

NodeState node_state(const NodeEntry& node, TimePoint now, const RoutingTableConfig& config) {
  if (node.failed_queries >= config.max_failures) return NodeState::bad;
  if (node.failed_queries > 0) return NodeState::questionable;
  const bool ever_answered = node.last_response != TimePoint{};
  const bool answered_lately = ever_answered && now - node.last_response < config.good_for;
  const bool queried_lately = node.last_query != TimePoint{} && now - node.last_query < config.good_for;
  return answered_lately || (ever_answered && queried_lately) ? NodeState::good : NodeState::questionable;
}

RoutingTable::RoutingTable(const NodeId& own_id, TimePoint now, RoutingTableConfig config)
    : own_id_(own_id), config_(config) {
  buckets_.push_back(Bucket{{}, {}, now});
}

std::size_t RoutingTable::bucket_index(const NodeId& id) const {
  return std::min(static_cast<std::size_t>(common_prefix_bits(own_id_, id)), buckets_.size() - 1);
}

NodeId RoutingTable::range_prefix(std::size_t bucket) const {
  NodeId prefix = own_id_;
  // Bucket i before the last differs from our id exactly at bit i.
  if (bucket + 1 < buckets_.size()) prefix.flip_bit(static_cast<int>(bucket));
  return prefix;
}

int RoutingTable::range_bits(std::size_t bucket) const {
  return static_cast<int>(bucket + 1 < buckets_.size() ? bucket + 1 : bucket);
}

std::optional<RoutingTable::Slot> RoutingTable::locate(const NodeId& id) const {
  const std::size_t b = bucket_index(id);
  const Bucket& bucket = buckets_[b];
  for (std::size_t i = 0; i < bucket.live.size(); ++i) {
    if (bucket.live[i].id == id) return Slot{b, false, i};
  }
  for (std::size_t i = 0; i < bucket.cache.size(); ++i) {
    if (bucket.cache[i].id == id) return Slot{b, true, i};
  }
  return std::nullopt;
}

void RoutingTable::erase(const Slot& s) {
  auto& list = s.cached ? buckets_[s.bucket].cache : buckets_[s.bucket].live;
  addresses_.erase(list[s.index].endpoint.address());
  list.erase(list.begin() + static_cast<std::ptrdiff_t>(s.index));
}

bool RoutingTable::address_taken(const UdpEndpoint& endpoint) const {
  return addresses_.contains(endpoint.address());
}

std::optional<NodeEntry> RoutingTable::find(const NodeId& id) const {
  const auto slot = locate(id);
  if (!slot) return std::nullopt;
  const Bucket& b = buckets_[slot->bucket];
  return (slot->cached ? b.cache : b.live)[slot->index];
}

RoutingTable::Update RoutingTable::on_response(const NodeId& id, const UdpEndpoint& endpoint, TimePoint now) {
  if (id == own_id_) return {Outcome::ignored_self, {}};
  if (const auto holder = addresses_.find(endpoint.address());
      holder != addresses_.end() && holder->second != id) {
    const auto slot = locate(holder->second);
    // The same endpoint answering with a new id is a restarted node: the old entry is stale.
    // Another port of the address is another node, refused while the first one is kept.
    if (!slot || at(*slot).endpoint != endpoint) return {Outcome::ignored_address, {}};
    const std::size_t b = slot->bucket;
    const bool was_live = !slot->cached;
    erase(*slot);
    if (was_live) promote_from_cache(buckets_[b], now);
  }
  if (const auto slot = locate(id)) {
    NodeEntry& known = at(*slot);
    // An id answering from another address does not move: that is how a table gets poisoned.
    if (known.endpoint.address() != endpoint.address()) return {Outcome::ignored_id_moved, {}};
    known.endpoint = endpoint;  // the port may change behind a NAT; the answer proves this one
    known.last_response = now;
    known.failed_queries = 0;
    known.ping_named.reset();
    Bucket& bucket = buckets_[slot->bucket];
    if (!slot->cached) {
      bucket.last_changed = now;
      return {Outcome::updated, {}};
    }
    // A cached node that answered may take a free or bad slot.
    NodeEntry entry = known;
    erase(*slot);
    const Update placed = insert_verified(std::move(entry), now);
    return {placed.outcome == Outcome::cached ? Outcome::updated : placed.outcome, placed.ping};
  }
  NodeEntry entry;
  entry.id = id;
  entry.endpoint = endpoint;
  entry.last_response = now;
  return insert_verified(std::move(entry), now);
}

RoutingTable::Update RoutingTable::on_query(const NodeId& id, const UdpEndpoint& endpoint, TimePoint now) {
  if (id == own_id_) return {Outcome::ignored_self, {}};
  if (const auto slot = locate(id)) {
    NodeEntry& known = at(*slot);
    if (known.endpoint.address() != endpoint.address()) return {Outcome::ignored_id_moved, {}};
    // An unverified query may not move the node to another port; it still shows it is alive.
    if (known.endpoint == endpoint) known.last_query = now;
    return {Outcome::updated, {}};
  }
  if (address_taken(endpoint)) return {Outcome::ignored_address, {}};
  const std::size_t b = bucket_index(id);
  const Bucket& bucket = buckets_[b];
  const bool room = bucket.live.size() < config_.bucket_size || split_helps(b, id) ||
                    std::any_of(bucket.live.begin(), bucket.live.end(), [&](const NodeEntry& n) {
                      return node_state(n, now, config_) != NodeState::good;
                    });
  if (!room) return {Outcome::ignored_full, {}};
  return {Outcome::verify_first, CompactNode{id, endpoint}};
}

std::optional<CompactNode> RoutingTable::on_timeout(const NodeId& id, const UdpEndpoint& endpoint,
                                                    TimePoint now) {
  const auto slot = locate(id);
  if (!slot) return std::nullopt;
  NodeEntry& node = at(*slot);
  if (node.endpoint != endpoint) return std::nullopt;
  ++node.failed_queries;
  node.ping_named.reset();
  Bucket& bucket = buckets_[slot->bucket];
  if (slot->cached) {
    if (node.failed_queries >= config_.max_failures) erase(*slot);
    return std::nullopt;
  }
  // A node that ignored a query is no longer good: a cached node that answered us replaces it
  // at once (what the ping of a questionable node is for). Without one it stays until bad.
  if (bucket.cache.empty()) return std::nullopt;
  erase(*slot);
  promote_from_cache(bucket, now);
  const NodeEntry& promoted = bucket.live.back();
  return CompactNode{promoted.id, promoted.endpoint};
}

RoutingTable::Update RoutingTable::insert_verified(NodeEntry entry, TimePoint now) {
  // A split moves the nearer half of the last bucket out; repeat while the newcomer's bucket is
  // still the last, full one (bounded: at most 160 buckets).
  for (;;) {
    if (address_taken(entry.endpoint)) return {Outcome::ignored_address, {}};
    const std::size_t b = bucket_index(entry.id);
    Bucket& bucket = buckets_[b];
    if (bucket.live.size() < config_.bucket_size) {
      addresses_.emplace(entry.endpoint.address(), entry.id);
      bucket.live.push_back(std::move(entry));
      bucket.last_changed = now;
      return {Outcome::added, {}};
    }
    const auto bad = std::find_if(bucket.live.begin(), bucket.live.end(), [&](const NodeEntry& n) {
      return node_state(n, now, config_) == NodeState::bad;
    });
    if (bad != bucket.live.end()) {
      addresses_.erase(bad->endpoint.address());
      addresses_.emplace(entry.endpoint.address(), entry.id);
      *bad = std::move(entry);
      bucket.last_changed = now;
      return {Outcome::added, {}};
    }
    if (split_helps(b, entry.id)) {
      split_last(now);
      continue;
    }
    add_to_cache(bucket, std::move(entry));
    return {Outcome::cached, name_ping(bucket, now)};
  }
}

void RoutingTable::add_to_cache(Bucket& bucket, NodeEntry entry) {
  if (bucket.cache.size() >= config_.replacement_cache_size) {
    const auto stalest = std::min_element(
        bucket.cache.begin(), bucket.cache.end(),
        [](const NodeEntry& a, const NodeEntry& b) { return a.last_seen() < b.last_seen(); });
    addresses_.erase(stalest->endpoint.address());
    bucket.cache.erase(stalest);
  }
  addresses_.emplace(entry.endpoint.address(), entry.id);
  bucket.cache.push_back(std::move(entry));
}

bool RoutingTable::promote_from_cache(Bucket& bucket, TimePoint now) {
  if (bucket.cache.empty() || bucket.live.size() >= config_.bucket_size) return false;
  const auto freshest = std::max_element(
      bucket.cache.begin(), bucket.cache.end(),
      [](const NodeEntry& a, const NodeEntry& b) { return a.last_response < b.last_response; });
  bucket.live.push_back(std::move(*freshest));
  bucket.cache.erase(freshest);
  bucket.last_changed = now;
  return true;
}

bool RoutingTable::split_helps(std::size_t b, const NodeId& newcomer) const {
  if (b + 1 != buckets_.size() || buckets_.size() >= static_cast<std::size_t>(kNodeIdBits)) return false;
  // Useful only if something would move to the new bucket: otherwise it stays empty.
  const auto nearer = [&](const NodeId& id) {
    return static_cast<std::size_t>(common_prefix_bits(own_id_, id)) > b;
  };
  return nearer(newcomer) || std::any_of(buckets_[b].live.begin(), buckets_[b].live.end(),
                                         [&](const NodeEntry& n) { return nearer(n.id); });
}

void RoutingTable::split_last(TimePoint now) {
  const std::size_t b = buckets_.size() - 1;
  buckets_.push_back(Bucket{{}, {}, now});
  Bucket& far = buckets_[b];
  Bucket& near = buckets_.back();
  const auto moves = [&](const NodeEntry& n) {
    return static_cast<std::size_t>(common_prefix_bits(own_id_, n.id)) > b;
  };
  for (auto* lists : {&far.live, &far.cache}) {
    auto& target = lists == &far.live ? near.live : near.cache;
    const auto split_at =
        std::stable_partition(lists->begin(), lists->end(), [&](const NodeEntry& n) { return !moves(n); });
    std::move(split_at, lists->end(), std::back_inserter(target));
    lists->erase(split_at, lists->end());
  }
  far.last_changed = now;
  while (promote_from_cache(far, now)) {
  }
  while (promote_from_cache(near, now)) {
  }
}

std::optional<CompactNode> RoutingTable::name_ping(Bucket& bucket, TimePoint now) {
  NodeEntry* stalest = nullptr;
  for (NodeEntry& n : bucket.live) {
    if (node_state(n, now, config_) != NodeState::questionable) continue;
    if (n.ping_named && now - *n.ping_named < config_.ping_pending_for) continue;
    if (!stalest || n.last_seen() < stalest->last_seen()) stalest = &n;
  }
  if (!stalest) return std::nullopt;
  stalest->ping_named = now;
  return CompactNode{stalest->id, stalest->endpoint};
}

std::vector<CompactNode> RoutingTable::closest(const NodeId& target, std::size_t count, TimePoint now) const {
  std::vector<const NodeEntry*> candidates;
  for (const Bucket& bucket : buckets_) {
    for (const NodeEntry& n : bucket.live) {
      if (node_state(n, now, config_) != NodeState::bad) candidates.push_back(&n);
    }
  }
  const std::size_t n = std::min(count, candidates.size());
  std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(n), candidates.end(),
                    [&](const NodeEntry* a, const NodeEntry* b) { return closer_to(target, a->id, b->id); });
  std::vector<CompactNode> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.push_back({candidates[i]->id, candidates[i]->endpoint});
  return out;
}

std::vector<NodeEntry> RoutingTable::nodes() const {
  std::vector<NodeEntry> out;
  for (const Bucket& bucket : buckets_) out.insert(out.end(), bucket.live.begin(), bucket.live.end());
  return out;
}

RoutingTable::Counts RoutingTable::counts(TimePoint now) const {
  Counts c;
  c.buckets = buckets_.size();
  for (const Bucket& bucket : buckets_) {
    c.cached += bucket.cache.size();
    for (const NodeEntry& n : bucket.live) {
      switch (node_state(n, now, config_)) {
        case NodeState::good:
          ++c.good;
          break;
        case NodeState::questionable:
          ++c.questionable;
          break;
        case NodeState::bad:
          ++c.bad;
          break;
      }
    }
  }
  return c;
}

}  // namespace tessera::dht
