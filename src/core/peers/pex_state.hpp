// Peer exchange (BEP 11) for one connection: what to tell the peer about the swarm, and how much
// of what it tells us to believe. Pure: no sockets, time is passed in; the codec is
// wire/ut_pex.hpp, and the torrent moves the messages and feeds the peer list.
//
// Sending: at most one message per send_interval (60 s), each the difference between the
// torrent's connected peers now and what this peer has been told so far, at most 50 added and
// 50 dropped per message (the rest follow in the next one); the first message carries up to 50
// connected peers. Only peers we can name a dialable endpoint for are advertised (we dialled
// them, or they told us their listen port), and never the receiving peer itself.
//
// Receiving: a peer's messages are rationed, so a hostile one cannot flood the peer list: one
// message per receive_interval (45 s) is taken, faster ones are ignored whole, and at most 50
// added entries of a taken message become candidates. "dropped" lists are not acted upon: a
// peer we know of stays known until our own attempts say otherwise.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "wire/ut_pex.hpp"

namespace tessera {

struct PexConfig {
  std::chrono::seconds send_interval{60};
  std::size_t max_added_per_message = 50;
  std::size_t max_dropped_per_message = 50;
  std::chrono::seconds receive_interval{45};
  std::size_t max_taken_per_message = 50;
};

// One of the torrent's connected peers, as PEX may advertise it.
struct PexSwarmPeer {
  boost::asio::ip::tcp::endpoint endpoint;  // the dialled endpoint, or address + listen port
  bool seed = false;
  bool connectable = false;  // we dialled it, or it told us its listen port: `endpoint` is dialable
};

// What one received message gave: the candidates to add to the peer list (source PEX).
struct PexIntake {
  std::vector<wire::PexPeer> candidates;
  bool rationed = false;    // the message came too soon after the last one taken: all ignored
  std::size_t ignored = 0;  // entries left out (past the cap, invalid, repeated, the sender itself)
};

class PexState {
 public:
  using Endpoint = boost::asio::ip::tcp::endpoint;
  using TimePoint = std::chrono::steady_clock::time_point;

  // `remote` is the connection's remote endpoint.
  explicit PexState(const Endpoint& remote, PexConfig config = {});
  // An incoming peer's listen port (from its extension handshake): it is not told about itself
  // under that endpoint either.
  void set_remote_listen_port(std::uint16_t port);

  // The message to send now, given the torrent's connected peers; nullopt when it is too soon
  // after the last one or nothing changed since. A message returned counts as sent.
  std::optional<wire::PexMessage> message_due(std::span<const PexSwarmPeer> connected, TimePoint now);
  // The earliest time message_due() may return a message (`now` before the first one).
  std::optional<TimePoint> next_send_at() const { return next_send_; }
  // Peers this peer has been told about and not told dropped since.
  std::size_t advertised() const { return advertised_.size(); }

  // A ut_pex message this peer sent us.
  PexIntake on_message(const wire::PexMessage& message, TimePoint now);

 private:
  bool is_remote(const Endpoint& ep) const;

  Endpoint remote_;
  std::optional<Endpoint> remote_listen_;
  PexConfig config_;
  // What the peer has been told is connected, with the flags it was told. Bounded by our own
  // connected set, which the torrent caps; the peer cannot grow it.
  std::map<Endpoint, std::uint8_t> advertised_;
  std::optional<TimePoint> next_send_;
  std::optional<TimePoint> next_take_;
};

// The BEP 11 flags for one of our peers.
std::uint8_t pex_flags(const PexSwarmPeer& peer);

}  // namespace tessera
