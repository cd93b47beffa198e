#include "net/peer_connection.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <vector>

#include "log/logging.hpp"
#include "wire/message_encoder.hpp"

namespace tessera {
namespace {
constexpr std::size_t kReadChunk = 256 * 1024;  // fewer syscalls; the decoder reuses the space
}

PeerConnection::PeerConnection(boost::asio::io_context& io, bool incoming)
    : socket_(io), timer_(io), incoming_(incoming) {}

PeerConnection::PeerConnection(tcp::socket socket)
    : socket_(std::move(socket)), timer_(socket_.get_executor()), incoming_(true) {
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
  pending_.push_back(std::move(bytes));
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

void PeerConnection::pause_reading() { read_paused_ = true; }

void PeerConnection::resume_reading() {
  if (!read_paused_) return;
  read_paused_ = false;
  if (!closed_ && decoder_ && !read_pending_) read_loop();
}

void PeerConnection::read_loop() {
  if (read_paused_ || read_pending_ || closed_) return;
  read_pending_ = true;
  auto self = shared_from_this();
  const std::span<char> space = decoder_->prepare(kReadChunk);
  socket_.async_read_some(boost::asio::buffer(space.data(), space.size()),
                          [self](boost::system::error_code e, std::size_t n) {
                            self->read_pending_ = false;
                            if (self->closed_) return;
                            if (e) {
                              self->close(e == boost::asio::error::eof ? "peer closed the connection" : e.message());
                              return;
                            }
                            self->decoder_->commit(n);
                            self->bytes_received_ += static_cast<std::int64_t>(n);
                            self->last_received_ = std::chrono::steady_clock::now();
                            for (;;) {
                              auto next = self->decoder_->next();
                              if (!next) {
                                self->close("protocol error: " + next.error().message);
                                return;
                              }
                              if (!*next) break;
                              self->owner_->on_peer_message(*self, std::move(**next));
                              if (self->closed_) return;
                            }
                            self->owner_->on_peer_read_done(*self);
                            if (self->closed_) return;
                            self->read_loop();
                          });
}

void PeerConnection::send(const wire::Message& m) {
  if (closed_) return;
  std::string bytes;
  wire::append_message(bytes, m);
  queued_bytes_ += bytes.size();
  pending_.push_back(std::move(bytes));
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
  std::string header;
  wire::append_piece_header(header, piece, begin, static_cast<std::uint32_t>(data.size()));
  queued_bytes_ += header.size() + data.size();
  pending_.push_back(std::move(header));
  pending_.push_back(std::move(data));
  schedule_flush();
}

void PeerConnection::flush() {
  if (writing_ || closed_ || pending_.empty() || !socket_.is_open()) return;
  writing_ = true;
  writing_bufs_.swap(pending_);
  std::vector<boost::asio::const_buffer> bufs;
  bufs.reserve(writing_bufs_.size());
  for (const std::string& s : writing_bufs_) bufs.emplace_back(s.data(), s.size());
  auto self = shared_from_this();
  boost::asio::async_write(socket_, bufs, [self](boost::system::error_code e, std::size_t n) {
    self->writing_ = false;
    self->writing_bufs_.clear();
    self->queued_bytes_ -= n;
    self->bytes_sent_ += static_cast<std::int64_t>(n);
    self->last_sent_ = std::chrono::steady_clock::now();
    if (self->closed_) return;
    if (e) {
      self->close("write: " + e.message());
      return;
    }
    if (self->pending_.empty()) {
      if (self->owner_) self->owner_->on_peer_drained(*self);
    }
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
  pending_.clear();
  if (owner_) {
    Owner* o = owner_;
    owner_ = nullptr;
    o->on_peer_closed(*this, reason);
  }
}

}  // namespace tessera
