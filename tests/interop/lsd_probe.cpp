// A stand-in session for the LSD interop test: runs LocalDiscovery on one 127.0.0.x, announces
// one info-hash and accepts TCP connections on the announced port, printing one JSON line per
// event: {"peer": "A:P", "info_hash": "..."} for an announce heard, {"incoming": "A:P"} for a
// connection accepted, {"status": "..."} when LSD cannot start (exit 3). Exits after SECONDS.
//   tessera_lsd_probe ADDRESS PORT INFO_HASH_HEX SECONDS [REANNOUNCE_SECONDS]
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "lsd/local_discovery.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

void print(const std::string& line) {
  std::fputs((line + "\n").c_str(), stdout);
  std::fflush(stdout);
}

std::string text(const tcp::endpoint& ep) {
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fputs("usage: tessera_lsd_probe ADDRESS PORT INFO_HASH_HEX SECONDS [REANNOUNCE_SECONDS]\n", stderr);
    return 2;
  }
  const auto address = asio::ip::make_address(argv[1]);
  const auto port = static_cast<std::uint16_t>(std::stoi(argv[2]));
  const auto hash = tessera::Sha1Digest::from_hex(argv[3]);
  const int seconds = std::stoi(argv[4]);
  const int reannounce = argc > 5 ? std::stoi(argv[5]) : 300;
  if (!hash) return 2;

  asio::io_context io;
  tessera::lsd::DiscoveryConfig config;
  config.schedule.per_torrent_interval = std::chrono::seconds(reannounce);
  tessera::lsd::LocalDiscovery lsd(
      io,
      [](const tessera::Sha1Digest& h, const tcp::endpoint& peer) {
        print(R"({"peer": ")" + text(peer) + R"(", "info_hash": ")" + h.hex() + "\"}");
      },
      config);
  if (!lsd.start(address, port)) {
    print(R"({"status": ")" + lsd.status() + "\"}");
    return 3;
  }

  tcp::acceptor acceptor(io, tcp::endpoint(address, port));
  std::function<void()> accept = [&] {
    acceptor.async_accept([&](const boost::system::error_code& ec, tcp::socket socket) {
      if (ec) return;
      print(R"({"incoming": ")" + text(socket.remote_endpoint()) + "\"}");
      accept();
    });
  };
  accept();

  // Asked every second: the schedule sends it once per REANNOUNCE_SECONDS.
  const std::vector<tessera::Sha1Digest> ours{*hash};
  asio::steady_timer tick(io);
  std::function<void()> again = [&] {
    lsd.announce(ours);
    tick.expires_after(std::chrono::seconds(1));
    tick.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) again();
    });
  };
  again();
  io.run_for(std::chrono::seconds(seconds));
  print(R"({"sent": )" + std::to_string(lsd.counters().sent) + "}");
  return 0;
}
