#include <openssl/ssl.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "log/logging.hpp"
#include "tracker/http_tracker_protocol.hpp"
#include "tracker/tracker_request.hpp"

namespace tessera::tracker {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace http = boost::beast::http;
using boost::system::error_code;
using tcp = boost::asio::ip::tcp;

namespace {

// One GET with its redirects (at most options.max_redirects, never from HTTPS down to HTTP),
// under one deadline for the whole request.
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
    // Never from HTTPS down to plain HTTP: the URL, a private tracker's passkey in its query,
    // would go out in the clear.
    if (target_.scheme == "https" && parsed->scheme != "https") {
      fail_soon("redirected from HTTPS to HTTP: refused");
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
          if (ec) return self->fail("cannot resolve " + self->target_.host + ": " + describe_error(ec));
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
    if (index >= endpoints_.size()) return fail(describe_error(last));
    tcp::socket& s = lowest();
    error_code ec;
    s.close(ec);
    s.open(endpoints_[index].protocol(), ec);
    if (!ec && shared_->options.bind_address) s.bind(tcp::endpoint(*shared_->options.bind_address, 0), ec);
    if (ec) return fail("cannot open socket: " + describe_error(ec));
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
      if (hec) return self->fail("TLS handshake failed: " + describe_error(hec));
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
      if (ec) return self->fail("sending request: " + describe_error(ec));
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
    fail("reading response: " + describe_error(ec));
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

}  // namespace

std::shared_ptr<TrackerClient::Operation> make_http_request(std::shared_ptr<TrackerClient::Shared> shared,
                                                            std::uint64_t id, std::string url,
                                                            BodyHandler handler) {
  return std::make_shared<HttpOperation>(std::move(shared), id, std::move(url), std::move(handler));
}

}  // namespace tessera::tracker
