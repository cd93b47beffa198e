// The session's ways of finding peers without a tracker: the DHT (BEP 5) and local service
// discovery (BEP 14). It decides when each torrent announces itself and looks for peers, and
// hands what it finds to the session. Private torrents (BEP 27) are never given to it.
// Lives on the network thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hash/sha1.hpp"
#include "tessera/settings.hpp"
#include "tessera/status.hpp"

namespace tessera {

namespace dht {
class DhtService;
}
namespace lsd {
class LocalDiscovery;
}

// What the session tells discovery about one public torrent, every tick.
struct DiscoveryTorrent {
  Sha1Digest info_hash;
  bool wants_peers = false;  // downloading (or fetching metadata) with few peers
};

class PeerDiscovery {
 public:
  using Clock = std::chrono::steady_clock;
  using Found = std::function<void(const Sha1Digest&, const boost::asio::ip::tcp::endpoint&, PeerSource)>;

  // `listen`: the session's listen address (unspecified: any) and TCP port, which the DHT's UDP
  // socket and LSD's announcements use too.
  PeerDiscovery(boost::asio::io_context& io, boost::asio::any_io_executor file_executor, const SessionSettings& settings,
                boost::asio::ip::address listen, std::uint16_t port, Found found);
  ~PeerDiscovery();
  PeerDiscovery(const PeerDiscovery&) = delete;
  PeerDiscovery& operator=(const PeerDiscovery&) = delete;

  void start();
  // Once a second: the running public torrents. Announces and lookups follow their schedule.
  void tick(Clock::time_point now, const std::vector<DiscoveryTorrent>& torrents);
  void shutdown();  // saves the DHT's nodes; nothing is reported afterwards
  void fill(SessionSnapshot& snap) const;

 private:
  struct Schedule {
    std::optional<Clock::time_point> announced, looked_up;
    bool in_flight = false;
  };
  void start_dht(std::vector<boost::asio::ip::udp::endpoint> routers);
  void resolve_routers();
  void dht_tick(Clock::time_point now, const std::vector<DiscoveryTorrent>& torrents);

  boost::asio::io_context& io_;
  boost::asio::any_io_executor files_;
  SessionSettings settings_;
  boost::asio::ip::address listen_;
  std::uint16_t port_;
  Found found_;
  std::shared_ptr<dht::DhtService> dht_;
  std::unique_ptr<lsd::LocalDiscovery> lsd_;
  std::string dht_problem_;
  std::map<Sha1Digest, Schedule> schedules_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for resolver callbacks
};

}  // namespace tessera
