// Errors reported by the peer-wire codec. Any of them means the connection must be closed.
#pragma once

#include <cstdint>
#include <string>

namespace tessera::wire {

struct ProtocolError {
  enum class Code : std::uint8_t {
    handshake_too_short = 1,  // fewer than 68 bytes given to decode_handshake
    bad_protocol_string,      // not "\x13BitTorrent protocol" (plain BitTorrent only)
    message_too_long,         // length prefix beyond the largest legal message for its id
    message_too_short,        // length prefix below the smallest legal message for its id
    bitfield_spare_bits,      // bits past the last piece are set
    piece_out_of_range,       // have/suggest/allowed_fast/request/... for a piece we do not have
    block_out_of_range,       // begin + length past the end of the piece
    bad_block_length,         // block length 0 or above the block limit
    bad_extension_handshake,  // BEP 10 handshake that is not a bencoded dictionary
    bad_extension_message,    // a ut_metadata message that cannot be read
    bad_pex_message,          // ut_pex payload that is not a bencoded dictionary, or too large
  };
  Code code;
  std::string message;  // one line for a log, e.g. "have index 900 out of range (800 pieces)"
};

}  // namespace tessera::wire
