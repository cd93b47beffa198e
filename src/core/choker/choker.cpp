#include "choker/choker.hpp"

#include <algorithm>
#include <cstddef>

namespace tessera {

std::string ChokeDecision::describe() const {
  switch (reason) {
    case ChokeReason::not_interested:
      return "not interested";
    case ChokeReason::rate_rank:
      return "rate rank " + std::to_string(rank);
    case ChokeReason::optimistic:
      return "optimistic";
    case ChokeReason::free_slot:
      return "free slot";
    case ChokeReason::snubbed:
      return "snubbed";
    case ChokeReason::waiting:
      return "waiting (rank " + std::to_string(rank) + ")";
  }
  return "unknown";
}

Choker::Choker(ChokerConfig config, std::uint64_t seed) : config_(config), rng_(seed) {}

bool Choker::is_snubbed(const ChokerPeer& p, Clock::time_point now, const ChokerConfig& config) {
  // Only a peer that could be sending (it unchokes us and we asked) can be blamed for not sending.
  return p.am_interested && !p.peer_choking && now - p.last_block_at >= config.snub_timeout;
}

bool Choker::due(Clock::time_point now) const {
  return !last_round_ || now - *last_round_ >= config_.rechoke_interval;
}

int Choker::slots(std::int64_t upload_cap) const {
  if (config_.rate_based_slots && upload_cap > 0 && config_.rate_per_slot > 0) {
    const std::int64_t n = upload_cap / config_.rate_per_slot;
    return static_cast<int>(std::clamp<std::int64_t>(n, kMinRateSlots, kMaxRateSlots));
  }
  return std::max(config_.regular_slots, 0);
}

std::vector<ChokeDecision> Choker::rechoke(std::span<const ChokerPeer> peers, bool seeding,
                                           Clock::time_point now, std::int64_t upload_cap) {
  last_round_ = now;
  last_upload_cap_ = upload_cap;
  const int slot_count = slots(upload_cap);

  struct Candidate {
    std::size_t index;
    std::int64_t rate;
    bool unchoked;
    std::uint64_t tie;  // random order among equals
  };
  std::vector<ChokeDecision> out(peers.size());
  std::vector<Candidate> ranked;
  ranked.reserve(peers.size());
  for (std::size_t i = 0; i < peers.size(); ++i) {
    const ChokerPeer& p = peers[i];
    out[i].key = p.key;
    if (!p.interested) continue;  // default decision: choked, not interested
    // While seeding we want nothing from anyone, so nobody can snub us.
    if (!seeding && is_snubbed(p, now, config_)) {
      out[i].reason = ChokeReason::snubbed;
      continue;
    }
    ranked.push_back({i, seeding ? p.up_rate : p.down_rate, !p.am_choking, rng_()});
  }
  // Among equal rates the peers already unchoked stay first, so equal peers are not flapped
  // between choked and unchoked every round.
  std::sort(ranked.begin(), ranked.end(), [](const Candidate& a, const Candidate& b) {
    if (a.rate != b.rate) return a.rate > b.rate;
    if (a.unchoked != b.unchoked) return a.unchoked;
    return a.tie < b.tie;
  });
  for (std::size_t r = 0; r < ranked.size(); ++r) {
    ChokeDecision& d = out[ranked[r].index];
    d.rank = static_cast<int>(r + 1);
    d.unchoke = d.rank <= slot_count;
    d.reason = d.unchoke ? ChokeReason::rate_rank : ChokeReason::waiting;
  }

  update_optimistic(peers, out, now);
  return out;
}

void Choker::update_optimistic(std::span<const ChokerPeer> peers, std::vector<ChokeDecision>& out,
                               Clock::time_point now) {
  // Eligible: interested and without a regular slot (snubbed peers included: the optimistic slot is
  // their way back).
  const auto eligible = [&](std::size_t i) {
    return out[i].reason == ChokeReason::waiting || out[i].reason == ChokeReason::snubbed;
  };
  std::optional<std::size_t> current;
  if (optimistic_) {
    for (std::size_t i = 0; i < peers.size(); ++i) {
      if (peers[i].key == *optimistic_ && eligible(i)) {
        current = i;
        break;
      }
    }
  }

  const bool keep = current && now - optimistic_since_ < config_.optimistic_interval;
  if (!keep) {
    std::vector<std::size_t> pool;
    for (std::size_t i = 0; i < peers.size(); ++i) {
      if (eligible(i) && i != current) pool.push_back(i);
    }
    // Rotating onto the same peer is only right when nobody else could have it.
    if (pool.empty() && current) pool.push_back(*current);
    if (pool.empty()) {
      optimistic_.reset();
      return;
    }
    current = pool[weighted_pick(peers, pool, now)];
    optimistic_ = peers[*current].key;
    optimistic_since_ = now;
  }

  ChokeDecision& d = out[*current];
  d.unchoke = true;
  d.reason = ChokeReason::optimistic;
  d.rank = 0;
}

std::size_t Choker::weighted_pick(std::span<const ChokerPeer> peers, const std::vector<std::size_t>& pool,
                                  Clock::time_point now) {
  // A weight below 1 would let a pool of only newcomers sum to zero; 1 means "no preference".
  const std::uint64_t newcomer = static_cast<std::uint64_t>(std::max(config_.newcomer_weight, 1));
  const auto weight = [&](std::size_t i) {
    return now - peers[i].connected_at < config_.newcomer_window ? newcomer : std::uint64_t{1};
  };
  std::uint64_t total = 0;
  for (const std::size_t i : pool) total += weight(i);
  // Raw engine output (not a distribution object) so the picks are the same with every standard library.
  std::uint64_t r = rng_() % total;
  for (std::size_t k = 0; k < pool.size(); ++k) {
    const std::uint64_t w = weight(pool[k]);
    if (r < w) return k;
    r -= w;
  }
  return pool.size() - 1;  // unreachable: r < total
}

std::optional<ChokeDecision> Choker::on_interested(std::span<const ChokerPeer> peers, PeerKey key,
                                                   Clock::time_point now) {
  const auto it = std::find_if(peers.begin(), peers.end(), [&](const ChokerPeer& p) { return p.key == key; });
  if (it == peers.end() || !it->am_choking) return std::nullopt;
  // A snubbed peer has to wait for a round (and the optimistic slot), like in a round.
  if (is_snubbed(*it, now, config_)) return std::nullopt;
  const auto used = std::count_if(peers.begin(), peers.end(), [&](const ChokerPeer& p) {
    return !p.am_choking && p.interested && p.key != optimistic_;
  });
  if (used >= slots(last_upload_cap_)) return std::nullopt;
  return ChokeDecision{key, true, ChokeReason::free_slot, 0};
}

void Choker::forget(PeerKey key) {
  if (optimistic_ == key) optimistic_.reset();
}

}  // namespace tessera
