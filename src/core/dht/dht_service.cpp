#include "dht/dht_service.hpp"

#include <openssl/rand.h>

#include <boost/asio/post.hpp>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>

#include "dht/saved_nodes.hpp"
#include "log/logging.hpp"
#include "tessera/atomic_file.hpp"

namespace tessera::dht {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

// Token secrets must not be guessable: they come from the system's CSPRNG.
AnnounceTokens::Secret random_secret() {
  AnnounceTokens::Secret secret{};
  if (RAND_bytes(secret.data(), static_cast<int>(secret.size())) != 1) {
    std::random_device device;
    for (auto& b : secret) b = static_cast<std::uint8_t>(device());
  }
  return secret;
}

std::optional<SavedNodes> read_node_file(const std::filesystem::path& path) {
  if (path.empty()) return std::nullopt;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size > kMaxSavedFile) {
    log::get("dht")->warn("ignoring DHT node file {}: {}", path.string(), ec ? ec.message() : "too large");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto saved = decode_saved_nodes(bytes);
  if (!saved) {
    log::get("dht")->warn("ignoring DHT node file {}: {}", path.string(), saved.error());
    return std::nullopt;
  }
  return *saved;
}

}  // namespace

expected<std::shared_ptr<DhtService>, std::string> DhtService::create(asio::io_context& io,
                                                                      asio::any_io_executor file_executor,
                                                                      DhtServiceOptions options) {
  if (!options.bind.address().is_v4()) return unexpected(std::string("the DHT binds an IPv4 address only"));
  const std::uint64_t seed = options.seed != 0 ? options.seed : std::random_device{}();
  const auto saved = read_node_file(options.node_file);
  NodeId id;
  if (saved && saved->id) {
    id = *saved->id;
  } else {
    std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ull);
    id = random_id_with_prefix(NodeId{}, 0, rng);  // a first start: a random id (BEP 42 not used)
  }
  std::shared_ptr<DhtService> service(
      new DhtService(io, std::move(file_executor), std::move(options), id, seed));
  error_code ec;
  service->socket_.open(asio::ip::udp::v4(), ec);
  if (!ec) service->socket_.bind(service->options_.bind, ec);
  if (!ec) service->local_ = service->socket_.local_endpoint(ec);
  if (ec) {
    std::ostringstream where;
    where << service->options_.bind;
    return unexpected("cannot bind the DHT socket to " + where.str() + ": " + ec.message());
  }
  std::vector<CompactNode> known;
  if (saved) {
    for (const CompactNode& n : saved->nodes) {
      if (n.endpoint.address().is_v4()) known.push_back(n);
    }
  }
  service->start(known);
  return service;
}

DhtService::DhtService(asio::io_context& io, asio::any_io_executor file_executor, DhtServiceOptions options,
                       const NodeId& id, std::uint64_t seed)
    : io_(io),
      files_(asio::make_strand(std::move(file_executor))),
      options_(std::move(options)),
      socket_(io),
      timer_(io),
      node_(id, Clock::now(), seed, random_secret, options_.node),
      receive_buffer_(kMaxDatagram + 1, '\0'),
      last_save_(Clock::now()) {}

DhtService::~DhtService() {
  error_code ignored;
  socket_.close(ignored);
}

void DhtService::start(const std::vector<CompactNode>& known) {
  log::get("dht")->info("DHT node {} on {}:{}, {} saved nodes, {} routers", node_.id().hex(),
                        local_.address().to_string(), local_.port(), known.size(), options_.routers.size());
  node_.bootstrap(options_.routers, known, Clock::now());
  flush();
  receive();
  schedule_tick();
}

void DhtService::add_routers(const std::vector<UdpEndpoint>& routers) {
  if (stopped_) return;
  node_.add_routers(routers, Clock::now());
  flush();
}

void DhtService::receive() {
  socket_.async_receive_from(asio::buffer(receive_buffer_), sender_,
                             [self = shared_from_this()](const error_code& ec, std::size_t n) {
                               if (self->stopped_ || ec == asio::error::operation_aborted) return;
                               // Other errors (an ICMP report about an earlier datagram) concern
                               // one datagram, not the socket.
                               if (!ec) {
                                 self->node_.on_datagram(self->sender_,
                                                         std::string_view(self->receive_buffer_.data(), n),
                                                         Clock::now());
                                 self->flush();
                                 self->dispatch_events();
                               }
                               self->receive();
                             });
}

void DhtService::schedule_tick() {
  timer_.expires_after(options_.tick_interval);
  timer_.async_wait([self = shared_from_this()](const error_code& ec) {
    if (self->stopped_ || ec) return;
    const auto now = Clock::now();
    self->node_.tick(now);
    self->flush();
    self->dispatch_events();
    if (now - self->last_save_ >= self->options_.save_interval) self->save();
    self->schedule_tick();
  });
}

void DhtService::flush() {
  for (auto& d : node_.take_datagrams()) {
    if (stopped_ || sends_in_flight_ >= options_.max_sends_in_flight)
      continue;  // UDP: a drop, as on the wire
    ++sends_in_flight_;
    auto bytes = std::make_shared<std::string>(std::move(d.bytes));
    socket_.async_send_to(
        asio::buffer(*bytes), d.to,
        [self = shared_from_this(), bytes](const error_code&, std::size_t) { --self->sends_in_flight_; });
  }
}

void DhtService::dispatch_events() {
  for (auto& event : node_.take_events()) {
    if (auto* found = std::get_if<DhtNode::PeersFound>(&event)) {
      const auto it = handlers_.find(found->lookup);
      if (it == handlers_.end() || !it->second.on_peers) continue;
      asio::post(io_, [handler = it->second.on_peers, peers = std::move(found->peers)] { handler(peers); });
    } else {
      const auto& done = std::get<DhtNode::LookupDone>(event);
      const auto it = handlers_.find(done.lookup);
      if (it == handlers_.end()) continue;
      if (it->second.on_done) asio::post(io_, [handler = it->second.on_done, done] { handler(done); });
      handlers_.erase(it);
    }
  }
}

void DhtService::get_peers(const NodeId& info_hash, PeersHandler on_peers, DoneHandler on_done) {
  if (stopped_) return;
  const auto id = node_.get_peers(info_hash, Clock::now());
  handlers_[id] = Handlers{std::move(on_peers), std::move(on_done)};
  flush();
  dispatch_events();
}

void DhtService::announce(const NodeId& info_hash, std::uint16_t port, PeersHandler on_peers,
                          DoneHandler on_done) {
  if (stopped_) return;
  const auto id = node_.announce(info_hash, port, port == 0, Clock::now());
  handlers_[id] = Handlers{std::move(on_peers), std::move(on_done)};
  flush();
  dispatch_events();
}

DhtStatus DhtService::status() const {
  return node_.status(Clock::now());
}

std::vector<CompactNode> DhtService::nodes_to_save() const {
  return node_.nodes_to_save(Clock::now());
}

void DhtService::save() {
  last_save_ = Clock::now();
  if (options_.node_file.empty()) return;
  auto bytes = encode_saved_nodes(SavedNodes{node_.id(), nodes_to_save()});
  asio::post(files_, [path = options_.node_file, bytes = std::move(bytes)] {
    if (auto written = write_file_atomically(path, bytes); !written) {
      log::get("dht")->warn("cannot save the DHT nodes: {}", written.error());
    }
  });
}

void DhtService::shutdown() {
  if (stopped_) return;
  save();
  stopped_ = true;
  handlers_.clear();
  error_code ignored;
  timer_.cancel();
  socket_.close(ignored);
}

}  // namespace tessera::dht
