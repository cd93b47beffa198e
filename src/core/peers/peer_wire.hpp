// What a peer's protocol state needs of its connection: to send messages and blocks, and to
// withdraw a queued block. PeerConnection implements it; tests record what would be sent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "wire/messages.hpp"

namespace tessera {

class PeerWire {
 public:
  virtual ~PeerWire() = default;
  virtual void send(const wire::Message& m) = 0;
  // Payload: leaves only as fast as the upload caps grant.
  virtual void send_block(std::uint32_t piece, std::uint32_t begin, std::string data) = 0;
  // Withdraws a queued block that has not started to leave; returns its size, or 0.
  virtual std::size_t cancel_block(std::uint32_t piece, std::uint32_t begin) = 0;
};

}  // namespace tessera
