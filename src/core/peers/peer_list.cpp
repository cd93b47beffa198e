#include "peers/peer_list.hpp"

#include <algorithm>

namespace tessera {
namespace {

constexpr std::size_t kMaxSelfAliases = 16;

}  // namespace

std::string PeerList::endpoint_text(const Endpoint& ep) {
  const auto a = ep.address();
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(ep.port());
}

PeerList::PeerList(PeerListConfig config) : config_(std::move(config)) {}

bool PeerList::valid_peer_address(const Endpoint& ep) {
  if (ep.port() == 0) return false;
  const Address a = ep.address();
  if (a.is_unspecified() || a.is_multicast()) return false;
  if (a.is_v4()) {
    const auto v4 = a.to_v4().to_uint();
    if (v4 == 0xffffffffu) return false;     // limited broadcast
    if ((v4 >> 24) == 0) return false;        // 0.0.0.0/8: "this network", never a peer
    if ((v4 >> 28) == 0xf) return false;      // 240.0.0.0/4: reserved
  } else if (a.to_v6().is_v4_mapped()) {
    return valid_peer_address(Endpoint(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6()),
                                       ep.port()));
  }
  return true;
}

bool PeerList::is_self(const Endpoint& ep) const {
  if (self_aliases_.contains(ep)) return true;
  if (!self_) return false;
  if (ep == *self_) return true;
  return self_->address().is_unspecified() && ep.port() == self_->port() && ep.address().is_loopback();
}

PeerList::AddResult PeerList::add(const Endpoint& ep, PeerSource source, TimePoint now) {
  if (!valid_peer_address(ep)) return AddResult::invalid;
  if (is_self(ep)) return AddResult::self;
  if (banned_.contains(ep.address())) return AddResult::banned;
  if (entries_.contains(ep)) return AddResult::known;
  AddressInfo& info = addresses_[ep.address()];
  if (info.entries >= config_.max_ports_per_address || (entries_.size() >= config_.max_size && !make_room())) {
    if (info.entries == 0 && info.connections == 0) addresses_.erase(ep.address());
    return AddResult::full;
  }
  ++info.entries;
  Entry& e = entries_[ep];
  e.source = source;
  e.seq = next_seq_++;
  e.not_before = now;
  ++by_source_[static_cast<std::size_t>(source)];
  queue(ep, e, now);
  return AddResult::added;
}

void PeerList::queue(const Endpoint& ep, Entry& e, TimePoint now) {
  e.state = State::idle;
  if (!e.dialable) return;
  if (e.not_before <= now) {
    ready_.insert(ready_key(ep, e));
  } else {
    backing_off_.emplace(e.not_before, e.seq, ep);
  }
}

void PeerList::unqueue(const Endpoint& ep, const Entry& e) {
  ready_.erase(ready_key(ep, e));
  backing_off_.erase(WaitKey{e.not_before, e.seq, ep});
}

void PeerList::erase(std::map<Endpoint, Entry>::iterator it) {
  const Endpoint ep = it->first;
  unqueue(ep, it->second);
  --by_source_[static_cast<std::size_t>(it->second.source)];
  auto a = addresses_.find(ep.address());
  if (a != addresses_.end() && --a->second.entries == 0 && a->second.connections == 0) addresses_.erase(a);
  entries_.erase(it);
}

// A full list forgets a peer that failed before it refuses a new one: the worst-ranked ready
// candidate that has failed, else the one waiting longest for its next attempt. Peers the user
// gave are never forgotten (they are few; the search skips at most a handful).
bool PeerList::make_room() {
  constexpr int kMaxSkipped = 64;
  int skipped = 0;
  for (auto it = ready_.rbegin(); it != ready_.rend() && std::get<1>(*it) > 0 && skipped < kMaxSkipped; ++it, ++skipped) {
    auto e = entries_.find(std::get<3>(*it));
    if (e->second.source == PeerSource::manual) continue;
    erase(e);
    return true;
  }
  skipped = 0;
  for (auto it = backing_off_.rbegin(); it != backing_off_.rend() && skipped < kMaxSkipped; ++it, ++skipped) {
    auto e = entries_.find(std::get<2>(*it));
    if (e->second.source == PeerSource::manual) continue;
    erase(e);
    return true;
  }
  return false;
}

std::optional<PeerList::Endpoint> PeerList::next_to_dial(TimePoint now) {
  while (!backing_off_.empty() && std::get<0>(*backing_off_.begin()) <= now) {
    const Endpoint ep = std::get<2>(*backing_off_.begin());
    backing_off_.erase(backing_off_.begin());
    ready_.insert(ready_key(ep, entries_.at(ep)));
  }
  for (auto it = ready_.begin(); it != ready_.end(); ++it) {
    const Endpoint ep = std::get<3>(*it);
    AddressInfo& info = addresses_.at(ep.address());
    if (info.connections >= config_.max_per_address) continue;  // one of its ports is in use
    ready_.erase(it);
    Entry& e = entries_.at(ep);
    e.state = State::connecting;
    ++info.connections;
    ++connecting_count_;
    return ep;
  }
  return std::nullopt;
}

void PeerList::dial_failed(const Endpoint& ep, TimePoint now) {
  auto it = entries_.find(ep);
  if (it == entries_.end() || it->second.state != State::connecting) return;
  Entry& e = it->second;
  --connecting_count_;
  --addresses_.at(ep.address()).connections;
  ++failures_in_a_row_;
  ++e.failures;
  if (forget_after_failure(e)) {
    erase(it);
    return;
  }
  e.not_before = now + retry_after_failure(e);
  queue(ep, e, now);
}

int PeerList::rank(PeerSource s) {
  switch (s) {
    case PeerSource::manual: return 0;
    case PeerSource::magnet: return 1;
    case PeerSource::lsd: return 2;
    case PeerSource::tracker: return 3;
    case PeerSource::pex: return 4;
    case PeerSource::dht: return 5;
    case PeerSource::incoming: return 6;
  }
  return 7;
}

std::chrono::seconds PeerList::retry_after_failure(const Entry& e) const {
  return config_.retry_base * (1 << std::clamp(e.failures - 1, 0, 6));  // 5 s ... 5 min 20 s
}

bool PeerList::forget_after_failure(const Entry& e) const {
  return e.source != PeerSource::manual && e.failures >= config_.max_failures;
}

PeerList::Admit PeerList::admit(const Endpoint& ep, bool incoming, TimePoint now) {
  if (banned_.contains(ep.address())) return Admit::banned;
  auto it = entries_.find(ep);
  if (!incoming && it != entries_.end() && it->second.state == State::connecting) {
    // Its failure count is settled when it departs: a peer that takes us and drops us at once
    // has not succeeded.
    it->second.state = State::connected;
    --connecting_count_;
    ++connected_count_;
    failures_in_a_row_ = 0;
    return Admit::ok;
  }
  AddressInfo& info = addresses_[ep.address()];
  if (info.connections >= config_.max_per_address) {
    if (info.entries == 0 && info.connections == 0) addresses_.erase(ep.address());
    return Admit::address_busy;
  }
  if (it == entries_.end()) {
    // Bounded by the connection limits rather than the list's size.
    it = entries_.emplace(ep, Entry{}).first;
    it->second.source = incoming ? PeerSource::incoming : PeerSource::manual;
    it->second.dialable = !incoming;
    it->second.seq = next_seq_++;
    ++info.entries;
    ++by_source_[static_cast<std::size_t>(it->second.source)];
  } else {
    if (it->second.state != State::idle) return Admit::address_busy;  // already connected there
    unqueue(ep, it->second);
  }
  it->second.state = State::connected;
  it->second.not_before = now;
  ++info.connections;
  ++connected_count_;
  return Admit::ok;
}

void PeerList::departed(const Endpoint& ep, const Departure& why, TimePoint now) {
  auto it = entries_.find(ep);
  if (it == entries_.end() || it->second.state == State::idle) return;
  Entry& e = it->second;
  if (e.state == State::connecting) {
    --connecting_count_;
  } else {
    --connected_count_;
  }
  --addresses_.at(ep.address()).connections;
  remember(ep, e.source, why, now);
  const auto backoff = [&](std::chrono::seconds wait) {
    e.not_before = now + wait;
    if (!e.dialable || banned_.contains(ep.address())) {
      erase(it);
    } else {
      queue(ep, e, now);
    }
  };
  switch (why.reason) {
    case DepartureReason::corrupt_data:
      ban(ep.address());
      erase(it);
      return;
    case DepartureReason::protocol_violation: {
      // Not banned (others may share its address behind a NAT), but dialled again only after
      // a long wait that doubles with each violation from that address.
      if (strikes_.size() >= config_.max_banned) strikes_.clear();
      const int strikes = std::min(++strikes_[ep.address()], 8);
      backoff(std::min(config_.retry_after_violation * (1 << (strikes - 1)), std::chrono::seconds(24 * 3600)));
      return;
    }
    case DepartureReason::closed_by_peer:
    case DepartureReason::timed_out:
      // A connection that moved nothing counts as a failed attempt: a peer that takes us and
      // drops us at once (full, or refusing us) is not dialled every few seconds forever.
      if (why.reason == DepartureReason::timed_out || why.downloaded + why.uploaded == 0) {
        ++e.failures;
        if (forget_after_failure(e)) {
          erase(it);
          return;
        }
        backoff(retry_after_failure(e));
        return;
      }
      e.failures = 0;
      backoff(config_.retry_after_close);
      return;
    case DepartureReason::pruned: backoff(config_.retry_after_prune); return;
    case DepartureReason::duplicate: backoff(config_.retry_after_prune); return;
    case DepartureReason::not_useful: backoff(config_.retry_after_not_useful); return;
    case DepartureReason::stopped: backoff(std::chrono::seconds(0)); return;
  }
}

void PeerList::is_us(const Endpoint& ep) {
  auto it = entries_.find(ep);
  if (it != entries_.end()) {
    if (it->second.state == State::connecting) {
      --connecting_count_;
      --addresses_.at(ep.address()).connections;
    } else if (it->second.state == State::connected) {
      --connected_count_;
      --addresses_.at(ep.address()).connections;
    }
    erase(it);
  }
  if (self_aliases_.size() < kMaxSelfAliases) self_aliases_.insert(ep);
}

void PeerList::learned_listen_port(const Endpoint& remote, std::uint16_t port, TimePoint now) {
  auto it = entries_.find(remote);
  const PeerSource source = it != entries_.end() ? it->second.source : PeerSource::incoming;
  add(Endpoint(remote.address(), port), source, now);
}

void PeerList::ban(const Address& address) {
  if (banned_.insert(address).second) {
    ban_order_.push_back(address);
    if (ban_order_.size() > config_.max_banned) {
      banned_.erase(ban_order_.front());
      ban_order_.pop_front();
    }
  }
  // Its idle entries go; connected ones stay counted until they depart.
  for (auto it = entries_.lower_bound(Endpoint(address, 0)); it != entries_.end() && it->first.address() == address;) {
    if (it->second.state == State::idle) {
      erase(it++);
    } else {
      ++it;
    }
  }
}

PeerSource PeerList::source_of(const Endpoint& ep) const {
  auto it = entries_.find(ep);
  return it == entries_.end() ? PeerSource::incoming : it->second.source;
}

void PeerList::remember(const Endpoint& ep, PeerSource source, const Departure& why, TimePoint now) {
  DepartedPeer d;
  d.address = endpoint_text(ep);
  d.client = why.client;
  d.source = source;
  d.reason = why.reason;
  d.detail = why.detail;
  d.downloaded = why.downloaded;
  d.uploaded = why.uploaded;
  departed_.push_front(Gone{std::move(d), now});
  while (departed_.size() > config_.max_departed) departed_.pop_back();
}

std::vector<std::pair<PeerList::Endpoint, PeerSource>> PeerList::dialable() const {
  std::vector<std::pair<Endpoint, PeerSource>> out;
  for (const auto& [ep, e] : entries_) {
    if (e.dialable) out.emplace_back(ep, e.source);
  }
  return out;
}

std::vector<DepartedPeer> PeerList::departed_peers(TimePoint now) const {
  std::vector<DepartedPeer> out;
  out.reserve(departed_.size());
  for (const Gone& g : departed_) {
    out.push_back(g.peer);
    out.back().seconds_ago = std::chrono::duration_cast<std::chrono::seconds>(now - g.at).count();
  }
  return out;
}

}  // namespace tessera
