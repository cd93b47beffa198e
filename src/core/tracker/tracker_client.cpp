#include "tracker/tracker_client.hpp"

#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <random>
#include <span>
#include <sstream>
#include <utility>
#include <variant>
#include <vector>

#include "log/logging.hpp"
#include "tracker/http_tracker_protocol.hpp"
#include "tracker/udp_tracker_protocol.hpp"

namespace tessera::tracker {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace http = boost::beast::http;
using boost::system::error_code;
using tcp = boost::asio::ip::tcp;
using udp_proto = boost::asio::ip::udp;

struct TrackerClient::Shared {
  Shared(asio::io_context& io_, TrackerClientOptions options_)
      : io(io_), options(std::move(options_)), rng(std::random_device{}()) {}

  // Created on first HTTPS use; nullptr with `tls_error` set if the CA setup failed.
  ssl::context* tls_context() {
    if (tls || !tls_error.empty()) return tls.get();
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
    error_code ec;
    ctx->set_default_verify_paths(ec);
    if (ec) log::get("tracker")->warn("no system CA store: {}", ec.message());
    if (!options.ca_file.empty()) {
      ctx->load_verify_file(options.ca_file, ec);
      if (ec) {
        tls_error = "cannot load CA file " + options.ca_file + ": " + ec.message();
        return nullptr;
      }
    }
    ctx->set_verify_mode(ssl::verify_peer);
    tls = std::move(ctx);
    return tls.get();
  }

  std::uint32_t transaction_id() { return static_cast<std::uint32_t>(rng()); }

  asio::io_context& io;
  TrackerClientOptions options;
  std::unique_ptr<ssl::context> tls;
  std::string tls_error;
  std::map<std::uint64_t, std::shared_ptr<Operation>> ops;
  std::uint64_t next_op = 0;
  struct ConnectionId {
    std::uint64_t id;
    std::chrono::steady_clock::time_point obtained;
  };
  std::map<std::string, ConnectionId> udp_connections;  // by tracker endpoint
  std::map<std::string, std::string> tracker_ids;       // by announce URL
  std::mt19937 rng;
};

namespace {

std::string describe(const error_code& ec) {
  if (ec == asio::error::connection_refused) return "connection refused";
  if (ec == asio::error::host_not_found || ec == asio::error::host_not_found_try_again)
    return "host not found";
  if (ec == asio::error::network_unreachable) return "network unreachable";
  if (ec == asio::error::connection_reset) return "connection reset";
  return one_line(ec.message());
}

// Parser errors become "tracker <url>: <detail>"; a failure reason keeps just the reason.
std::string with_url(const std::string& shown_url, const std::string& error) {
  constexpr std::string_view prefix = "tracker: ";
  const std::string_view detail =
      std::string_view(error).starts_with(prefix) ? std::string_view(error).substr(prefix.size()) : error;
  return "tracker " + shown_url + ": " + std::string(detail);
}

}  // namespace

// One request in flight. finish() is the exactly-once gate: it deregisters the operation and
// stops its I/O; callbacks still queued in Asio find it finished and do nothing.
class TrackerClient::Operation : public std::enable_shared_from_this<Operation> {
 public:
  virtual ~Operation() = default;
  virtual void start() = 0;
  void cancel() { deliver_error("cancelled"); }

 protected:
  Operation(std::shared_ptr<Shared> shared, std::uint64_t id, std::string url)
      : shared_(std::move(shared)), id_(id), url_(std::move(url)), shown_url_(url_for_messages(url_)) {}

  bool finish() {
    if (done_) return false;
    done_ = true;
    stop_io();
    // Erasing may drop the last owner other than the caller's `self`; callers hold one.
    shared_->ops.erase(id_);
    return true;
  }
  void fail(const std::string& what) {
    log::get("tracker")->debug("{}: {}", shown_url_, what);
    deliver_error(with_url(shown_url_, what));
  }
  // Fails from a fresh call stack, so a handler never runs inside announce()/scrape().
  // `complete` errors already name the URL (parse_tracker_url's).
  void fail_soon(std::string what, bool complete = false) {
    asio::post(shared_->io, [self = shared_from_this(), what = std::move(what), complete] {
      if (complete)
        self->deliver_error(what);
      else
        self->fail(what);
    });
  }
  virtual void stop_io() = 0;
  virtual void deliver_error(std::string error) = 0;

  std::shared_ptr<Shared> shared_;  // keeps the TLS context alive while sockets use it
  std::uint64_t id_;
  std::string url_;
  std::string shown_url_;
  bool done_ = false;
};

namespace {

using BodyHandler = std::function<void(expected<std::string, std::string>)>;

// GET over HTTP or HTTPS with redirects, a whole-request deadline and a body cap.
class HttpOperation final : public TrackerClient::Operation {
 public:
  HttpOperation(std::shared_ptr<TrackerClient::Shared> shared, std::uint64_t id, std::string url,
                BodyHandler handler)
      : Operation(std::move(shared), id, std::move(url)),
        handler_(std::move(handler)),
        resolver_(shared_->io),
        deadline_(shared_->io),
        socket_(shared_->io) {}

  void start() override {
    deadline_.expires_after(shared_->options.http_timeout);
    deadline_.async_wait([self = self_ptr()](const error_code& ec) {
      if (ec || self->done_) return;
      self->fail("timed out after " + std::to_string(self->shared_->options.http_timeout.count()) + " ms");
    });
    attempt(url_);
  }

 private:
  std::shared_ptr<HttpOperation> self_ptr() {
    return std::static_pointer_cast<HttpOperation>(shared_from_this());
  }

  void attempt(const std::string& url) {
    auto parsed = parse_tracker_url(url);
    if (!parsed || parsed->scheme == "udp") {
      if (parsed)
        fail_soon("redirected to a UDP URL");
      else
        fail_soon(parsed.error(), true);
      return;
    }
    target_ = std::move(*parsed);
    current_url_ = url;
    close_streams();
    if (target_.scheme == "https") {
      ssl::context* ctx = shared_->tls_context();
      if (!ctx) {
        fail_soon(shared_->tls_error);
        return;
      }
      tls_.emplace(shared_->io, *ctx);
    }
    resolver_.async_resolve(
        target_.host, std::to_string(target_.port),
        [self = self_ptr()](const error_code& ec, tcp::resolver::results_type results) {
          if (self->done_) return;
          if (ec) return self->fail("cannot resolve " + self->target_.host + ": " + describe(ec));
          self->endpoints_.clear();
          const auto& bind = self->shared_->options.bind_address;
          for (const auto& entry : results) {
            const auto ep = entry.endpoint();
            if (!bind || bind->is_v4() == ep.address().is_v4()) self->endpoints_.push_back(ep);
          }
          if (self->endpoints_.empty()) {
            return self->fail("no address of " + self->target_.host + " matches the bind address family");
          }
          self->connect(0, {});
        });
  }

  tcp::socket& lowest() { return tls_ ? tls_->next_layer() : socket_; }

  void close_streams() {
    error_code ignored;
    socket_.close(ignored);
    if (tls_) tls_->next_layer().close(ignored);
    tls_.reset();
    buffer_.clear();
  }

  void connect(std::size_t index, error_code last) {
    if (index >= endpoints_.size()) return fail(describe(last));
    tcp::socket& s = lowest();
    error_code ec;
    s.close(ec);
    s.open(endpoints_[index].protocol(), ec);
    if (!ec && shared_->options.bind_address) s.bind(tcp::endpoint(*shared_->options.bind_address, 0), ec);
    if (ec) return fail("cannot open socket: " + describe(ec));
    s.async_connect(endpoints_[index], [self = self_ptr(), index](const error_code& cec) {
      if (self->done_) return;
      if (cec) return self->connect(index + 1, cec);
      if (self->tls_) return self->handshake();
      self->send(self->socket_);
    });
  }

  void handshake() {
    SSL* native = tls_->native_handle();
    error_code ec;
    asio::ip::make_address(target_.host, ec);
    if (ec) {
      // SNI carries host names only, never address literals (RFC 6066).
      // SSL_set_tlsext_host_name() is a macro with a C cast; this is what it expands to.
      SSL_ctrl(native, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(target_.host.c_str()));
    }
    tls_->set_verify_mode(ssl::verify_peer);
    tls_->set_verify_callback(ssl::host_name_verification(target_.host));
    tls_->async_handshake(ssl::stream_base::client, [self = self_ptr()](const error_code& hec) {
      if (self->done_) return;
      if (hec) return self->fail("TLS handshake failed: " + describe(hec));
      self->send(*self->tls_);
    });
  }

  template <class Stream>
  void send(Stream& stream) {
    request_ = {};
    request_.method(http::verb::get);
    request_.target(target_.target);
    request_.version(11);
    const bool default_port = (target_.scheme == "http" && target_.port == 80) ||
                              (target_.scheme == "https" && target_.port == 443);
    std::string host = target_.host.find(':') != std::string::npos ? "[" + target_.host + "]" : target_.host;
    if (!default_port) host += ":" + std::to_string(target_.port);
    request_.set(http::field::host, host);
    request_.set(http::field::user_agent, shared_->options.user_agent);
    request_.set(http::field::accept_encoding, "identity");  // we do not inflate
    request_.set(http::field::connection, "close");
    http::async_write(stream, request_, [self = self_ptr(), &stream](const error_code& ec, std::size_t) {
      if (self->done_) return;
      if (ec) return self->fail("sending request: " + describe(ec));
      self->receive(stream);
    });
  }

  template <class Stream>
  void receive(Stream& stream) {
    parser_.emplace();
    parser_->body_limit(shared_->options.max_body);
    // Beast 1.74 misses the body limit for a Content-Length body that arrives in the same read
    // as the header, so the header is read first and its length checked here.
    http::async_read_header(
        stream, buffer_, *parser_, [self = self_ptr(), &stream](error_code ec, std::size_t) {
          if (self->done_) return;
          if (!ec) {
            const auto length = self->parser_->content_length();
            if (length && *length > self->shared_->options.max_body) ec = http::error::body_limit;
          }
          if (ec) return self->on_read_error(ec);
          http::async_read(stream, self->buffer_, *self->parser_, [self](error_code rec, std::size_t) {
            if (self->done_) return;
            // Many servers end TLS without close_notify; for a body delimited by the close that is
            // still a complete answer.
            if (rec == ssl::error::stream_truncated && !self->parser_->is_done()) {
              error_code eof_ec;
              self->parser_->put_eof(eof_ec);
              if (!eof_ec && self->parser_->is_done()) rec = {};
            }
            if (!rec && self->parser_->get().body().size() > self->shared_->options.max_body)
              rec = http::error::body_limit;
            if (rec) return self->on_read_error(rec);
            self->on_response();
          });
        });
  }

  void on_read_error(const error_code& ec) {
    if (ec == http::error::body_limit) {
      return fail("response larger than " + std::to_string(shared_->options.max_body) + " bytes");
    }
    fail("reading response: " + describe(ec));
  }

  void on_response() {
    auto& res = parser_->get();
    const unsigned status = res.result_int();
    if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
      const auto location = res[http::field::location];
      if (location.empty()) return fail("HTTP " + std::to_string(status) + " without a Location");
      if (++redirects_ > shared_->options.max_redirects) return fail("too many redirects");
      const std::string next = resolve_location(std::string(location));
      log::get("tracker")->debug("{}: redirected to {}", shown_url_, url_for_messages(next));
      return attempt(next);
    }
    if (status != 200) {
      return fail("HTTP " + std::to_string(status) + " " + one_line(std::string(res.reason()), 80));
    }
    std::string body = std::move(res.body());
    if (finish()) handler_(std::move(body));
  }

  std::string resolve_location(const std::string& loc) const {
    if (loc.find("://") != std::string::npos) return loc;
    const std::string host =
        target_.host.find(':') != std::string::npos ? "[" + target_.host + "]" : target_.host;
    const std::string origin = target_.scheme + "://" + host + ":" + std::to_string(target_.port);
    if (loc.starts_with("//")) return target_.scheme + ":" + loc;
    if (loc.starts_with("/")) return origin + loc;
    const std::string path = target_.target.substr(0, target_.target.find('?'));
    return origin + path.substr(0, path.rfind('/') + 1) + loc;
  }

  void stop_io() override {
    deadline_.cancel();
    resolver_.cancel();
    close_streams();
  }
  void deliver_error(std::string error) override {
    if (finish()) handler_(unexpected(std::move(error)));
  }

  BodyHandler handler_;
  tcp::resolver resolver_;
  asio::steady_timer deadline_;
  tcp::socket socket_;
  std::optional<ssl::stream<tcp::socket>> tls_;
  std::vector<tcp::endpoint> endpoints_;
  TrackerUrl target_;
  std::string current_url_;
  int redirects_ = 0;
  http::request<http::empty_body> request_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
};

// The BEP 15 exchange: connect (unless a fresh connection id is cached), then announce or scrape,
// each retransmitted on the 15 * 2^n schedule (scaled by udp_base_timeout).
class UdpOperation final : public TrackerClient::Operation {
 public:
  using Handler = std::variant<TrackerClient::AnnounceHandler, TrackerClient::ScrapeHandler>;

  UdpOperation(std::shared_ptr<TrackerClient::Shared> shared, std::uint64_t id, std::string url,
               AnnounceParams params, Handler handler)
      : Operation(std::move(shared), id, std::move(url)),
        params_(params),
        handler_(std::move(handler)),
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
          if (ec) return self->fail("cannot resolve " + self->host_ + ": " + describe(ec));
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
    if (ec) return fail("cannot open socket: " + describe(ec));
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
      self->fail("sending: " + describe(ec));
    });
    const auto wait = shared_->options.udp_base_timeout * (std::int64_t{1} << std::min(attempt_, 30));
    timer_.expires_after(wait);
    timer_.async_wait([self = self_ptr()](const error_code& ec) {
      if (ec || self->done_) return;
      if (++self->attempt_ > self->shared_->options.udp_max_retries) return self->fail("timed out");
      log::get("tracker")->debug("{}: no answer, retransmitting (attempt {})", self->shown_url_,
                                 self->attempt_);
      self->transmit();
    });
  }

  void receive() {
    socket_.async_receive(asio::buffer(buffer_), [self = self_ptr()](const error_code& ec, std::size_t n) {
      if (self->done_) return;
      if (ec == asio::error::connection_refused) return self->fail("connection refused");
      if (ec) return self->fail("receiving: " + describe(ec));
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

// A request that cannot be made; fails from a fresh call stack like any other.
class FailedOperation final : public TrackerClient::Operation {
 public:
  FailedOperation(std::shared_ptr<TrackerClient::Shared> shared, std::uint64_t id, std::string url,
                  std::string error, std::function<void(std::string)> handler)
      : Operation(std::move(shared), id, std::move(url)),
        error_(std::move(error)),
        handler_(std::move(handler)) {}
  void start() override {
    asio::post(shared_->io, [self = shared_from_this(), this] { deliver_error(error_); });
  }

 private:
  void stop_io() override {}
  void deliver_error(std::string error) override {
    if (finish()) handler_(std::move(error));
  }
  std::string error_;
  std::function<void(std::string)> handler_;
};

bool is_udp(const std::string& url) {
  auto parsed = parse_tracker_url(url);
  return parsed && parsed->scheme == "udp";
}

}  // namespace

TrackerClient::TrackerClient(asio::io_context& io, TrackerClientOptions options)
    : shared_(std::make_shared<Shared>(io, std::move(options))) {}

TrackerClient::~TrackerClient() {
  cancel_all();
}

std::size_t TrackerClient::pending() const {
  return shared_->ops.size();
}

void TrackerClient::cancel_all() {
  std::vector<std::shared_ptr<Operation>> ops;
  for (auto& [id, op] : shared_->ops) ops.push_back(op);
  for (auto& op : ops) op->cancel();
}

void TrackerClient::announce(const std::string& url, const AnnounceParams& params, AnnounceHandler handler) {
  const std::uint64_t id = shared_->next_op++;
  std::shared_ptr<Operation> op;
  if (is_udp(url)) {
    op = std::make_shared<UdpOperation>(shared_, id, url, params, std::move(handler));
  } else {
    const auto tid = shared_->tracker_ids.find(url);
    const std::string request =
        build_announce_url(url, params, tid == shared_->tracker_ids.end() ? std::string_view{} : tid->second);
    std::weak_ptr<Shared> weak = shared_;
    auto on_body = [handler = std::move(handler), weak, url](expected<std::string, std::string> body) {
      if (!body) return handler(unexpected(std::move(body).error()));
      auto result = parse_announce_response(*body);
      if (!result) return handler(unexpected(with_url(url_for_messages(url), result.error())));
      if (auto shared = weak.lock(); shared && !result->tracker_id.empty()) {
        shared->tracker_ids[url] = result->tracker_id;
      }
      handler(std::move(result));
    };
    op = std::make_shared<HttpOperation>(shared_, id, request, std::move(on_body));
  }
  log::get("tracker")->debug("announce {} ({})", url_for_messages(url), event_name(params.event));
  shared_->ops.emplace(id, op);
  op->start();
}

void TrackerClient::scrape(const std::string& announce_url, const Sha1Digest& info_hash,
                           ScrapeHandler handler) {
  const std::uint64_t id = shared_->next_op++;
  std::shared_ptr<Operation> op;
  if (is_udp(announce_url)) {
    AnnounceParams params;
    params.info_hash = info_hash;
    op = std::make_shared<UdpOperation>(shared_, id, announce_url, params, std::move(handler));
  } else {
    const auto scrape_url = scrape_url_for(announce_url);
    if (!scrape_url) {
      op = std::make_shared<FailedOperation>(
          shared_, id, announce_url,
          "tracker " + url_for_messages(announce_url) + ": does not support scrape",
          [handler = std::move(handler)](std::string error) { handler(unexpected(std::move(error))); });
    } else {
      auto on_body = [handler = std::move(handler), info_hash,
                      announce_url](expected<std::string, std::string> body) {
        if (!body) return handler(unexpected(std::move(body).error()));
        auto result = parse_scrape_response(*body, info_hash);
        if (!result) return handler(unexpected(with_url(url_for_messages(announce_url), result.error())));
        handler(std::move(result));
      };
      op = std::make_shared<HttpOperation>(shared_, id, build_scrape_url(*scrape_url, info_hash),
                                           std::move(on_body));
    }
  }
  shared_->ops.emplace(id, op);
  op->start();
}

}  // namespace tessera::tracker
