// One torrent's trackers: the announcer's schedule (BEP 12 tiers, backoff) wired to the
// session's tracker client, scrapes for the swarm's size, and the trackers' part of the
// snapshot. Peers the trackers return go to the callback given; nothing else is known here.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tessera/status.hpp"
#include "tracker/announcer.hpp"
#include "tracker/tracker_client.hpp"

namespace tessera {

class TorrentTrackers : public std::enable_shared_from_this<TorrentTrackers> {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Peers = std::function<void(const std::vector<boost::asio::ip::tcp::endpoint>&)>;

  struct Identity {
    Sha1Digest info_hash;
    std::array<std::uint8_t, 20> peer_id{};
    std::uint16_t port = 0;
    std::uint32_t key = 0;
  };
  // What the announces report (payload bytes this session, bytes still missing).
  struct Totals {
    std::int64_t uploaded = 0, downloaded = 0, left = 0;
  };

  // `client` null or no tiers: there is nothing to announce to.
  TorrentTrackers(tracker::TrackerClient* client, std::vector<std::vector<std::string>> tiers, std::mt19937_64& rng,
                  Identity identity);
  bool active() const { return client_ != nullptr && announcer_.has_value(); }
  void on_peers(Peers peers) { on_peers_ = std::move(peers); }
  void detach() { on_peers_ = {}; }  // answers arriving later are dropped

  // Sends the announces due now; with `want_more_peers`, re-announces early (within each
  // tracker's min interval). Scrapes every few minutes for the swarm's size.
  void tick(TimePoint now, const Totals& totals, bool want_more_peers);
  void completed();  // the download finished: `completed` to every tier, at once
  // `stopped` to every tracker that got `started`; `done` once all have answered (at once if
  // none). `restart`: a later tick starts over with `started` (a pause, not the end).
  void stop(TimePoint now, const Totals& totals, bool restart, std::function<void()> done);

  void fill_status(TorrentStatus& s, TimePoint now) const;
  // For a stalled torrent: "2 of 2 trackers failing: <url>: <message>; ...", or how they stand.
  std::string summary() const;
  bool any_working() const;

 private:
  void send(const tracker::AnnounceJob& job, const Totals& totals, std::function<void()> after = {});
  void scrape(TimePoint now);

  tracker::TrackerClient* client_;
  std::vector<std::vector<std::string>> tiers_;
  std::mt19937_64& rng_;
  Identity identity_;
  std::optional<tracker::Announcer> announcer_;
  Peers on_peers_;
  TimePoint last_scrape_{};
  bool scrape_pending_ = false;
  std::optional<std::int64_t> scrape_seeds_, scrape_leechers_;
};

}  // namespace tessera
