// Talks to trackers over HTTP(S) (Boost.Beast) and UDP (BEP 15). Lives on the network thread and
// is not thread-safe; all protocol decisions are in the pure codecs this calls.
//
// Every handler is called exactly once, never from inside announce()/scrape() themselves, and
// with a one-line error of the form "tracker <url>: <what>" ("tracker http://t.example/announce:
// connection refused"); the URL is shown without its query so passkeys stay out of logs.
// cancel_all() and the destructor complete pending handlers with the error "cancelled", from
// inside that call.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "hash/sha1.hpp"
#include "tessera/expected.hpp"
#include "tracker/announce.hpp"

namespace tessera::tracker {

struct TrackerClientOptions {
  // Source address of every socket (several clients share 127.0.0.x, and trackers list a peer
  // under the address its announce came from).
  std::optional<boost::asio::ip::address> bind_address;
  std::chrono::milliseconds http_timeout{30000};      // whole request, redirects included
  std::chrono::milliseconds udp_base_timeout{15000};  // BEP 15's 15 s; retry n waits base * 2^n
  int udp_max_retries = 8;
  std::string user_agent = "Tessera/0.1.0";
  std::string ca_file;  // extra CA certificates (PEM) trusted besides the system's; for tests
  std::size_t max_body = std::size_t{2} << 20;
  int max_redirects = 3;  // one from HTTPS down to plain HTTP is never followed (it fails)
};

class TrackerClient {
 public:
  TrackerClient(boost::asio::io_context& io, TrackerClientOptions options);
  ~TrackerClient();  // cancels what is pending
  TrackerClient(const TrackerClient&) = delete;
  TrackerClient& operator=(const TrackerClient&) = delete;

  using AnnounceHandler = std::function<void(expected<AnnounceResult, std::string>)>;
  using ScrapeHandler = std::function<void(expected<ScrapeResult, std::string>)>;

  // http://, https:// and udp:// URLs. A tracker id a tracker handed out is remembered per URL
  // and sent back on later announces.
  void announce(const std::string& url, const AnnounceParams& params, AnnounceHandler handler);
  // Scrapes one torrent; HTTP trackers need a BEP 48 scrape URL (see scrape_url_for()).
  void scrape(const std::string& announce_url, const Sha1Digest& info_hash, ScrapeHandler handler);
  void cancel_all();  // every pending handler is called once with the error "cancelled"

  std::size_t pending() const;

  struct Shared;  // state shared with in-flight operations (public only for the .cpp)
  class Operation;

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace tessera::tracker
