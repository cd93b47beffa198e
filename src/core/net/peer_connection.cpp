#include "net/peer_connection.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <algorithm>
#include <atomic>
#include <vector>

#include "log/logging.hpp"
#include "wire/message_encoder.hpp"

namespace tessera {
namespace {
constexpr std::size_t kReadChunk = 256 * 1024;  // fewer syscalls; the decoder reuses the space
std::uint64_t next_connection_id() {
  static std::atomic<std::uint64_t> next{1};
  return next++;
}
}  // namespace

PeerConnection::PeerConnection(boost::asio::io_context& io, bool incoming)
    : socket_(io), timer_(io), incoming_(incoming), id_(next_connection_id()) {}

PeerConnection::PeerConnection(tcp::socket socket)
    : socket_(std::move(socket)), timer_(socket_.get_executor()), incoming_(true), id_(next_connection_id()) {
  boost::system::error_code ec;
  remote_ = socket_.remote_endpoint(ec);
}

PeerConnection::~PeerConnection() {
  boost::system::error_code ec;
  socket_.close(ec);
}

void PeerConnection::fail_handshake(HandshakeHandler& done, const std::string& reason) {
  closed_ = true;
  boost::system::error_code ec;
  socket_.close(ec);
  timer_.cancel();
  if (done) {
    auto d = std::move(done);
    done = nullptr;
    d(unexpected(reason));
  }
}

void PeerConnection::connect(const tcp::endpoint& remote, const std::optional<boost::asio::ip::address>& bind,
                             const wire::Handshake& ours, std::chrono::milliseconds timeout, HandshakeHandler done) {
  remote_ = remote;
  boost::system::error_code ec;
  socket_.open(remote.protocol(), ec);
  if (!ec && bind) {
    // Our source address must be our own 127.0.0.x, so trackers and peers see who we are.
    socket_.set_option(tcp::socket::reuse_address(true), ec);
    socket_.bind(tcp::endpoint(*bind, 0), ec);
  }
  if (ec) {
    fail_handshake(done, "cannot open socket: " + ec.message());
    return;
  }
  socket_.set_option(tcp::no_delay(true), ec);
  auto self = shared_from_this();
  timer_.expires_after(timeout);
  timer_.async_wait([self](boost::system::error_code e) {
    if (!e && !self->decoder_) {
      boost::system::error_code ignored;
      self->socket_.close(ignored);  // fails the pending connect/read with operation_aborted
    }
  });
  socket_.async_connect(remote, [self, ours, done = std::move(done)](boost::system::error_code e) mutable {
    if (self->closed_) return;
    if (e) {
      self->fail_handshake(done, e == boost::asio::error::operation_aborted ? "connect timed out" : e.message());
      return;
    }
    self->send_handshake(ours);
    self->read_handshake_bytes(std::move(done));
  });
}

void PeerConnection::read_handshake(std::chrono::milliseconds timeout, HandshakeHandler done) {
  auto self = shared_from_this();
  timer_.expires_after(timeout);
  timer_.async_wait([self](boost::system::error_code e) {
    if (!e && !self->decoder_) {
      boost::system::error_code ignored;
      self->socket_.close(ignored);
    }
  });
  read_handshake_bytes(std::move(done));
}

void PeerConnection::read_handshake_bytes(HandshakeHandler done) {
  auto self = shared_from_this();
  handshake_buf_.assign(wire::kHandshakeSize, '\0');
  boost::asio::async_read(socket_, boost::asio::buffer(handshake_buf_),
                          [self, done = std::move(done)](boost::system::error_code e, std::size_t n) mutable {
                            if (self->closed_) return;
                            if (e) {
                              self->fail_handshake(done, e == boost::asio::error::operation_aborted
                                                             ? "handshake timed out"
                                                             : "handshake: " + e.message());
                              return;
                            }
                            self->bytes_received_ += static_cast<std::int64_t>(n);
                            auto hs = wire::decode_handshake(self->handshake_buf_);
                            if (!hs) {
                              self->fail_handshake(done, hs.error().message);
                              return;
                            }
                            auto d = std::move(done);
                            d(std::move(*hs));
                          });
}

void PeerConnection::send_handshake(const wire::Handshake& ours) {
  std::string bytes = wire::encode_handshake(ours);
  queued_bytes_ += bytes.size();
  control_bytes_ += bytes.size();
  control_.push_back(std::move(bytes));
  flush();
}

void PeerConnection::start(Owner* owner, const wire::TorrentShape& shape) {
  owner_ = owner;
  decoder_.emplace(shape);
  timer_.cancel();
  last_received_ = std::chrono::steady_clock::now();
  read_loop();
  flush();
}

void PeerConnection::set_bandwidth(BandwidthGate* gate, BandwidthPath up, BandwidthPath down) {
  gate_ = gate;
  up_path_ = std::move(up);
  down_path_ = std::move(down);
  up_path_.charge(bytes_sent_);
  down_path_.charge(bytes_received_);
}

std::size_t PeerConnection::receive_window() const {
  tcp_info info{};
  socklen_t len = sizeof info;
  auto& sock = const_cast<tcp::socket&>(socket_);  // native_handle() is not const; nothing changes
  if (!sock.is_open() || ::getsockopt(sock.native_handle(), IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return 0;
  return info.tcpi_rcv_ssthresh;
}

void PeerConnection::pause_reading() { read_paused_ = true; }

void PeerConnection::resume_reading() {
  if (!read_paused_) return;
  read_paused_ = false;
  if (!closed_ && decoder_ && !read_pending_) read_loop();
}

void PeerConnection::read_loop() {
  if (read_paused_ || read_pending_ || closed_) return;
  read_pending_ = true;
  if (gate_ != nullptr && down_path_.limited()) {
    read_throttled();
    return;
  }
  const std::span<char> space = decoder_->prepare(kReadChunk);
  socket_.async_read_some(boost::asio::buffer(space.data(), space.size()),
                          [self = shared_from_this()](boost::system::error_code e, std::size_t n) {
                            // Unmetered read: if a cap was set meanwhile, it is paid for now.
                            self->down_path_.charge(static_cast<std::int64_t>(n));
                            self->on_read(e, n);
                          });
}

// Under a download cap: wait until the socket has data, ask for that much quota, and read only
// what was granted. The rest stays in the kernel, the receive window closes, and TCP slows the
// sender; no quota is held while the peer is silent.
void PeerConnection::read_throttled() {
  auto self = shared_from_this();
  socket_.async_wait(tcp::socket::wait_read, [self](boost::system::error_code e) {
    if (self->closed_) {
      self->read_pending_ = false;
      return;
    }
    boost::system::error_code ec;
    const std::size_t available = e ? 0 : self->socket_.available(ec);
    if (e || ec || available == 0) {
      // End of stream or an error: let a plain read report it.
      const std::span<char> space = self->decoder_->prepare(1);
      self->socket_.async_read_some(boost::asio::buffer(space.data(), space.size()),
                                    [self](boost::system::error_code e2, std::size_t n) {
                                      self->down_path_.charge(static_cast<std::int64_t>(n));
                                      self->on_read(e2, n);
                                    });
      return;
    }
    auto read_granted = [self](std::int64_t granted) {
      self->download_waiting_ = false;
      if (self->closed_) return;
      const std::span<char> space = self->decoder_->prepare(static_cast<std::size_t>(granted));
      self->socket_.async_read_some(boost::asio::buffer(space.data(), space.size()),
                                    [self, granted](boost::system::error_code e2, std::size_t n) {
                                      self->down_path_.give_back(granted - static_cast<std::int64_t>(n));
                                      self->on_read(e2, n);
                                    });
    };
    const auto want = static_cast<std::int64_t>(std::min(available, kReadChunk));
    const std::int64_t now_granted =
        self->gate_->download.request(self->id_, self->down_path_, want, read_granted, std::chrono::steady_clock::now());
    if (now_granted > 0) {
      read_granted(now_granted);
    } else {
      self->download_waiting_ = true;
      self->gate_->wake();
    }
  });
}

void PeerConnection::on_read(boost::system::error_code e, std::size_t n) {
  read_pending_ = false;
  if (closed_) return;
  if (e) {
    close(e == boost::asio::error::eof ? "peer closed the connection" : e.message());
    return;
  }
  decoder_->commit(n);
  bytes_received_ += static_cast<std::int64_t>(n);
  last_received_ = std::chrono::steady_clock::now();
  wire_down_.add(static_cast<std::int64_t>(n), last_received_);
  for (;;) {
    auto next = decoder_->next();
    if (!next) {
      close("protocol error: " + next.error().message);
      return;
    }
    if (!*next) break;
    owner_->on_peer_message(*this, std::move(**next));
    if (closed_) return;
  }
  owner_->on_peer_read_done(*this);
  if (closed_) return;
  read_loop();
}

void PeerConnection::send(const wire::Message& m) {
  if (closed_ || overflowing_) return;
  std::string bytes;
  wire::append_message(bytes, m);
  if (control_bytes_ + bytes.size() > kMaxControlBytes) {
    // A peer that never reads would grow this queue without end. Closing from inside a send
    // could pull the peer's state from under its caller: close on the next turn.
    overflowing_ = true;
    boost::asio::post(socket_.get_executor(), [self = shared_from_this()] {
      self->close("send queue full: the peer is not reading (" + std::to_string(self->control_bytes_) +
                  " bytes of messages waiting)");
    });
    return;
  }
  queued_bytes_ += bytes.size();
  control_bytes_ += bytes.size();
  control_.push_back(std::move(bytes));
  schedule_flush();
}

void PeerConnection::schedule_flush() {
  // Messages queued in the same turn of the event loop leave in one gathered write.
  if (flush_posted_ || writing_) return;
  flush_posted_ = true;
  boost::asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->flush_posted_ = false;
    self->flush();
  });
}

void PeerConnection::send_block(std::uint32_t piece, std::uint32_t begin, std::string data) {
  if (closed_) return;
  Block b;
  b.piece = piece;
  b.begin = begin;
  wire::append_piece_header(b.header, piece, begin, static_cast<std::uint32_t>(data.size()));
  b.data = std::move(data);
  queued_bytes_ += b.size();
  payload_bytes_ += b.size();
  blocks_.push_back(std::move(b));
  schedule_flush();
}

std::size_t PeerConnection::cancel_block(std::uint32_t piece, std::uint32_t begin) {
  std::size_t in_flight = writing_payload_;  // the front of the queue is being written
  for (auto it = blocks_.begin(); it != blocks_.end(); ++it) {
    const std::size_t left = it->size() - it->sent;
    if (in_flight > 0 || it->sent > 0) {
      in_flight -= std::min(in_flight, left);
      continue;
    }
    if (it->piece == piece && it->begin == begin && it->size() > 0) {
      // Emptied, not erased: erasing from a deque's middle can move the blocks in flight, and
      // their short headers live inside the string objects the socket is reading from.
      const std::size_t n = it->data.size();
      queued_bytes_ -= it->size();
      payload_bytes_ -= it->size();
      it->header = std::string();
      it->data = std::string();
      return n;
    }
  }
  return 0;
}

void PeerConnection::on_upload_grant(std::int64_t bytes) {
  upload_waiting_ = false;
  if (closed_) return;
  upload_grant_ += bytes;
  flush();
}

void PeerConnection::flush() {
  if (writing_ || closed_ || !socket_.is_open()) return;
  std::vector<boost::asio::const_buffer> bufs;
  // Protocol messages first, but never into the middle of a block already partly on the wire.
  std::size_t control_bytes = 0;
  writing_control_ = 0;
  if (blocks_.empty() || blocks_.front().sent == 0) {
    for (const std::string& m : control_) {
      bufs.emplace_back(m.data(), m.size());
      control_bytes += m.size();
    }
    writing_control_ = control_.size();
  }
  // Payload: everything when unthrottled, else what the upload caps granted.
  std::size_t allowance = payload_bytes_;
  if (gate_ != nullptr && up_path_.limited()) {
    // Quota is gathered up to a whole block before writing: trickling a few KiB at a time made
    // many small segments, and the wire showed periodic stalls and catch-up bursts around a
    // steady cap (more bytes sent than written: retransmissions, it seems).
    constexpr std::size_t kMaxGrant = 64 * 1024;
    const std::size_t chunk = std::min(payload_bytes_, kMinPayloadWrite);
    // A partial grant at once is followed by a queued request for the rest (the loop's second
    // turn finds the buckets empty), so a grant always comes back to finish the chunk.
    while (static_cast<std::size_t>(upload_grant_) < chunk && !upload_waiting_) {
      const auto want = static_cast<std::int64_t>(std::min(payload_bytes_, kMaxGrant)) - upload_grant_;
      const std::int64_t granted = gate_->upload.request(
          id_, up_path_, want, [self = shared_from_this()](std::int64_t g) { self->on_upload_grant(g); },
          std::chrono::steady_clock::now());
      if (granted > 0) {
        upload_grant_ += granted;
      } else {
        upload_waiting_ = true;
        gate_->wake();
      }
    }
    allowance = static_cast<std::size_t>(upload_grant_) >= chunk
                    ? std::min(payload_bytes_, static_cast<std::size_t>(upload_grant_))
                    : 0;
    upload_grant_ -= static_cast<std::int64_t>(allowance);
  }
  writing_payload_ = allowance;
  for (const Block& b : blocks_) {
    if (allowance == 0) break;
    std::size_t at = b.sent;
    if (at < b.header.size()) {
      const std::size_t n = std::min(allowance, b.header.size() - at);
      bufs.emplace_back(b.header.data() + at, n);
      allowance -= n;
      at += n;
    }
    if (allowance > 0 && at < b.size()) {
      const std::size_t off = at - b.header.size();
      const std::size_t n = std::min(allowance, b.data.size() - off);
      bufs.emplace_back(b.data.data() + off, n);
      allowance -= n;
    }
  }
  if (bufs.empty()) return;
  up_path_.charge(static_cast<std::int64_t>(control_bytes));
  writing_ = true;
  auto self = shared_from_this();
  boost::asio::async_write(socket_, bufs, [self](boost::system::error_code e, std::size_t n) {
    self->writing_ = false;
    const auto now = std::chrono::steady_clock::now();
    self->queued_bytes_ -= n;
    self->bytes_sent_ += static_cast<std::int64_t>(n);
    self->last_sent_ = now;
    self->wire_up_.add(static_cast<std::int64_t>(n), now);
    if (self->closed_) return;
    if (e) {
      self->close("write: " + e.message());
      return;
    }
    for (std::size_t i = 0; i < self->writing_control_; ++i) {
      self->control_bytes_ -= self->control_.front().size();
      self->control_.pop_front();
    }
    self->writing_control_ = 0;
    std::size_t done = self->writing_payload_;
    self->payload_bytes_ -= done;
    self->writing_payload_ = 0;
    while (done > 0) {
      Block& b = self->blocks_.front();
      const std::size_t n2 = std::min(done, b.size() - b.sent);
      b.sent += n2;
      done -= n2;
      if (b.sent == b.size()) self->blocks_.pop_front();
    }
    while (!self->blocks_.empty() && self->blocks_.front().size() == 0) self->blocks_.pop_front();  // cancelled
    // Room in the queue: a chance to queue more blocks before it runs dry.
    if (self->owner_) self->owner_->on_peer_drained(*self);
    self->flush();
  });
}

void PeerConnection::close(const std::string& reason) {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  timer_.cancel();
  control_.clear();
  control_bytes_ = 0;
  blocks_.clear();
  if (gate_ != nullptr) {
    // Queued requests hold a reference to us; without them we can go.
    gate_->upload.cancel(id_);
    gate_->download.cancel(id_);
  }
  if (owner_) {
    Owner* o = owner_;
    owner_ = nullptr;
    o->on_peer_closed(*this, reason);
  }
}

}  // namespace tessera
