#include "lsd/local_discovery.hpp"

#include <array>
#include <boost/asio/ip/multicast.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <optional>
#include <random>

#include "log/logging.hpp"
#include "lsd/lsd_message.hpp"

namespace tessera::lsd {
namespace {

namespace asio = boost::asio;
namespace ip = asio::ip;
using boost::system::error_code;
using udp = ip::udp;

// 8 hex digits, different for every instance, so two sessions on one machine tell their
// datagrams apart.
std::string make_cookie() {
  std::random_device rd;
  std::uniform_int_distribution<std::uint32_t> dist;
  static constexpr char kDigits[] = "0123456789abcdef";
  std::uint32_t v = dist(rd);
  std::string out(8, '0');
  for (auto it = out.rbegin(); it != out.rend(); ++it, v >>= 4) *it = kDigits[v & 0xf];
  return out;
}

}  // namespace

// Shared with the socket and timer handlers, so a late handler finds it alive and stopped.
class LocalDiscovery::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, PeerHandler on_peer, DiscoveryConfig config)
      : on_peer_(std::move(on_peer)),
        config_(config),
        schedule_(config.schedule),
        receiver_(io),
        sender_(io),
        timer_(io),
        cookie_(make_cookie()) {}

  bool start(const ip::address& listen_address, std::uint16_t listen_port) {
    stop();
    status_.clear();
    const auto failed = [&](const std::string& what, const error_code& ec) {
      status_ = "local peer discovery off: " + what + ": " + ec.message();
      log::get("lsd")->warn("{}", status_);
      close_sockets();
      return false;
    };
    if (!listen_address.is_v4()) {
      status_ = "local peer discovery off: it runs over IPv4 only, and the listen address is " +
                listen_address.to_string();
      log::get("lsd")->warn("{}", status_);
      return false;
    }
    const ip::address_v4 local = listen_address.to_v4();
    error_code ec;
    group_ = udp::endpoint(ip::make_address_v4(kGroupAddress), config_.group_port);
    const std::string where = std::string(kGroupAddress) + ":" + std::to_string(config_.group_port);

    // Bound to the group address: only datagrams sent to the group arrive, not unicast ones.
    receiver_.open(udp::v4(), ec);
    if (ec) return failed("cannot open a UDP socket", ec);
    receiver_.set_option(udp::socket::reuse_address(true), ec);
    if (ec) return failed("cannot share port " + std::to_string(config_.group_port), ec);
    receiver_.bind(group_, ec);
    if (ec) return failed("cannot bind " + where, ec);
    const auto join = local.is_unspecified() ? ip::multicast::join_group(group_.address().to_v4())
                                             : ip::multicast::join_group(group_.address().to_v4(), local);
    receiver_.set_option(join, ec);
    if (ec) return failed("cannot join " + std::string(kGroupAddress) + " on " + local.to_string(), ec);

    sender_.open(udp::v4(), ec);
    if (ec) return failed("cannot open a UDP socket", ec);
    if (!local.is_unspecified()) {
      sender_.bind(udp::endpoint(local, 0), ec);
      if (ec) return failed("cannot bind " + local.to_string(), ec);
      sender_.set_option(ip::multicast::outbound_interface(local), ec);
      if (ec) return failed("cannot send multicast from " + local.to_string(), ec);
    }
    // On, so that other clients on this machine hear us; our own echo is known by the cookie.
    sender_.set_option(ip::multicast::enable_loopback(true), ec);
    if (ec) return failed("cannot enable multicast loopback", ec);

    listen_port_ = listen_port;
    running_ = true;
    receive();
    return true;
  }

  void stop() {
    running_ = false;
    close_sockets();
  }

  void announce(std::span<const Sha1Digest> hashes) {
    if (!running_) return;
    schedule_.request(hashes, std::chrono::steady_clock::now());
    pump();
  }

  void forget(const Sha1Digest& h) { schedule_.forget(h); }

  bool running() const { return running_; }
  const std::string& status() const { return status_; }
  const std::string& cookie() const { return cookie_; }
  DiscoveryCounters counters() const { return counters_; }

 private:
  void close_sockets() {
    error_code ignored;
    receiver_.close(ignored);
    sender_.close(ignored);
    timer_.cancel();
    ++generation_;  // handlers of the sockets just closed see they are stale
  }

  // Sends what the schedule allows now, then sleeps until it allows more.
  void pump() {
    if (!running_) return;
    const auto now = std::chrono::steady_clock::now();
    if (const auto hash = schedule_.next(now)) send(*hash);
    const auto wake = schedule_.wake_at();
    if (!wake) return;
    // Re-armed every time: a torrent asked for now must not wait behind a wake-up 5 min away.
    timer_.expires_at(*wake);
    timer_.async_wait([self = shared_from_this(), gen = generation_](const error_code& ec) {
      if (!ec && gen == self->generation_) self->pump();
    });
  }

  void send(const Sha1Digest& hash) {
    auto datagram =
        std::make_shared<std::string>(encode_announce(listen_port_, std::span(&hash, 1), cookie_));
    sender_.async_send_to(
        asio::buffer(*datagram), group_,
        [self = shared_from_this(), datagram, gen = generation_](const error_code& ec, std::size_t) {
          if (gen != self->generation_ || ec == asio::error::operation_aborted) return;
          if (ec) {
            self->status_ =
                "local peer discovery: cannot send to " + std::string(kGroupAddress) + ": " + ec.message();
            log::get("lsd")->warn("{}", self->status_);
            return;
          }
          self->status_.clear();
          ++self->counters_.sent;
        });
  }

  void receive() {
    receiver_.async_receive_from(
        asio::buffer(buffer_), source_,
        [self = shared_from_this(), gen = generation_](const error_code& ec, std::size_t n) {
          if (gen != self->generation_ || ec == asio::error::operation_aborted) return;
          if (!ec) self->on_datagram(std::string_view(self->buffer_.data(), n));
          if (gen == self->generation_) self->receive();
        });
  }

  void on_datagram(std::string_view datagram) {
    auto announce = parse_announce(datagram, cookie_);
    if (!announce) {
      if (announce.error().code == ParseError::Code::own_announce) {
        ++counters_.own;
      } else {
        ++counters_.rejected;
        log::get("lsd")->debug("from {}: {}", source_.address().to_string(), announce.error().message);
      }
      return;
    }
    ++counters_.received;
    const ip::tcp::endpoint peer(source_.address(), announce->port);
    const std::uint64_t gen = generation_;
    for (const Sha1Digest& h : announce->info_hashes) {
      if (gen != generation_) return;  // the handler stopped us
      on_peer_(h, peer);
    }
  }

  PeerHandler on_peer_;
  DiscoveryConfig config_;
  AnnounceSchedule schedule_;
  udp::socket receiver_;
  udp::socket sender_;
  asio::steady_timer timer_;
  std::uint64_t generation_ = 0;
  udp::endpoint group_;
  udp::endpoint source_;
  // Larger than kMaxDatagram, so that an oversized datagram is seen as such, not cut to fit.
  std::array<char, 2048> buffer_{};
  std::string cookie_;
  std::string status_;
  std::uint16_t listen_port_ = 0;
  bool running_ = false;
  DiscoveryCounters counters_;
};

LocalDiscovery::LocalDiscovery(asio::io_context& io, PeerHandler on_peer, DiscoveryConfig config)
    : impl_(std::make_shared<Impl>(io, std::move(on_peer), config)) {}

LocalDiscovery::~LocalDiscovery() {
  impl_->stop();
}

bool LocalDiscovery::start(const ip::address& listen_address, std::uint16_t listen_port) {
  return impl_->start(listen_address, listen_port);
}
void LocalDiscovery::announce(std::span<const Sha1Digest> info_hashes) {
  impl_->announce(info_hashes);
}
void LocalDiscovery::forget(const Sha1Digest& info_hash) {
  impl_->forget(info_hash);
}
void LocalDiscovery::stop() {
  impl_->stop();
}
bool LocalDiscovery::running() const {
  return impl_->running();
}
const std::string& LocalDiscovery::status() const {
  return impl_->status();
}
const std::string& LocalDiscovery::cookie() const {
  return impl_->cookie();
}
DiscoveryCounters LocalDiscovery::counters() const {
  return impl_->counters();
}

}  // namespace tessera::lsd
