#include "wire/message_decoder.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "wire/byte_order.hpp"

namespace tessera::wire {
namespace {

using detail::get_u16;
using detail::get_u32;
using Code = ProtocolError::Code;

// An empty buffer larger than this is released, so one large extension message does not pin
// its memory for the life of the connection.
constexpr std::size_t kShrinkAbove = std::size_t{256} << 10;
// A bitfield before the metadata is known: room for four million pieces, no more.
constexpr std::uint64_t kMaxUnknownBitfieldBytes = std::uint64_t{1} << 19;

// nullptr for ids we do not implement.
const char* message_name(std::uint8_t id) {
  switch (static_cast<MessageId>(id)) {
    case MessageId::choke:
      return "choke";
    case MessageId::unchoke:
      return "unchoke";
    case MessageId::interested:
      return "interested";
    case MessageId::not_interested:
      return "not interested";
    case MessageId::have:
      return "have";
    case MessageId::bitfield:
      return "bitfield";
    case MessageId::request:
      return "request";
    case MessageId::piece:
      return "piece";
    case MessageId::cancel:
      return "cancel";
    case MessageId::port:
      return "port";
    case MessageId::suggest:
      return "suggest";
    case MessageId::have_all:
      return "have all";
    case MessageId::have_none:
      return "have none";
    case MessageId::reject:
      return "reject";
    case MessageId::allowed_fast:
      return "allowed fast";
    case MessageId::extended:
      return "extended";
  }
  return nullptr;
}

bool is_known(std::uint8_t id) {
  return message_name(id) != nullptr;
}

// Legal range of the length prefix (which counts the id byte) for each id.
struct LengthRange {
  std::uint64_t min;
  std::uint64_t max;
};

}  // namespace

std::int64_t TorrentShape::piece_size(std::uint32_t piece) const {
  if (piece >= piece_count) return 0;
  if (piece + 1 < piece_count) return piece_length;
  return total_size - piece_length * std::int64_t{piece_count - 1};
}

MessageDecoder::MessageDecoder(TorrentShape shape, DecoderLimits limits) : shape_(shape), limits_(limits) {}

std::span<char> MessageDecoder::prepare(std::size_t n) {
  if (error_) begin_ = end_ = skip_ = 0;  // nothing more will be decoded: keep memory bounded
  if (begin_ == end_) {
    begin_ = end_ = 0;
    if (buf_.capacity() > kShrinkAbove && n <= kShrinkAbove) std::vector<char>().swap(buf_);
  }
  if (buf_.size() - end_ < n) {
    if (begin_ > 0) {  // compact: the unread tail is at most one partial message
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (buf_.size() - end_ < n) buf_.resize(end_ + n);
  }
  prepared_ = n;
  return {buf_.data() + end_, n};
}

void MessageDecoder::commit(std::size_t n) {
  end_ += std::min(n, prepared_);
  prepared_ = 0;
}

void MessageDecoder::feed(std::string_view bytes) {
  const std::span<char> space = prepare(bytes.size());
  if (!bytes.empty()) std::memcpy(space.data(), bytes.data(), bytes.size());
  commit(bytes.size());
}

expected<std::optional<Message>, ProtocolError> MessageDecoder::fail(Code code, std::string message) {
  error_ = ProtocolError{code, std::move(message)};
  return unexpected(*error_);
}

std::optional<ProtocolError> MessageDecoder::check_length(std::uint8_t id, std::uint32_t length) const {
  LengthRange r{1, 1};
  switch (static_cast<MessageId>(id)) {
    case MessageId::choke:
    case MessageId::unchoke:
    case MessageId::interested:
    case MessageId::not_interested:
    case MessageId::have_all:
    case MessageId::have_none:
      break;
    case MessageId::have:
    case MessageId::suggest:
    case MessageId::allowed_fast:
      r = {5, 5};
      break;
    case MessageId::request:
    case MessageId::cancel:
    case MessageId::reject:
      r = {13, 13};
      break;
    case MessageId::port:
      r = {3, 3};
      break;
    case MessageId::bitfield: {
      const std::uint64_t exact = 1 + (std::uint64_t{shape_.piece_count} + 7) / 8;
      r = shape_.known ? LengthRange{exact, exact} : LengthRange{1, 1 + kMaxUnknownBitfieldBytes};
      break;
    }
    case MessageId::piece:
      r = {9, 9 + std::uint64_t{limits_.max_block}};
      break;
    case MessageId::extended:
      r = {2, limits_.max_extended};
      break;
    default:
      r = {1, limits_.max_unknown};
      break;
  }
  const char* name = message_name(id);
  const std::string what = name != nullptr ? name : "unknown message";
  if (length > r.max) {
    return ProtocolError{Code::message_too_long, "message too long: " + std::to_string(length) +
                                                     " bytes for id " + std::to_string(id) + " (" + what +
                                                     ", at most " + std::to_string(r.max) + ")"};
  }
  if (length < r.min) {
    return ProtocolError{Code::message_too_short, "message too short: " + std::to_string(length) +
                                                      " bytes for id " + std::to_string(id) + " (" + what +
                                                      ", at least " + std::to_string(r.min) + ")"};
  }
  return std::nullopt;
}

std::optional<ProtocolError> MessageDecoder::check_piece(const char* what, std::uint32_t piece) const {
  if (piece < shape_.piece_count || !shape_.known) return std::nullopt;
  return ProtocolError{Code::piece_out_of_range, std::string(what) + " index " + std::to_string(piece) +
                                                     " out of range (" + std::to_string(shape_.piece_count) +
                                                     " pieces)"};
}

std::optional<ProtocolError> MessageDecoder::check_block(const char* what, std::uint32_t piece,
                                                         std::uint32_t begin, std::uint32_t length) const {
  if (auto e = check_piece(what, piece)) return e;
  // "request 9:4096+1000": piece, offset and length of the block as the peer gave them.
  const std::string block = std::string(what) + ' ' + std::to_string(piece) + ':' + std::to_string(begin) +
                            '+' + std::to_string(length);
  if (length == 0) return ProtocolError{Code::bad_block_length, block + " is an empty block"};
  if (length > limits_.max_block) {
    return ProtocolError{Code::bad_block_length,
                         block + " exceeds the block limit of " + std::to_string(limits_.max_block)};
  }
  const std::int64_t size = shape_.piece_size(piece);
  if (shape_.known && std::int64_t{begin} + std::int64_t{length} > size) {
    return ProtocolError{Code::block_out_of_range,
                         block + " past the end of the piece (" + std::to_string(size) + " bytes)"};
  }
  return std::nullopt;
}

void MessageDecoder::discard_skipped() {
  const std::size_t n = std::min<std::size_t>(skip_, end_ - begin_);
  begin_ += n;
  skip_ -= static_cast<std::uint32_t>(n);
}

expected<std::optional<Message>, ProtocolError> MessageDecoder::next() {
  if (error_) return unexpected(*error_);
  if (skip_ > 0) {
    discard_skipped();
    if (skip_ > 0) return std::optional<Message>();
  }
  const std::size_t available = end_ - begin_;
  if (available < 4) return std::optional<Message>();
  const char* p = buf_.data() + begin_;
  const std::uint32_t length = get_u32(p);
  if (length == 0) {
    begin_ += 4;
    return std::optional<Message>(KeepAlive{});
  }
  if (available < 5) return std::optional<Message>();
  const auto id = static_cast<std::uint8_t>(p[4]);
  if (auto e = check_length(id, length)) return fail(e->code, std::move(e->message));

  if (!is_known(id)) {
    // Skip the body as it arrives instead of holding it.
    begin_ += 5;
    skip_ = length - 1;
    discard_skipped();
    return std::optional<Message>(Unknown{id});
  }
  // A piece's header can be judged before its block has arrived.
  if (id == static_cast<std::uint8_t>(MessageId::piece) && available >= 13) {
    if (auto e = check_block("piece", get_u32(p + 5), get_u32(p + 9), length - 9)) {
      return fail(e->code, std::move(e->message));
    }
  }
  if (available - 4 < length) return std::optional<Message>();

  const char* body = p + 5;
  const std::size_t body_size = length - 1;
  std::optional<Message> out;
  switch (static_cast<MessageId>(id)) {
    case MessageId::choke:
      out = Choke{};
      break;
    case MessageId::unchoke:
      out = Unchoke{};
      break;
    case MessageId::interested:
      out = Interested{};
      break;
    case MessageId::not_interested:
      out = NotInterested{};
      break;
    case MessageId::have_all:
      out = HaveAll{};
      break;
    case MessageId::have_none:
      out = HaveNone{};
      break;
    case MessageId::have:
    case MessageId::suggest:
    case MessageId::allowed_fast: {
      const std::uint32_t piece = get_u32(body);
      if (auto e = check_piece(message_name(id), piece)) return fail(e->code, std::move(e->message));
      if (id == static_cast<std::uint8_t>(MessageId::have)) {
        out = Have{piece};
      } else if (id == static_cast<std::uint8_t>(MessageId::suggest)) {
        out = Suggest{piece};
      } else {
        out = AllowedFast{piece};
      }
      break;
    }
    case MessageId::request:
    case MessageId::cancel:
    case MessageId::reject: {
      const std::uint32_t piece = get_u32(body);
      const std::uint32_t begin = get_u32(body + 4);
      const std::uint32_t len = get_u32(body + 8);
      if (auto e = check_block(message_name(id), piece, begin, len))
        return fail(e->code, std::move(e->message));
      if (id == static_cast<std::uint8_t>(MessageId::request)) {
        out = Request{piece, begin, len};
      } else if (id == static_cast<std::uint8_t>(MessageId::cancel)) {
        out = Cancel{piece, begin, len};
      } else {
        out = Reject{piece, begin, len};
      }
      break;
    }
    case MessageId::piece: {
      const std::uint32_t piece = get_u32(body);
      const std::uint32_t begin = get_u32(body + 4);
      // Checked again for the case where the whole message arrived at once (cheap).
      if (auto e = check_block("piece", piece, begin, length - 9))
        return fail(e->code, std::move(e->message));
      out = Piece{piece, begin, std::string_view(body + 8, body_size - 8)};
      break;
    }
    case MessageId::bitfield: {
      Bitfield bits;
      const std::uint32_t count = shape_.known ? shape_.piece_count : static_cast<std::uint32_t>(body_size * 8);
      if (!Bitfield::from_bytes(std::string_view(body, body_size), count, bits)) {
        // The length was checked exactly above, so only spare bits can be wrong here.
        return fail(Code::bitfield_spare_bits, "bitfield has spare bits set");
      }
      out = BitfieldMsg{std::move(bits)};
      break;
    }
    case MessageId::port:
      out = Port{get_u16(body)};
      break;
    case MessageId::extended:
      out = Extended{static_cast<std::uint8_t>(body[0]), std::string(body + 1, body_size - 1)};
      break;
  }
  begin_ += 4 + std::size_t{length};
  return out;
}

}  // namespace tessera::wire
