#include "dht/lookup.hpp"

#include <algorithm>

namespace tessera::dht {
namespace {

bool usable(const UdpEndpoint& endpoint) {
  const auto& a = endpoint.address();
  return endpoint.port() != 0 && !a.is_unspecified() && !a.is_multicast();
}

}  // namespace

Lookup::Lookup(const NodeId& target, const NodeId& own_id, LookupConfig config)
    : target_(target), own_id_(own_id), config_(config) {}

void Lookup::add_seed(const UdpEndpoint& endpoint) {
  if (!usable(endpoint) || seeds_.size() >= config_.k) return;
  for (const Contact& s : seeds_) {
    if (s.endpoint == endpoint) return;
  }
  seeds_.push_back(Contact{std::nullopt, endpoint, Status::fresh, std::nullopt});
}

bool Lookup::add_candidate(const CompactNode& node) {
  if (node.id == own_id_ || !usable(node.endpoint)) return false;
  const auto same = [&](const Contact& c) {
    return c.id == node.id || c.endpoint.address() == node.endpoint.address();
  };
  if (std::any_of(candidates_.begin(), candidates_.end(), same)) return false;
  if (std::any_of(seeds_.begin(), seeds_.end(), same)) return false;
  if (candidates_.size() >= config_.max_candidates) {
    // Make room by dropping the farthest candidate not yet queried, if the newcomer is nearer.
    const auto farthest = std::find_if(candidates_.rbegin(), candidates_.rend(),
                                       [](const Contact& c) { return c.status == Status::fresh; });
    if (farthest == candidates_.rend() || !closer_to(target_, node.id, *farthest->id)) return false;
    candidates_.erase(std::next(farthest).base());
  }
  const auto at = std::find_if(candidates_.begin(), candidates_.end(),
                               [&](const Contact& c) { return closer_to(target_, node.id, *c.id); });
  candidates_.insert(at, Contact{node.id, node.endpoint, Status::fresh, std::nullopt});
  return true;
}

Lookup::Contact* Lookup::next_fresh() {
  for (Contact& s : seeds_) {
    if (s.status == Status::fresh) return &s;
  }
  std::size_t considered = 0;
  for (Contact& c : candidates_) {
    if (c.status == Status::failed) continue;
    if (++considered > config_.k) break;
    if (c.status == Status::fresh) return &c;
  }
  return nullptr;
}

std::vector<Lookup::Contact> Lookup::next_queries(std::size_t budget) {
  std::vector<Contact> out;
  while (out.size() < budget && in_flight_ < config_.parallel && queries_ < config_.max_queries) {
    Contact* next = next_fresh();
    if (!next) break;
    next->status = Status::in_flight;
    ++in_flight_;
    ++queries_;
    out.push_back(*next);
  }
  return out;
}

Lookup::Contact* Lookup::in_flight_at(const UdpEndpoint& endpoint) {
  for (auto* list : {&seeds_, &candidates_}) {
    for (Contact& c : *list) {
      if (c.status == Status::in_flight && c.endpoint == endpoint) return &c;
    }
  }
  return nullptr;
}

void Lookup::on_answer(const UdpEndpoint& from, const NodeId& id, std::span<const CompactNode> nodes,
                       const std::optional<std::string>& token) {
  Contact* contact = in_flight_at(from);
  if (!contact) return;
  --in_flight_;
  if (contact->id && *contact->id != id) {
    contact->status = Status::failed;
    return;
  }
  contact->status = Status::answered;
  contact->token = token;
  ++answered_;
  for (const CompactNode& n : nodes) add_candidate(n);
}

void Lookup::on_failure(const UdpEndpoint& from) {
  Contact* contact = in_flight_at(from);
  if (!contact) return;
  --in_flight_;
  contact->status = Status::failed;
}

bool Lookup::done() const {
  std::size_t considered = 0;
  bool all_answered = true;
  bool fresh_left =
      std::any_of(seeds_.begin(), seeds_.end(), [](const Contact& s) { return s.status == Status::fresh; });
  for (const Contact& c : candidates_) {
    if (c.status == Status::failed) continue;
    if (++considered > config_.k) break;
    if (c.status != Status::answered) all_answered = false;
    if (c.status == Status::fresh) fresh_left = true;
  }
  if (considered >= config_.k && all_answered) return true;
  if (in_flight_ > 0) return false;
  return queries_ >= config_.max_queries || !fresh_left;
}

std::vector<Lookup::Contact> Lookup::closest_answered() const {
  std::vector<Contact> out;
  for (const Contact& c : candidates_) {
    if (out.size() >= config_.k) break;
    if (c.status == Status::answered) out.push_back(c);
  }
  return out;
}

}  // namespace tessera::dht
