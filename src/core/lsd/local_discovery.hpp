// Local Service Discovery (BEP 14) on the network thread: the thin Asio glue around the codec
// (lsd_message.hpp) and the schedule (announce_schedule.hpp). IPv4 only for now.
//
// Two UDP sockets per session. The receiving one is bound to 239.192.152.143:6771 with
// SO_REUSEADDR (other clients on this machine share the port) and joined to the group on the
// listen interface. The sending one is bound to the listen address, so that a datagram's source
// is where we accept connections: other clients take the peer's address from the source, never
// from a header. Multicast loopback is on, so clients on one machine (or on 127.0.0.x) hear each
// other; our own datagrams come back too and are known by our cookie.
//
// Nothing here throws: a failure (no multicast route, no permission, the port taken without
// SO_REUSEADDR) is a one-line status(), and the session carries on without LSD.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "hash/sha1.hpp"
#include "lsd/announce_schedule.hpp"

namespace tessera::lsd {

struct DiscoveryConfig {
  ScheduleConfig schedule;
  std::uint16_t group_port = 6771;  // tests may pick another to keep to themselves
};

struct DiscoveryCounters {
  std::uint64_t sent = 0;      // datagrams
  std::uint64_t received = 0;  // datagrams from others that parsed
  std::uint64_t own = 0;       // our own datagrams heard back
  std::uint64_t rejected = 0;  // datagrams that did not parse
};

class LocalDiscovery {
 public:
  // A peer announced one of the info-hashes it serves, at this TCP endpoint.
  using PeerHandler =
      std::function<void(const Sha1Digest& info_hash, const boost::asio::ip::tcp::endpoint& peer)>;

  LocalDiscovery(boost::asio::io_context& io, PeerHandler on_peer, DiscoveryConfig config = {});
  ~LocalDiscovery();
  LocalDiscovery(const LocalDiscovery&) = delete;
  LocalDiscovery& operator=(const LocalDiscovery&) = delete;

  // Opens both sockets for the session's listen address (0.0.0.0 for any interface) and TCP
  // port. False, with status() saying why, when LSD cannot run; calling it again retries.
  bool start(const boost::asio::ip::address& listen_address, std::uint16_t listen_port);
  // Asks for these torrents to be announced; the schedule decides when (each at most once per
  // 5 min, one datagram per second), so asking often is cheap. Ignored when not running.
  void announce(std::span<const Sha1Digest> info_hashes);
  // A torrent that stopped: no longer announced.
  void forget(const Sha1Digest& info_hash);
  // Closes the sockets; no handler is called after it returns.
  void stop();

  bool running() const;
  // Empty while all is well; otherwise one line for the user and the log.
  const std::string& status() const;
  const std::string& cookie() const;
  DiscoveryCounters counters() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace tessera::lsd
