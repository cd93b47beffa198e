// libFuzzer target: the peer-wire decoder fed a byte stream in random-sized chunks.
//
// Input layout: bytes 0-1 piece count, byte 2 piece length exponent, bytes 3-4 how much shorter
// the last piece is, bytes 5-7 seed for the chunk sizes; the rest is the stream. Invariants:
// every decoded message re-encodes to exactly the bytes it came from (unknown ids: their header),
// decoded values respect the torrent's shape and the limits, errors are one line and sticky,
// and the buffer stays bounded.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "wire/handshake.hpp"
#include "wire/message_decoder.hpp"
#include "wire/message_encoder.hpp"

namespace {

using namespace tessera::wire;

void check(bool ok) {
  if (!ok) std::abort();
}

std::uint32_t be32(std::string_view s, std::size_t at) {
  return (std::uint32_t{static_cast<unsigned char>(s[at])} << 24) |
         (std::uint32_t{static_cast<unsigned char>(s[at + 1])} << 16) |
         (std::uint32_t{static_cast<unsigned char>(s[at + 2])} << 8) |
         std::uint32_t{static_cast<unsigned char>(s[at + 3])};
}

void check_block(const TorrentShape& shape, const DecoderLimits& limits, std::uint32_t piece,
                 std::uint32_t begin, std::uint64_t length) {
  check(piece < shape.piece_count);
  check(length > 0 && length <= limits.max_block);
  check(static_cast<std::int64_t>(begin + length) <= shape.piece_size(piece));
}

void check_message(const TorrentShape& shape, const DecoderLimits& limits, const Message& m) {
  if (const auto* have = std::get_if<Have>(&m)) check(have->piece < shape.piece_count);
  if (const auto* s = std::get_if<Suggest>(&m)) check(s->piece < shape.piece_count);
  if (const auto* a = std::get_if<AllowedFast>(&m)) check(a->piece < shape.piece_count);
  if (const auto* b = std::get_if<BitfieldMsg>(&m)) check(b->bits.size() == shape.piece_count);
  if (const auto* r = std::get_if<Request>(&m)) check_block(shape, limits, r->piece, r->begin, r->length);
  if (const auto* c = std::get_if<Cancel>(&m)) check_block(shape, limits, c->piece, c->begin, c->length);
  if (const auto* r = std::get_if<Reject>(&m)) check_block(shape, limits, r->piece, r->begin, r->length);
  if (const auto* p = std::get_if<Piece>(&m)) check_block(shape, limits, p->piece, p->begin, p->data.size());
  if (const auto* e = std::get_if<Extended>(&m)) check(e->payload.size() + 2 <= limits.max_extended);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 8) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  TorrentShape shape;
  shape.piece_count = (std::uint32_t{data[0]} << 8) | data[1];
  shape.piece_length = std::int64_t{16384} << (data[2] % 5);
  const std::int64_t shortfall = ((std::int64_t{data[3]} << 8) | data[4]) % shape.piece_length;
  shape.total_size = shape.piece_count == 0 ? 0 : shape.piece_length * shape.piece_count - shortfall;
  DecoderLimits limits;
  limits.max_extended = 4096;
  limits.max_unknown = 1024;
  std::uint32_t rng = (std::uint32_t{data[5]} << 16) | (std::uint32_t{data[6]} << 8) | data[7];
  const std::string_view stream = input.substr(8);

  // The handshake codec rides along: whatever decodes must encode to the same 68 bytes.
  if (auto h = decode_handshake(stream)) check(encode_handshake(*h) == stream.substr(0, kHandshakeSize));

  MessageDecoder d(shape, limits);
  std::size_t fed = 0;
  std::size_t pos = 0;  // where the next message must start in the stream
  std::string encoded;
  while (true) {
    auto m = d.next();
    if (!m) {
      check(!m.error().message.empty() && m.error().message.find('\n') == std::string::npos);
      d.feed(stream.substr(fed, 16));
      auto again = d.next();
      check(!again && again.error().code == m.error().code && again.error().message == m.error().message);
      break;
    }
    if (m->has_value()) {
      const Message& msg = **m;
      check_message(shape, limits, msg);
      if (const auto* u = std::get_if<Unknown>(&msg)) {
        check(pos + 5 <= fed && static_cast<std::uint8_t>(stream[pos + 4]) == u->id);
        pos += 4 + std::size_t{be32(stream, pos)};
      } else {
        encoded.clear();
        append_message(encoded, msg);
        check(pos + encoded.size() <= fed && stream.substr(pos, encoded.size()) == encoded);
        pos += encoded.size();
      }
      continue;
    }
    // Needs more: everything before `pos` was consumed, or an unknown body is still being skipped.
    check(pos == fed - d.buffered() || (pos > fed && d.buffered() == 0));
    if (fed == stream.size()) break;
    rng = rng * 1103515245u + 12345u;
    std::size_t n = 1 + (rng >> 8) % 300;
    if ((rng & 0xF) == 0) n = 1;
    n = std::min(n, stream.size() - fed);
    if (rng & 0x10) {
      d.feed(stream.substr(fed, n));
    } else {  // read in place, sometimes short of what was prepared
      const std::span<char> space = d.prepare(n + (rng & 0x20 ? 7 : 0));
      std::memcpy(space.data(), stream.data() + fed, n);
      d.commit(n);
    }
    fed += n;
    // Bounded: one partial message (at most a full piece or extension message) plus one read.
    check(d.buffered() <= 4 + 9 + limits.max_block + limits.max_extended + 320);
    check(d.capacity() <= 4 * (limits.max_extended + 9 + limits.max_block + 320));
  }
  return 0;
}
