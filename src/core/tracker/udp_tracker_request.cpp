#include <algorithm>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <sstream>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "log/logging.hpp"
#include "tracker/http_tracker_protocol.hpp"
#include "tracker/tracker_request.hpp"
#include "tracker/udp_tracker_protocol.hpp"

namespace tessera::tracker {

namespace asio = boost::asio;
using boost::system::error_code;
using udp_proto = boost::asio::ip::udp;

namespace {

// The BEP 15 exchange: connect (unless a fresh connection id is cached), then announce or scrape,
// each retransmitted on the 15 * 2^n schedule (scaled by udp_base_timeout; see udp::RetrySchedule).
class UdpOperation final : public TrackerClient::Operation {
 public:
  using Handler = UdpHandler;

  UdpOperation(std::shared_ptr<TrackerClient::Shared> shared, std::uint64_t id, std::string url,
               AnnounceParams params, Handler handler)
      : Operation(std::move(shared), id, std::move(url)),
        params_(params),
        handler_(std::move(handler)),
        schedule_{shared_->options.udp_base_timeout, shared_->options.udp_max_retries},
        resolver_(shared_->io),
        timer_(shared_->io),
        socket_(shared_->io),
        buffer_(65536) {}

  void start() override {
    auto parsed = parse_tracker_url(url_);
    if (!parsed) return fail_soon(parsed.error(), true);
    host_ = parsed->host;
    resolver_.async_resolve(
        parsed->host, std::to_string(parsed->port),
        [self = self_ptr()](const error_code& ec, udp_proto::resolver::results_type results) {
          if (self->done_) return;
          if (ec) return self->fail("cannot resolve " + self->host_ + ": " + describe_error(ec));
          self->open(results);
        });
  }

 private:
  enum class Phase : std::uint8_t { connect, request };

  std::shared_ptr<UdpOperation> self_ptr() {
    return std::static_pointer_cast<UdpOperation>(shared_from_this());
  }
  bool is_announce() const { return handler_.index() == 0; }

  void open(const udp_proto::resolver::results_type& results) {
    const auto& bind = shared_->options.bind_address;
    const auto it = std::find_if(results.begin(), results.end(), [&](const auto& entry) {
      return !bind || bind->is_v4() == entry.endpoint().address().is_v4();
    });
    if (it == results.end()) return fail("no address of " + host_ + " matches the bind address family");
    remote_ = it->endpoint();
    error_code ec;
    socket_.open(remote_.protocol(), ec);
    if (!ec && bind) socket_.bind(udp_proto::endpoint(*bind, 0), ec);
    // A connected UDP socket only hears from the tracker and learns of ICMP "port unreachable".
    if (!ec) socket_.connect(remote_, ec);
    if (ec) return fail("cannot open socket: " + describe_error(ec));
    std::ostringstream key;
    key << remote_;
    cache_key_ = key.str();
    receive();
    begin_request();
  }

  // Starts the request phase with a cached connection id, or connects first.
  void begin_request() {
    const auto it = shared_->udp_connections.find(cache_key_);
    const auto now = std::chrono::steady_clock::now();
    if (it != shared_->udp_connections.end() && now - it->second.obtained < udp::kConnectionIdLifetime) {
      connection_id_ = it->second.id;
      phase_ = Phase::request;
    } else {
      phase_ = Phase::connect;
    }
    attempt_ = 0;
    transaction_id_ = shared_->transaction_id();
    transmit();
  }

  void transmit() {
    if (phase_ == Phase::request) {
      // BEP 15: an expired connection id must be renewed before (re)sending.
      const auto it = shared_->udp_connections.find(cache_key_);
      if (it == shared_->udp_connections.end() ||
          std::chrono::steady_clock::now() - it->second.obtained >= udp::kConnectionIdLifetime) {
        phase_ = Phase::connect;
        transaction_id_ = shared_->transaction_id();
      }
    }
    if (phase_ == Phase::connect) {
      packet_ = udp::encode_connect_request(transaction_id_);
    } else if (is_announce()) {
      packet_ = udp::encode_announce_request(connection_id_, transaction_id_, params_);
    } else {
      const Sha1Digest hashes[] = {params_.info_hash};
      packet_ = udp::encode_scrape_request(connection_id_, transaction_id_, hashes);
    }
    socket_.async_send(asio::buffer(packet_), [self = self_ptr()](const error_code& ec, std::size_t) {
      if (self->done_ || !ec) return;
      self->fail("sending: " + describe_error(ec));
    });
    timer_.expires_after(schedule_.wait_after(attempt_));
    timer_.async_wait([self = self_ptr()](const error_code& ec) {
      if (ec || self->done_) return;
      if (!self->schedule_.sends(++self->attempt_)) return self->fail("timed out");
      log::get("tracker")->debug("{}: no answer, retransmitting (attempt {})", self->shown_url_,
                                 self->attempt_);
      self->transmit();
    });
  }

  void receive() {
    socket_.async_receive(asio::buffer(buffer_), [self = self_ptr()](const error_code& ec, std::size_t n) {
      if (self->done_) return;
      if (ec == asio::error::connection_refused) return self->fail("connection refused");
      if (ec) return self->fail("receiving: " + describe_error(ec));
      self->on_datagram(std::string_view(self->buffer_.data(), n));
    });
  }

  // Returns false when the datagram was not for us (keep listening).
  template <class T>
  bool check(const expected<T, udp::ParseError>& r) {
    if (r) return true;
    if (r.error().kind == udp::ParseError::Kind::foreign) return false;
    // The tracker may have forgotten our connection id (a restart): get a fresh one next time.
    if (phase_ == Phase::request) shared_->udp_connections.erase(cache_key_);
    fail(r.error().message);
    return false;
  }

  void on_datagram(std::string_view d) {
    if (phase_ == Phase::connect) {
      const auto r = udp::parse_connect_response(d, transaction_id_);
      if (check(r)) {
        connection_id_ = *r;
        shared_->udp_connections[cache_key_] = {connection_id_, std::chrono::steady_clock::now()};
        phase_ = Phase::request;
        attempt_ = 0;
        transaction_id_ = shared_->transaction_id();
        timer_.cancel();
        transmit();
      }
    } else if (is_announce()) {
      auto r = udp::parse_announce_response(d, transaction_id_, remote_.address().is_v6());
      if (check(r) && finish()) return std::get<0>(handler_)(std::move(*r));
    } else {
      auto r = udp::parse_scrape_response(d, transaction_id_, 1);
      if (check(r) && finish()) return std::get<1>(handler_)(r->front());
    }
    if (!done_) receive();
  }

  void stop_io() override {
    error_code ignored;
    timer_.cancel();
    resolver_.cancel();
    socket_.close(ignored);
  }
  void deliver_error(std::string error) override {
    if (!finish()) return;
    if (is_announce())
      std::get<0>(handler_)(unexpected(std::move(error)));
    else
      std::get<1>(handler_)(unexpected(std::move(error)));
  }

  AnnounceParams params_;
  Handler handler_;
  udp::RetrySchedule schedule_;
  udp_proto::resolver resolver_;
  asio::steady_timer timer_;
  udp_proto::socket socket_;
  udp_proto::endpoint remote_;
  std::string host_;
  std::string cache_key_;
  std::vector<char> buffer_;
  std::string packet_;
  Phase phase_ = Phase::connect;
  int attempt_ = 0;
  std::uint32_t transaction_id_ = 0;
  std::uint64_t connection_id_ = 0;
};

}  // namespace

std::shared_ptr<TrackerClient::Operation> make_udp_request(std::shared_ptr<TrackerClient::Shared> shared,
                                                           std::uint64_t id, std::string url,
                                                           AnnounceParams params, UdpHandler handler) {
  return std::make_shared<UdpOperation>(std::move(shared), id, std::move(url), params, std::move(handler));
}

}  // namespace tessera::tracker
