// Incremental peer-wire decoder: bytes in (in pieces of any size), validated messages out.
//
// Every length prefix is checked against the largest legal message for its id before any of the
// body is waited for, so a hostile peer cannot make us buffer or allocate more than
// 9 + max_block bytes for a piece, one bitfield of the torrent's size, max_extended for an
// extension message, or max_unknown for an id we do not know (whose body is discarded as it
// arrives, never held). Indices and block ranges are checked against the torrent's shape.
//
// The decoder knows nothing of peer state: whether a peer may send have_all (only after
// negotiating BEP 6) or a bitfield (only first) is for the caller to judge.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "tessera/expected.hpp"
#include "wire/messages.hpp"
#include "wire/protocol_error.hpp"

namespace tessera::wire {

struct TorrentShape {
  std::uint32_t piece_count = 0;
  std::int64_t piece_length = 0;
  std::int64_t total_size = 0;
  // False before a magnet torrent's metadata is in: indices and block ranges cannot be checked
  // (the owner ignores such messages then), and a bitfield may have any length up to a cap.
  bool known = true;

  static TorrentShape unknown() { return TorrentShape{0, 0, 0, false}; }

  // Size of piece `piece` (the last one may be short); 0 when out of range.
  std::int64_t piece_size(std::uint32_t piece) const;
};

struct DecoderLimits {
  std::uint32_t max_block = 16 * 1024;   // largest block in request/cancel/reject/piece
  std::uint32_t max_extended = 1 << 20;  // largest extended message, counted like its length prefix
  std::uint32_t max_unknown = 1 << 16;   // largest message with an id we do not implement
};

class MessageDecoder {
 public:
  explicit MessageDecoder(TorrentShape shape, DecoderLimits limits = {});

  // Writable space of exactly n bytes at the end of the buffer, for a socket read to fill
  // without an extra copy. Moves unread bytes to the front when that avoids growing, so a steady
  // stream of messages reuses one buffer. Invalidates views from earlier messages.
  std::span<char> prepare(std::size_t n);
  // n bytes were written into the space returned by the last prepare() (n is capped to it).
  void commit(std::size_t n);
  // Convenience: prepare + copy + commit.
  void feed(std::string_view bytes);

  // The next complete message; nullopt when more bytes are needed; an error means the
  // connection must be closed. Stops at the first error (further calls return the same error).
  // A returned Piece's data views this decoder's buffer until the next call to the decoder.
  expected<std::optional<Message>, ProtocolError> next();

  // Bytes received and not yet decoded (or skipped).
  std::size_t buffered() const { return end_ - begin_; }
  // Bytes of buffer currently allocated; for tests and memory accounting.
  std::size_t capacity() const { return buf_.capacity(); }

  const TorrentShape& shape() const { return shape_; }
  const DecoderLimits& limits() const { return limits_; }

 private:
  expected<std::optional<Message>, ProtocolError> fail(ProtocolError::Code code, std::string message);
  std::optional<ProtocolError> check_length(std::uint8_t id, std::uint32_t length) const;
  std::optional<ProtocolError> check_piece(const char* what, std::uint32_t piece) const;
  std::optional<ProtocolError> check_block(const char* what, std::uint32_t piece, std::uint32_t begin,
                                           std::uint32_t length) const;
  void discard_skipped();

  TorrentShape shape_;
  DecoderLimits limits_;
  std::vector<char> buf_;
  std::size_t begin_ = 0;     // first unread byte
  std::size_t end_ = 0;       // one past the last received byte
  std::size_t prepared_ = 0;  // size of the last prepare() not yet committed
  std::uint32_t skip_ = 0;    // body bytes of an unknown message still to discard
  std::optional<ProtocolError> error_;
};

}  // namespace tessera::wire
