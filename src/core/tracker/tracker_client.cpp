#include "tracker/tracker_client.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <utility>
#include <vector>

#include "log/logging.hpp"
#include "tracker/http_tracker_protocol.hpp"
#include "tracker/tracker_request.hpp"

namespace tessera::tracker {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using boost::system::error_code;

ssl::context* TrackerClient::Shared::tls_context() {
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

std::string describe_error(const error_code& ec) {
  if (ec == asio::error::connection_refused) return "connection refused";
  if (ec == asio::error::host_not_found || ec == asio::error::host_not_found_try_again)
    return "host not found";
  if (ec == asio::error::network_unreachable) return "network unreachable";
  if (ec == asio::error::connection_reset) return "connection reset";
  return one_line(ec.message());
}

std::string with_url(const std::string& shown_url, const std::string& error) {
  constexpr std::string_view prefix = "tracker: ";
  const std::string_view detail =
      std::string_view(error).starts_with(prefix) ? std::string_view(error).substr(prefix.size()) : error;
  return "tracker " + shown_url + ": " + std::string(detail);
}

TrackerClient::Operation::Operation(std::shared_ptr<Shared> shared, std::uint64_t id, std::string url)
    : shared_(std::move(shared)), id_(id), url_(std::move(url)), shown_url_(url_for_messages(url_)) {}

bool TrackerClient::Operation::finish() {
  if (done_) return false;
  done_ = true;
  stop_io();
  // Erasing may drop the last owner other than the caller's `self`; callers hold one.
  shared_->ops.erase(id_);
  return true;
}

void TrackerClient::Operation::fail(const std::string& what) {
  log::get("tracker")->debug("{}: {}", shown_url_, what);
  deliver_error(with_url(shown_url_, what));
}

void TrackerClient::Operation::fail_soon(std::string what, bool complete) {
  asio::post(shared_->io, [self = shared_from_this(), what = std::move(what), complete] {
    if (complete)
      self->deliver_error(what);
    else
      self->fail(what);
  });
}

namespace {

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
    op = make_udp_request(shared_, id, url, params, std::move(handler));
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
    op = make_http_request(shared_, id, request, std::move(on_body));
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
    op = make_udp_request(shared_, id, announce_url, params, std::move(handler));
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
      op = make_http_request(shared_, id, build_scrape_url(*scrape_url, info_hash), std::move(on_body));
    }
  }
  shared_->ops.emplace(id, op);
  op->start();
}

}  // namespace tessera::tracker
