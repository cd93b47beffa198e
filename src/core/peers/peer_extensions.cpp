#include "peers/peer_extensions.hpp"

#include <algorithm>

namespace tessera {

wire::ExtensionHandshake PeerExtensions::our_handshake(std::string client, std::uint16_t listen_port,
                                                       std::optional<std::uint32_t> request_queue,
                                                       std::int64_t metadata_size, bool pex) {
  wire::ExtensionHandshake h;
  h.messages[wire::kUtMetadata] = kUtMetadataId;
  if (pex) h.messages[wire::kUtPex] = kUtPexId;
  h.client = std::move(client);
  if (listen_port != 0) h.listen_port = listen_port;
  h.request_queue = request_queue;
  if (metadata_size > 0) h.metadata_size = metadata_size;
  return h;
}

ExtensionEvent PeerExtensions::on_extended(const wire::Extended& m) {
  ExtensionEvent ev;
  if (m.id == 0) {
    auto h = wire::decode_extension_handshake(m.payload);
    if (!h) return ev;  // an optional hint: a bad one costs nothing but the hint
    handshake_seen_ = true;
    // A later handshake may switch an extension off (id 0) or change its id.
    if (auto it = h->messages.find(wire::kUtMetadata); it != h->messages.end()) their_metadata_id_ = it->second;
    if (auto it = h->messages.find(wire::kUtPex); it != h->messages.end()) their_pex_id_ = it->second;
    if (h->metadata_size && *h->metadata_size > 0) metadata_size_ = h->metadata_size;
    ev.handshake = std::move(*h);
  } else if (m.id == kUtMetadataId) {
    auto msg = wire::decode_metadata_message(m.payload);
    if (!msg) {
      ev.violation = msg.error().message;
    } else {
      ev.metadata = std::move(*msg);
    }
  } else if (m.id == kUtPexId && pex_) {
    // Only a payload that is no dictionary, or too large, is a fault; odd entries are forgiven.
    auto msg = wire::decode_ut_pex(m.payload);
    if (!msg) {
      ev.violation = msg.error().message;
    } else {
      ev.pex = std::move(*msg);
    }
  }
  // Other ids: extensions we never offered; a peer may still send them, harmlessly.
  return ev;
}

std::optional<wire::Extended> PeerExtensions::metadata_message(const wire::MetadataMessage& m) const {
  if (their_metadata_id_ == 0) return std::nullopt;
  return wire::Extended{their_metadata_id_, wire::encode_metadata_message(m)};
}

std::optional<wire::Extended> PeerExtensions::pex_message(const wire::PexMessage& m) const {
  if (!offers_pex()) return std::nullopt;
  return wire::Extended{their_pex_id_, wire::encode_ut_pex(m)};
}

bool PeerExtensions::take_metadata_request(TimePoint now) {
  if (refilled_ != TimePoint{}) {
    const double seconds = std::chrono::duration<double>(now - refilled_).count();
    request_tokens_ = std::min(kRequestBurst, request_tokens_ + std::max(0.0, seconds) * kRequestsPerSecond);
  }
  refilled_ = now;
  if (request_tokens_ < 1) return false;
  request_tokens_ -= 1;
  return true;
}

}  // namespace tessera
