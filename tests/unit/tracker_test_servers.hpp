// In-process HTTP(S) and UDP trackers on 127.0.0.1 with ephemeral ports, for TrackerClient tests.
// They run on the test's io_context; responses are scripted per request.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tessera::tracker::testing {

namespace asio = boost::asio;
using boost::system::error_code;

// Runs the io_context until `done()`, or until a generous limit has passed (a safety net for a
// broken test, never a wait: a passing test returns as soon as the condition holds).
inline void run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::seconds(60)) {
  io.restart();
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline)
    io.run_one_for(std::chrono::milliseconds(50));
}

// Runs every handler that is ready now, those of cancelled operations included, without
// waiting for anything.
inline void run_ready(asio::io_context& io) {
  io.restart();
  io.poll();
}

inline std::string http_response(int status, const std::string& body, const std::string& extra_headers = {}) {
  return "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Something") + "\r\n" +
         extra_headers + "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
         body;
}

// Reads one request head per connection and writes back what `respond` returns for it; an
// empty string means never answer (the connection stays open until the server goes away).
template <class Stream>
class BasicHttpServer {
 public:
  using Responder = std::function<std::string(const std::string& head)>;

  BasicHttpServer(asio::io_context& io, Responder respond, asio::ssl::context* tls = nullptr)
      : io_(io),
        acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}),
        respond_(std::move(respond)),
        tls_(tls) {
    accept();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::vector<std::string> requests;  // request heads, in arrival order
  std::vector<asio::ip::address> peers;

 private:
  struct Connection {
    explicit Connection(Stream s) : stream(std::move(s)) {}
    Stream stream;
    std::string in;
    std::string out;
  };

  void accept() {
    acceptor_.async_accept([this](const error_code& ec, asio::ip::tcp::socket socket) {
      if (ec) return;
      error_code ignored;
      peers.push_back(socket.remote_endpoint(ignored).address());
      auto c = make(std::move(socket));
      connections_.push_back(c);
      start(c);
      accept();
    });
  }

  std::shared_ptr<Connection> make(asio::ip::tcp::socket socket) {
    if constexpr (std::is_same_v<Stream, asio::ip::tcp::socket>) {
      return std::make_shared<Connection>(std::move(socket));
    } else {
      return std::make_shared<Connection>(Stream(std::move(socket), *tls_));
    }
  }

  void start(const std::shared_ptr<Connection>& c) {
    if constexpr (std::is_same_v<Stream, asio::ip::tcp::socket>) {
      read(c);
    } else {
      c->stream.async_handshake(asio::ssl::stream_base::server, [this, c](const error_code& ec) {
        if (!ec) read(c);
      });
    }
  }

  void read(const std::shared_ptr<Connection>& c) {
    asio::async_read_until(
        c->stream, asio::dynamic_buffer(c->in), "\r\n\r\n", [this, c](const error_code& ec, std::size_t n) {
          if (ec) return;
          const std::string head = c->in.substr(0, n);
          requests.push_back(head);
          c->out = respond_(head);
          if (c->out.empty()) return;  // never answer
          asio::async_write(c->stream, asio::buffer(c->out), [c](const error_code&, std::size_t) {
            error_code ignored;
            if constexpr (std::is_same_v<Stream, asio::ip::tcp::socket>) {
              c->stream.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
            } else {
              c->stream.lowest_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
            }
          });
        });
  }

  asio::io_context& io_;
  asio::ip::tcp::acceptor acceptor_;
  Responder respond_;
  asio::ssl::context* tls_;
  std::vector<std::shared_ptr<Connection>> connections_;
};

using HttpServer = BasicHttpServer<asio::ip::tcp::socket>;
using HttpsServer = BasicHttpServer<asio::ssl::stream<asio::ip::tcp::socket>>;

// Answers each datagram with the datagrams `respond` returns (empty ones are not sent).
class UdpServer {
 public:
  using Responder = std::function<std::vector<std::string>(const std::string& datagram)>;
  UdpServer(asio::io_context& io, Responder respond)
      : socket_(io, {asio::ip::make_address("127.0.0.1"), 0}), respond_(std::move(respond)) {
    receive();
  }
  std::uint16_t port() const { return socket_.local_endpoint().port(); }
  std::vector<std::string> datagrams;

 private:
  void receive() {
    socket_.async_receive_from(asio::buffer(buf_), from_, [this](const error_code& ec, std::size_t n) {
      if (ec) return;
      datagrams.emplace_back(buf_.data(), n);
      for (auto& text : respond_(datagrams.back())) {
        if (text.empty()) continue;
        auto reply = std::make_shared<std::string>(std::move(text));
        socket_.async_send_to(asio::buffer(*reply), from_, [reply](const error_code&, std::size_t) {});
      }
      receive();
    });
  }
  asio::ip::udp::socket socket_;
  asio::ip::udp::endpoint from_;
  std::array<char, 2048> buf_{};
  Responder respond_;
};

}  // namespace tessera::tracker::testing
