#include "session/peer_discovery.hpp"

#include <boost/asio/ip/udp.hpp>

#include "dht/dht_service.hpp"
#include "log/logging.hpp"
#include "lsd/local_discovery.hpp"
#include "tessera/host_port.hpp"

namespace tessera {
namespace {

using udp = boost::asio::ip::udp;
using namespace std::chrono_literals;

// Between announces, a torrent short of peers looks again at most this often.
constexpr auto kLookupInterval = 5min;

std::shared_ptr<spdlog::logger> discovery_log() {
  static auto logger = log::get("dht");
  return logger;
}

}  // namespace

PeerDiscovery::PeerDiscovery(boost::asio::io_context& io, boost::asio::any_io_executor file_executor,
                             const SessionSettings& settings, boost::asio::ip::address listen, std::uint16_t port,
                             Found found)
    : io_(io), files_(std::move(file_executor)), settings_(settings), listen_(listen), port_(port), found_(std::move(found)) {}

PeerDiscovery::~PeerDiscovery() { shutdown(); }

void PeerDiscovery::start() {
  if (settings_.enable_lsd) {
    lsd_ = std::make_unique<lsd::LocalDiscovery>(
        io_, [this](const Sha1Digest& hash, const boost::asio::ip::tcp::endpoint& peer) {
          found_(hash, peer, PeerSource::lsd);
        });
    if (!lsd_->start(listen_, port_)) discovery_log()->warn("local peer discovery off: {}", lsd_->status());
  }
  if (!settings_.enable_dht) return;
  if (!listen_.is_v4() && !listen_.is_unspecified()) {
    dht_problem_ = "the DHT runs over IPv4 only for now; the listen address is IPv6";
    return;
  }
  // Numeric routers at once; names are resolved on the side and join when they answer. On a
  // loopback listen address only loopback routers are used, and no name is looked up: nothing
  // may leave the machine.
  std::vector<udp::endpoint> routers;
  for (const std::string& text : settings_.dht_bootstrap_nodes) {
    auto hp = parse_host_port(text);
    if (!hp || hp->port == 0) {
      discovery_log()->warn("DHT bootstrap node '{}' ignored: not HOST:PORT", text);
      continue;
    }
    boost::system::error_code ec;
    const auto addr = boost::asio::ip::make_address(hp->host, ec);
    if (!ec) {
      if (addr.is_v4() && (!listen_.is_loopback() || addr.is_loopback())) routers.emplace_back(addr, hp->port);
    }
  }
  start_dht(std::move(routers));
  if (dht_ && !listen_.is_loopback()) resolve_routers();
}

void PeerDiscovery::start_dht(std::vector<udp::endpoint> routers) {
  dht::DhtServiceOptions options;
  options.bind = udp::endpoint(listen_.is_unspecified() ? boost::asio::ip::address(boost::asio::ip::address_v4::any())
                                                        : listen_,
                               port_);
  options.routers = std::move(routers);
  if (!settings_.state_dir.empty()) options.node_file = std::filesystem::path(settings_.state_dir) / "dht-nodes.dat";
  options.seed = settings_.random_seed;
  auto service = dht::DhtService::create(io_, files_, std::move(options));
  if (!service) {
    dht_problem_ = service.error();
    discovery_log()->warn("DHT off: {}", dht_problem_);
    return;
  }
  dht_ = std::move(*service);
}

void PeerDiscovery::resolve_routers() {
  for (const std::string& text : settings_.dht_bootstrap_nodes) {
    auto hp = parse_host_port(text);
    if (!hp || hp->port == 0) continue;
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(hp->host, ec);
    if (!ec) continue;  // numeric: already given
    auto resolver = std::make_shared<udp::resolver>(io_);
    resolver->async_resolve(udp::v4(), hp->host, std::to_string(hp->port),
                            [this, resolver, alive = alive_, text](const boost::system::error_code& e,
                                                                   const udp::resolver::results_type& results) {
                              if (!*alive || !dht_) return;
                              if (e) {
                                discovery_log()->info("DHT router {} not resolved: {}", text, e.message());
                                return;
                              }
                              std::vector<udp::endpoint> found;
                              for (const auto& r : results) found.push_back(r.endpoint());
                              dht_->add_routers(found);
                            });
  }
}

void PeerDiscovery::tick(Clock::time_point now, const std::vector<DiscoveryTorrent>& torrents) {
  if (lsd_ && lsd_->running()) {
    std::vector<Sha1Digest> hashes;
    for (const DiscoveryTorrent& t : torrents) hashes.push_back(t.info_hash);
    lsd_->announce(hashes);  // the schedule keeps each to once per 5 minutes
  }
  if (dht_) dht_tick(now, torrents);
}

// A torrent announces when it starts and then every dht_announce_interval (an announce looks
// up peers too); in between, one short of peers looks again every few minutes.
void PeerDiscovery::dht_tick(Clock::time_point now, const std::vector<DiscoveryTorrent>& torrents) {
  std::map<Sha1Digest, Schedule> next;
  for (const DiscoveryTorrent& t : torrents) {
    Schedule s = schedules_.contains(t.info_hash) ? schedules_[t.info_hash] : Schedule{};
    if (!s.in_flight) {
      const bool announce = !s.announced || now - *s.announced >= settings_.dht_announce_interval;
      const bool look = t.wants_peers && (!s.looked_up || now - *s.looked_up >= kLookupInterval);
      if (announce || look) {
        s.in_flight = true;
        s.looked_up = now;
        if (announce) s.announced = now;
        const auto node_id = *dht::NodeId::from_bytes(t.info_hash.view());
        auto on_peers = [this, alive = alive_, hash = t.info_hash](const std::vector<dht::TcpEndpoint>& peers) {
          if (!*alive) return;
          for (const auto& ep : peers) found_(hash, ep, PeerSource::dht);
        };
        auto on_done = [this, alive = alive_, hash = t.info_hash](const dht::DhtNode::LookupDone&) {
          if (!*alive) return;
          if (auto it = schedules_.find(hash); it != schedules_.end()) it->second.in_flight = false;
        };
        if (announce) {
          dht_->announce(node_id, port_, std::move(on_peers), std::move(on_done));
        } else {
          dht_->get_peers(node_id, std::move(on_peers), std::move(on_done));
        }
      }
    }
    next[t.info_hash] = s;
  }
  schedules_ = std::move(next);  // torrents gone or stopped start over when they come back
}

void PeerDiscovery::shutdown() {
  *alive_ = false;
  if (dht_) dht_->shutdown();
  if (lsd_) lsd_->stop();
}

void PeerDiscovery::fill(SessionSnapshot& snap) const {
  if (dht_) {
    const dht::DhtStatus st = dht_->status();
    switch (st.state) {
      case dht::DhtState::off: snap.dht_state = DhtState::off; break;
      case dht::DhtState::bootstrapping: snap.dht_state = DhtState::bootstrapping; break;
      case dht::DhtState::ready: snap.dht_state = DhtState::ready; break;
    }
    snap.dht_nodes = static_cast<int>(st.nodes);
  }
  snap.dht_problem = dht_problem_;
  if (lsd_) snap.lsd_problem = lsd_->status();
}

}  // namespace tessera
