// The DHT on a UDP socket: thin Boost.Asio glue around DhtNode. One IPv4 socket, a receive
// loop, the node's datagrams sent as it queues them, a tick timer, and the node file (our id
// and good nodes) saved through an executor for file work. Everything runs on the io_context's
// thread, and every handler the caller passes is posted to it — never called from inside the
// service. The session's PeerDiscovery owns one.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dht/dht_node.hpp"
#include "tessera/expected.hpp"

namespace tessera::dht {

struct DhtServiceOptions {
  UdpEndpoint bind{boost::asio::ip::address_v4::any(), 6881};  // IPv4; port 0 picks one
  std::vector<UdpEndpoint> routers;                            // resolved bootstrap routers
  std::filesystem::path node_file;  // our id and good nodes; empty: nothing kept across runs
  DhtNodeConfig node;
  std::chrono::milliseconds tick_interval{1000};
  std::chrono::seconds save_interval{10 * 60};
  std::uint64_t seed = 0;                 // 0: from std::random_device (tests fix it)
  std::size_t max_sends_in_flight = 512;  // datagrams handed to the socket, not yet sent
};

class DhtService : public std::enable_shared_from_this<DhtService> {
 public:
  using PeersHandler = std::function<void(const std::vector<TcpEndpoint>&)>;
  using DoneHandler = std::function<void(const DhtNode::LookupDone&)>;

  // Binds the socket, reads the node file (a few KiB, once at startup, as the session restores
  // its state inside Session::create), and bootstraps. A node file that cannot be read is
  // logged and ignored: we start with a new id. File writes run on `file_executor`, one at a
  // time.
  static expected<std::shared_ptr<DhtService>, std::string> create(boost::asio::io_context& io,
                                                                   boost::asio::any_io_executor file_executor,
                                                                   DhtServiceOptions options);
  DhtService(const DhtService&) = delete;
  DhtService& operator=(const DhtService&) = delete;
  ~DhtService();

  // `on_peers` runs for each batch of new peers, `on_done` once at the end. Either may be empty.
  void get_peers(const NodeId& info_hash, PeersHandler on_peers, DoneHandler on_done);
  // Port 0 announces with implied_port: the peers' port is the one our datagrams come from.
  void announce(const NodeId& info_hash, std::uint16_t port, PeersHandler on_peers, DoneHandler on_done);

  // Routers known only now (their names resolved after the start).
  void add_routers(const std::vector<UdpEndpoint>& routers);
  DhtStatus status() const;
  const NodeId& id() const { return node_.id(); }
  UdpEndpoint local_endpoint() const { return local_; }
  std::vector<CompactNode> nodes_to_save() const;

  // Writes the node file now (on the file executor).
  void save();
  // Stops the socket and the timer and saves the node file once more. Handlers of lookups still
  // running are dropped. Idempotent.
  void shutdown();

 private:
  struct Handlers {
    PeersHandler on_peers;
    DoneHandler on_done;
  };
  using Clock = std::chrono::steady_clock;

  DhtService(boost::asio::io_context& io, boost::asio::any_io_executor file_executor,
             DhtServiceOptions options, const NodeId& id, std::uint64_t seed);
  void start(const std::vector<CompactNode>& known);
  void receive();
  void schedule_tick();
  void flush();
  void dispatch_events();

  boost::asio::io_context& io_;
  boost::asio::strand<boost::asio::any_io_executor> files_;
  DhtServiceOptions options_;
  boost::asio::ip::udp::socket socket_;
  boost::asio::steady_timer timer_;
  UdpEndpoint local_;
  DhtNode node_;
  std::string receive_buffer_;
  UdpEndpoint sender_;
  std::size_t sends_in_flight_ = 0;
  Clock::time_point last_save_;
  std::map<DhtNode::LookupId, Handlers> handlers_;
  bool stopped_ = false;
};

}  // namespace tessera::dht
