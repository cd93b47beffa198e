#include "session/torrent_trackers.hpp"

#include "log/logging.hpp"

namespace tessera {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<spdlog::logger> tracker_log() {
  static auto logger = log::get("torrent");
  return logger;
}

}  // namespace

TorrentTrackers::TorrentTrackers(tracker::TrackerClient* client, std::vector<std::vector<std::string>> tiers,
                                 std::mt19937_64& rng, Identity identity)
    : client_(client), tiers_(std::move(tiers)), rng_(rng), identity_(identity) {
  if (client_ != nullptr && !tiers_.empty()) announcer_.emplace(tiers_, rng_());
}

void TorrentTrackers::send(const tracker::AnnounceJob& job, const Totals& totals, std::function<void()> after) {
  tracker::AnnounceParams params;
  params.info_hash = identity_.info_hash;
  params.peer_id = identity_.peer_id;
  params.port = identity_.port;
  params.uploaded = totals.uploaded;
  params.downloaded = totals.downloaded;
  params.left = totals.left;
  params.event = job.event;
  params.numwant = job.event == tracker::Event::stopped ? 0 : 200;
  params.key = identity_.key;
  client_->announce(job.url, params,
                    [self = shared_from_this(), job, after = std::move(after)](expected<tracker::AnnounceResult, std::string> r) {
                      if (self->announcer_) self->announcer_->on_result(job, r, std::chrono::steady_clock::now());
                      if (!r) tracker_log()->info("{}", r.error());
                      if (r && self->on_peers_) self->on_peers_(r->peers);
                      if (after) after();
                    });
}

void TorrentTrackers::tick(TimePoint now, const Totals& totals, bool want_more_peers) {
  if (!active()) return;
  if (want_more_peers) announcer_->want_more_peers(now);
  for (const auto& job : announcer_->due(now)) send(job, totals);
  scrape(now);
}

void TorrentTrackers::completed() {
  if (active()) announcer_->set_completed();
}

void TorrentTrackers::stop(TimePoint now, const Totals& totals, bool restart, std::function<void()> done) {
  if (!active()) {
    done();
    return;
  }
  auto jobs = announcer_->stop(now);
  if (restart) announcer_.emplace(tiers_, rng_());  // a fresh `started` when resumed
  if (jobs.empty()) {
    done();
    return;
  }
  auto remaining = std::make_shared<std::size_t>(jobs.size());
  auto finish = std::make_shared<std::function<void()>>(std::move(done));
  for (const auto& job : jobs) {
    send(job, totals, [remaining, finish] {
      if (--*remaining == 0) (*finish)();
    });
  }
}

void TorrentTrackers::scrape(TimePoint now) {
  if (scrape_pending_ || now - last_scrape_ < 5min) return;
  last_scrape_ = now;
  scrape_pending_ = true;
  client_->scrape(tiers_.front().front(), identity_.info_hash,
                  [self = shared_from_this()](expected<tracker::ScrapeResult, std::string> r) {
                    self->scrape_pending_ = false;
                    if (r) {
                      self->scrape_seeds_ = r->seeders;
                      self->scrape_leechers_ = r->leechers;
                    }
                  });
}

void TorrentTrackers::fill_status(TorrentStatus& s, TimePoint now) const {
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
}

bool TorrentTrackers::any_working() const {
  if (!announcer_) return false;
  for (const auto& t : announcer_->status()) {
    if (t.state == tracker::TrackerStatus::State::working) return true;
  }
  return false;
}

std::string TorrentTrackers::summary() const {
  if (client_ == nullptr) return "trackers are switched off";
  if (!announcer_) return "the torrent lists no trackers";
  const auto all = announcer_->status();
  std::size_t failing = 0;
  std::string failures;
  for (const auto& t : all) {
    if (t.state != tracker::TrackerStatus::State::error) continue;
    ++failing;
    // The message names its tracker already ("tracker <url>: <what>").
    if (failing <= 3) failures += (failures.empty() ? "" : "; ") + t.message;
  }
  if (failing > 0) {
    return std::to_string(failing) + " of " + std::to_string(all.size()) + " trackers failing: " + failures;
  }
  if (any_working()) return "the trackers know no other peers";
  return "waiting for the trackers to answer";
}

}  // namespace tessera
