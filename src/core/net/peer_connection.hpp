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

#include "bandwidth/bandwidth_manager.hpp"
#include "bandwidth/rate_meter.hpp"
#include "peers/peer_wire.hpp"
#include "tessera/expected.hpp"
#include "wire/handshake.hpp"
#include "wire/message_decoder.hpp"
#include "wire/messages.hpp"

namespace tessera {

// The session's bandwidth managers, one per direction, and how to make sure they get updated.
struct BandwidthGate {
  BandwidthManager upload, download;
  std::function<void()> wake;  // someone queued for quota: run update() soon
};

class PeerConnection : public PeerWire, public std::enable_shared_from_this<PeerConnection> {
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
  ~PeerConnection() override;
  // Protocol messages waiting to be sent, at most: past it the peer is not reading, and goes.
  static constexpr std::size_t kMaxControlBytes = 1 << 20;

  // Outgoing: connect, send our handshake, read theirs.
  void connect(const tcp::endpoint& remote, const std::optional<boost::asio::ip::address>& bind,
               const wire::Handshake& ours, std::chrono::milliseconds timeout, HandshakeHandler done);
  // Incoming: read their handshake (we answer once we know the torrent).
  void read_handshake(std::chrono::milliseconds timeout, HandshakeHandler done);
  void send_handshake(const wire::Handshake& ours);

  // After the handshake: deliver messages to `owner` until closed.
  void start(Owner* owner, const wire::TorrentShape& shape);
  // Throttling: from now on every byte goes through these paths (peer, torrent, session
  // buckets). Bytes already exchanged (the handshake) are charged at once.
  void set_bandwidth(BandwidthGate* gate, BandwidthPath up, BandwidthPath down);
  // Protocol messages: sent ahead of queued blocks (never stuck behind payload that waits for
  // upload quota) and charged to the upload caps after the fact.
  void send(const wire::Message& m) override;
  // Payload: leaves only as fast as the upload caps grant.
  void send_block(std::uint32_t piece, std::uint32_t begin, std::string data) override;
  // Withdraws a queued block that has not started to leave (the peer cancelled its request).
  // Returns its size, or 0 if it is gone or already on its way.
  std::size_t cancel_block(std::uint32_t piece, std::uint32_t begin) override;
  void close(const std::string& reason);  // idempotent; the owner hears on_peer_closed once
  // Backpressure: stop reading from the socket (TCP then slows the sender) until resumed.
  void pause_reading();
  void resume_reading();
  bool reading_paused() const { return read_paused_; }

  bool is_open() const { return !closed_; }
  bool incoming() const { return incoming_; }
  std::size_t queued_bytes() const { return queued_bytes_; }
  // What the kernel is prepared to take in right now (the receive window it can advertise);
  // 0 when unknown.
  std::size_t receive_window() const;
  // Wire bytes (payload and protocol) per second, both ways.
  std::int64_t wire_down_rate(std::chrono::steady_clock::time_point now) const { return wire_down_.rate(now); }
  std::int64_t wire_up_rate(std::chrono::steady_clock::time_point now) const { return wire_up_.rate(now); }
  const tcp::endpoint& remote() const { return remote_; }
  std::int64_t bytes_received() const { return bytes_received_; }
  std::int64_t bytes_sent() const { return bytes_sent_; }
  std::chrono::steady_clock::time_point last_received() const { return last_received_; }
  std::chrono::steady_clock::time_point last_sent() const { return last_sent_; }

 private:
  void read_handshake_bytes(HandshakeHandler done);
  void read_loop();
  void read_throttled();
  void on_read(boost::system::error_code e, std::size_t n);
  void flush();
  void on_upload_grant(std::int64_t bytes);
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
  struct Block {
    std::uint32_t piece = 0, begin = 0;
    std::string header;  // the piece message's 13 bytes
    std::string data;
    std::size_t sent = 0;  // of header + data, handed to the socket
    std::size_t size() const { return header.size() + data.size(); }
  };
  std::deque<std::string> control_;     // protocol messages, not yet handed to the socket
  std::size_t control_bytes_ = 0;       // in control_
  bool overflowing_ = false;            // control_ hit kMaxControlBytes: closing
  std::deque<Block> blocks_;            // payload, not yet (fully) handed to the socket
  std::size_t writing_control_ = 0;     // of control_'s front, in the write in progress
  std::size_t writing_payload_ = 0;     // bytes of blocks_ in the write in progress
  std::size_t payload_bytes_ = 0;       // not yet handed to the socket, in blocks_
  BandwidthGate* gate_ = nullptr;
  BandwidthPath up_path_, down_path_;
  std::uint64_t id_;                    // for the bandwidth queues
  static constexpr std::size_t kMinPayloadWrite = 16 * 1024 + 13;  // one block with its header
  std::int64_t upload_grant_ = 0;       // granted, not yet used
  bool upload_waiting_ = false;         // a request is queued for upload quota
  bool download_waiting_ = false;
  RateMeter wire_down_, wire_up_;
  std::size_t queued_bytes_ = 0;
  std::int64_t bytes_received_ = 0;
  std::int64_t bytes_sent_ = 0;
  std::chrono::steady_clock::time_point last_received_{};
  std::chrono::steady_clock::time_point last_sent_{};
};

}  // namespace tessera
