#include "wire/handshake.hpp"

#include <algorithm>

namespace tessera::wire {

std::string encode_handshake(const Handshake& h) {
  std::string out;
  out.reserve(kHandshakeSize);
  out.append(kProtocolString);
  out.append(reinterpret_cast<const char*>(h.reserved.data()), h.reserved.size());
  out.append(h.info_hash.view());
  out.append(reinterpret_cast<const char*>(h.peer_id.data()), h.peer_id.size());
  return out;
}

expected<Handshake, ProtocolError> decode_handshake(std::string_view first_68_bytes) {
  if (first_68_bytes.size() < kHandshakeSize) {
    return unexpected(ProtocolError{
        ProtocolError::Code::handshake_too_short,
        "handshake too short: " + std::to_string(first_68_bytes.size()) + " bytes (expected 68)"});
  }
  const std::string_view in = first_68_bytes.substr(0, kHandshakeSize);
  if (in.substr(0, kProtocolString.size()) != kProtocolString) {
    return unexpected(ProtocolError{ProtocolError::Code::bad_protocol_string,
                                    "not a BitTorrent handshake (wrong protocol string)"});
  }
  Handshake h;
  std::size_t pos = kProtocolString.size();
  const auto take = [&](auto& array) {
    std::transform(in.begin() + static_cast<std::ptrdiff_t>(pos),
                   in.begin() + static_cast<std::ptrdiff_t>(pos + array.size()), array.begin(),
                   [](char c) { return static_cast<std::uint8_t>(c); });
    pos += array.size();
  };
  take(h.reserved);
  take(h.info_hash.bytes);
  take(h.peer_id);
  return h;
}

}  // namespace tessera::wire
