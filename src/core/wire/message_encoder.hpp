// Serialises peer-wire messages (BEP 3, 6, 10) onto the end of an output buffer.
#pragma once

#include <cstdint>
#include <string>

#include "wire/messages.hpp"

namespace tessera::wire {

// Appends the message with its 4-byte length prefix. Unknown{id} is written as a bare id.
// Precondition: payloads fit a 32-bit length (the decoder's limits are far below that).
void append_message(std::string& out, const Message& m);

// Appends only the 13-byte header of a piece message carrying `length` bytes of data, so the
// block itself can be written from its own buffer with a scatter-gather write.
void append_piece_header(std::string& out, std::uint32_t piece, std::uint32_t begin, std::uint32_t length);

}  // namespace tessera::wire
