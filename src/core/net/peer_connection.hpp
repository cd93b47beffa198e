// One TCP connection to a peer: connecting (bound to our source address), the handshake, a read
// loop feeding the wire decoder, and a write queue. It makes no protocol decisions: decoded
// messages go to its Owner (the torrent), which keeps the peer's protocol state.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "tessera/expected.hpp"
#include "wire/handshake.hpp"
#include "wire/message_decoder.hpp"
#include "wire/messages.hpp"

namespace tessera {

class PeerConnection : public std::enable_shared_from_this<PeerConnection> {
 public:
  using tcp = boost::asio::ip::tcp;
  using HandshakeHandler = std::function<void(expected<wire::Handshake, std::string>)>;

  class Owner {
   public:
    virtual ~Owner() = default;
    virtual void on_peer_message(PeerConnection& c, wire::Message&& m) = 0;
    virtual void on_peer_closed(PeerConnection& c, const std::string& reason) = 0;
    // The write queue drained: a chance to queue more blocks.
    virtual void on_peer_drained(PeerConnection& c) = 0;
    // Every message of one socket read has been delivered: a chance to batch work.
    virtual void on_peer_read_done(PeerConnection& c) = 0;
  };

  PeerConnection(boost::asio::io_context& io, bool incoming);
  PeerConnection(tcp::socket socket);  // an accepted connection
  ~PeerConnection();

  // Outgoing: connect, send our handshake, read theirs.
  void connect(const tcp::endpoint& remote, const std::optional<boost::asio::ip::address>& bind,
               const wire::Handshake& ours, std::chrono::milliseconds timeout, HandshakeHandler done);
  // Incoming: read their handshake (we answer once we know the torrent).
  void read_handshake(std::chrono::milliseconds timeout, HandshakeHandler done);
  void send_handshake(const wire::Handshake& ours);

  // After the handshake: deliver messages to `owner` until closed.
  void start(Owner* owner, const wire::TorrentShape& shape);
  void send(const wire::Message& m);
  void send_block(std::uint32_t piece, std::uint32_t begin, std::string data);
  void close(const std::string& reason);  // idempotent; the owner hears on_peer_closed once
  // Backpressure: stop reading from the socket (TCP then slows the sender) until resumed.
  void pause_reading();
  void resume_reading();
  bool reading_paused() const { return read_paused_; }

  bool is_open() const { return !closed_; }
  bool incoming() const { return incoming_; }
  std::size_t queued_bytes() const { return queued_bytes_; }
  const tcp::endpoint& remote() const { return remote_; }
  std::int64_t bytes_received() const { return bytes_received_; }
  std::int64_t bytes_sent() const { return bytes_sent_; }
  std::chrono::steady_clock::time_point last_received() const { return last_received_; }
  std::chrono::steady_clock::time_point last_sent() const { return last_sent_; }

 private:
  void read_handshake_bytes(HandshakeHandler done);
  void read_loop();
  void flush();
  void schedule_flush();
  void fail_handshake(HandshakeHandler& done, const std::string& reason);

  tcp::socket socket_;
  boost::asio::steady_timer timer_;
  bool incoming_;
  bool closed_ = false;
  bool writing_ = false;
  bool flush_posted_ = false;  // one gathered write per event-loop turn
  bool read_paused_ = false;
  bool read_pending_ = false;  // an async read is outstanding
  Owner* owner_ = nullptr;
  tcp::endpoint remote_;
  std::string handshake_buf_;
  std::optional<wire::MessageDecoder> decoder_;
  std::deque<std::string> pending_;  // queued, not yet handed to the socket
  std::deque<std::string> writing_bufs_;
  std::size_t queued_bytes_ = 0;
  std::int64_t bytes_received_ = 0;
  std::int64_t bytes_sent_ = 0;
  std::chrono::steady_clock::time_point last_received_{};
  std::chrono::steady_clock::time_point last_sent_{};
};

}  // namespace tessera
