#include "tracker/announcer.hpp"

#include <algorithm>
#include <random>
#include <set>
#include <utility>

namespace tessera::tracker {

Announcer::Announcer(std::vector<std::vector<std::string>> tiers, std::uint64_t seed,
                     AnnouncerOptions options)
    : options_(options) {
  std::set<std::string, std::less<>> seen;
  std::mt19937_64 rng(seed);
  for (auto& urls : tiers) {
    Tier tier;
    for (auto& url : urls) {
      if (url.empty() || !seen.insert(url).second) continue;
      Tracker t;
      t.status.url = std::move(url);
      t.status.tier = tiers_.size();
      tier.order.push_back(trackers_.size());
      trackers_.push_back(std::move(t));
    }
    if (tier.order.empty()) continue;
    // Fisher-Yates by hand: std::shuffle's sequence is not specified by the standard.
    for (std::size_t i = tier.order.size() - 1; i > 0; --i) {
      std::swap(tier.order[i], tier.order[rng() % (i + 1)]);
    }
    tiers_.push_back(std::move(tier));
  }
}

Event Announcer::event_for(const Tier& tier, const Tracker& t) const {
  if (!t.started_sent) return Event::started;
  if (tier.completed_pending) return Event::completed;
  return Event::none;
}

std::vector<AnnounceJob> Announcer::due(Clock::time_point now) {
  std::vector<AnnounceJob> jobs;
  if (stopped_) return jobs;
  for (auto& tier : tiers_) {
    if (tier.in_flight || tier.next > now) continue;
    const auto pick = std::find_if(tier.order.begin(), tier.order.end(),
                                   [&](std::size_t i) { return trackers_[i].retry_at <= now; });
    if (pick == tier.order.end()) continue;  // all in backoff; next_wakeup() knows when that ends
    Tracker& t = trackers_[*pick];
    const Event event = event_for(tier, t);
    t.status.state = TrackerStatus::State::announcing;
    t.status.next_announce.reset();
    tier.in_flight = *pick;
    jobs.push_back({*pick, t.status.url, event});
  }
  return jobs;
}

void Announcer::schedule_after_failure(Tier& tier, Clock::time_point now) {
  // The tier moves on to the next tracker not in backoff, or waits for the first to leave it.
  Clock::time_point earliest = Clock::time_point::max();
  for (const std::size_t i : tier.order) earliest = std::min(earliest, trackers_[i].retry_at);
  tier.next = std::max(earliest, now);
}

void Announcer::on_result(const AnnounceJob& job, const expected<AnnounceResult, std::string>& result,
                          Clock::time_point now) {
  if (job.tracker >= trackers_.size()) return;
  Tracker& t = trackers_[job.tracker];
  Tier& tier = tiers_[t.status.tier];
  using State = TrackerStatus::State;

  if (job.event == Event::stopped) {
    t.started_sent = false;
    t.status.next_announce.reset();
    if (result) {
      t.status.state = State::idle;
      t.status.last_announce = now;
    } else {
      t.status.state = State::error;
      t.status.message = result.error();
    }
    return;
  }
  if (tier.in_flight != job.tracker) return;  // not the answer we are waiting for
  tier.in_flight.reset();

  if (result) {
    t.status.state = stopped_ ? State::idle : State::working;
    t.status.message.clear();
    t.status.warning = result->warning;
    t.status.seeders = result->seeders;
    t.status.leechers = result->leechers;
    t.status.peers_received += result->peers.size();
    t.status.last_announce = now;
    t.failures = 0;
    t.retry_at = {};
    t.min_interval = result->min_interval;
    if (job.event == Event::started) t.started_sent = true;
    if (job.event == Event::completed) tier.completed_pending = false;
    // BEP 12: a tracker that answers moves to the front of its tier.
    const auto pos = std::find(tier.order.begin(), tier.order.end(), job.tracker);
    std::rotate(tier.order.begin(), pos, pos + 1);
    // A completion that happened while this announce was in flight goes out at once.
    tier.next = tier.completed_pending ? now : now + result->interval;
  } else {
    t.status.state = stopped_ ? State::idle : State::error;
    t.status.message = result.error();
    t.failures = std::min(t.failures + 1, 30);
    auto backoff = options_.first_retry;
    for (int i = 1; i < t.failures && backoff < options_.max_retry; ++i) backoff *= 2;
    t.retry_at = now + std::min(backoff, options_.max_retry);
    schedule_after_failure(tier, now);
  }
  if (stopped_) {
    t.status.next_announce.reset();
    return;
  }
  t.status.next_announce = result ? tier.next : t.retry_at;
}

void Announcer::set_completed() {
  for (auto& tier : tiers_) {
    tier.completed_pending = true;
    tier.next = Clock::time_point{};  // at once; backoff is still honoured by due()
  }
}

std::vector<AnnounceJob> Announcer::stop(Clock::time_point now) {
  (void)now;
  std::vector<AnnounceJob> jobs;
  if (stopped_) return jobs;
  stopped_ = true;
  for (std::size_t i = 0; i < trackers_.size(); ++i) {
    Tracker& t = trackers_[i];
    const Tier& tier = tiers_[t.status.tier];
    // A `started` still in flight may have reached the tracker: tell it too.
    const bool maybe_started = tier.in_flight == i && !t.started_sent;
    t.status.next_announce.reset();
    if (t.started_sent || maybe_started) {
      t.status.state = TrackerStatus::State::announcing;
      jobs.push_back({i, t.status.url, Event::stopped});
    } else if (t.status.state != TrackerStatus::State::error) {
      t.status.state = TrackerStatus::State::idle;
    }
  }
  return jobs;
}

void Announcer::want_more_peers(Clock::time_point now) {
  if (stopped_) return;
  for (auto& tier : tiers_) {
    if (tier.in_flight || tier.order.empty()) continue;
    Tracker& front = trackers_[tier.order.front()];
    // Only a working tracker is asked early; a failing tier keeps its backoff.
    if (front.status.state != TrackerStatus::State::working || !front.status.last_announce) continue;
    const auto min_gap =
        front.min_interval > std::chrono::seconds(0) ? front.min_interval : options_.default_min_interval;
    const auto earliest = std::max(now, *front.status.last_announce + min_gap);
    if (earliest < tier.next) {
      tier.next = earliest;
      front.status.next_announce = earliest;
    }
  }
}

std::optional<Clock::time_point> Announcer::next_wakeup() const {
  if (stopped_) return std::nullopt;
  std::optional<Clock::time_point> wake;
  for (const auto& tier : tiers_) {
    if (tier.in_flight) continue;
    Clock::time_point available = Clock::time_point::max();
    for (const std::size_t i : tier.order) available = std::min(available, trackers_[i].retry_at);
    const auto when = std::max(tier.next, available);
    if (!wake || when < *wake) wake = when;
  }
  return wake;
}

std::vector<TrackerStatus> Announcer::status() const {
  std::vector<TrackerStatus> out;
  out.reserve(trackers_.size());
  for (const auto& t : trackers_) out.push_back(t.status);
  if (!stopped_) {
    // A tier not yet used shows when it announces first.
    for (const auto& tier : tiers_) {
      if (tier.in_flight) continue;
      const bool fresh = std::all_of(tier.order.begin(), tier.order.end(), [&](std::size_t i) {
        return out[i].state == TrackerStatus::State::idle && !out[i].last_announce;
      });
      // Only the one the tier will try first.
      if (fresh) out[tier.order.front()].next_announce = tier.next;
    }
  }
  return out;
}

}  // namespace tessera::tracker
