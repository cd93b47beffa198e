// Private to the tracker client: what TrackerClient shares with the requests it has in flight,
// the base class of a request (its exactly-once completion), and the two kinds of request, HTTP(S)
// in http_tracker_request.cpp and UDP in udp_tracker_request.cpp.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <variant>

#include "tessera/expected.hpp"
#include "tracker/announce.hpp"
#include "tracker/tracker_client.hpp"

namespace tessera::tracker {

struct TrackerClient::Shared {
  Shared(boost::asio::io_context& io_, TrackerClientOptions options_)
      : io(io_), options(std::move(options_)), rng(std::random_device{}()) {}

  // Created on first HTTPS use; nullptr with `tls_error` set if the CA setup failed.
  boost::asio::ssl::context* tls_context();

  std::uint32_t transaction_id() { return static_cast<std::uint32_t>(rng()); }

  boost::asio::io_context& io;
  TrackerClientOptions options;
  std::unique_ptr<boost::asio::ssl::context> tls;
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

// A socket error in the words of a one-line message ("connection refused", ...).
std::string describe_error(const boost::system::error_code& ec);

// Parser errors become "tracker <url>: <detail>"; a failure reason keeps just the reason.
std::string with_url(const std::string& shown_url, const std::string& error);

// One request in flight. finish() is the exactly-once gate: it deregisters the operation and
// stops its I/O; callbacks still queued in Asio find it finished and do nothing.
class TrackerClient::Operation : public std::enable_shared_from_this<Operation> {
 public:
  virtual ~Operation() = default;
  virtual void start() = 0;
  void cancel() { deliver_error("cancelled"); }

 protected:
  Operation(std::shared_ptr<Shared> shared, std::uint64_t id, std::string url);

  bool finish();
  void fail(const std::string& what);
  // Fails from a fresh call stack, so a handler never runs inside announce()/scrape().
  // `complete` errors already name the URL (parse_tracker_url's).
  void fail_soon(std::string what, bool complete = false);
  virtual void stop_io() = 0;
  virtual void deliver_error(std::string error) = 0;

  std::shared_ptr<Shared> shared_;  // keeps the TLS context alive while sockets use it
  std::uint64_t id_;
  std::string url_;
  std::string shown_url_;
  bool done_ = false;
};

// GET over HTTP or HTTPS with redirects (bounded, and refused from HTTPS to HTTP), a
// whole-request deadline and a body cap; the handler gets the body of a 200 answer or a one-line
// error.
using BodyHandler = std::function<void(expected<std::string, std::string>)>;
std::shared_ptr<TrackerClient::Operation> make_http_request(std::shared_ptr<TrackerClient::Shared> shared,
                                                            std::uint64_t id, std::string url,
                                                            BodyHandler handler);

// A BEP 15 announce (first alternative) or scrape of params.info_hash (second).
using UdpHandler = std::variant<TrackerClient::AnnounceHandler, TrackerClient::ScrapeHandler>;
std::shared_ptr<TrackerClient::Operation> make_udp_request(std::shared_ptr<TrackerClient::Shared> shared,
                                                           std::uint64_t id, std::string url,
                                                           AnnounceParams params, UdpHandler handler);

}  // namespace tessera::tracker
