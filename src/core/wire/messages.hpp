// The peer-wire messages of BEP 3, the Fast extension (BEP 6) and the extension protocol
// (BEP 10), as plain values. Encoding lives in message_encoder.hpp, decoding in
// message_decoder.hpp; neither knows anything about sockets or peer state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "bitfield/bitfield.hpp"

namespace tessera::wire {

// Message ids on the wire. A keep-alive has no id (its length prefix is zero).
enum class MessageId : std::uint8_t {
  choke = 0,
  unchoke = 1,
  interested = 2,
  not_interested = 3,
  have = 4,
  bitfield = 5,
  request = 6,
  piece = 7,
  cancel = 8,
  port = 9,           // DHT port (BEP 5)
  suggest = 13,       // BEP 6
  have_all = 14,      // BEP 6
  have_none = 15,     // BEP 6
  reject = 16,        // BEP 6
  allowed_fast = 17,  // BEP 6
  extended = 20,      // BEP 10
};

struct KeepAlive {
  friend bool operator==(const KeepAlive&, const KeepAlive&) = default;
};
struct Choke {
  friend bool operator==(const Choke&, const Choke&) = default;
};
struct Unchoke {
  friend bool operator==(const Unchoke&, const Unchoke&) = default;
};
struct Interested {
  friend bool operator==(const Interested&, const Interested&) = default;
};
struct NotInterested {
  friend bool operator==(const NotInterested&, const NotInterested&) = default;
};
struct Have {
  std::uint32_t piece = 0;
  friend bool operator==(const Have&, const Have&) = default;
};
struct BitfieldMsg {
  Bitfield bits;
  friend bool operator==(const BitfieldMsg&, const BitfieldMsg&) = default;
};
struct Request {
  std::uint32_t piece = 0;
  std::uint32_t begin = 0;
  std::uint32_t length = 0;
  friend bool operator==(const Request&, const Request&) = default;
};
// A block of data. When it comes from MessageDecoder, `data` views the decoder's buffer and is
// valid only until the next call to that decoder: copy or hand it to storage before then. This
// saves one copy per 16 KiB block. When encoding, `data` may view any buffer.
struct Piece {
  std::uint32_t piece = 0;
  std::uint32_t begin = 0;
  std::string_view data;
  friend bool operator==(const Piece&, const Piece&) = default;  // compares the bytes
};
struct Cancel {
  std::uint32_t piece = 0;
  std::uint32_t begin = 0;
  std::uint32_t length = 0;
  friend bool operator==(const Cancel&, const Cancel&) = default;
};
struct Port {
  std::uint16_t port = 0;
  friend bool operator==(const Port&, const Port&) = default;
};
struct Suggest {
  std::uint32_t piece = 0;
  friend bool operator==(const Suggest&, const Suggest&) = default;
};
struct HaveAll {
  friend bool operator==(const HaveAll&, const HaveAll&) = default;
};
struct HaveNone {
  friend bool operator==(const HaveNone&, const HaveNone&) = default;
};
struct Reject {
  std::uint32_t piece = 0;
  std::uint32_t begin = 0;
  std::uint32_t length = 0;
  friend bool operator==(const Reject&, const Reject&) = default;
};
struct AllowedFast {
  std::uint32_t piece = 0;
  friend bool operator==(const AllowedFast&, const AllowedFast&) = default;
};
// BEP 10: id 0 is the extension handshake; other ids are those the receiver assigned in its
// own handshake's "m" dictionary.
struct Extended {
  std::uint8_t id = 0;
  std::string payload;
  friend bool operator==(const Extended&, const Extended&) = default;
};
// A message id we do not implement; the decoder discards its body as it arrives. Callers ignore it.
struct Unknown {
  std::uint8_t id = 0;
  friend bool operator==(const Unknown&, const Unknown&) = default;
};

using Message =
    std::variant<KeepAlive, Choke, Unchoke, Interested, NotInterested, Have, BitfieldMsg, Request, Piece,
                 Cancel, Port, Suggest, HaveAll, HaveNone, Reject, AllowedFast, Extended, Unknown>;

}  // namespace tessera::wire
