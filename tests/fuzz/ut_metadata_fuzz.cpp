// libFuzzer target: ut_metadata messages (BEP 9) as a peer sends them, through the decoder,
// PeerExtensions and a MetadataFetch. Whatever decodes must encode and decode to the same
// message; whatever fails must say why in one line; the fetch keeps its bounds whatever arrives.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "metadata/metadata_fetch.hpp"
#include "peers/peer_extensions.hpp"
#include "wire/ut_metadata.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tessera;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto m = wire::decode_metadata_message(input);
  if (!m) {
    if (m.error().message.empty() || m.error().message.find('\n') != std::string::npos) std::abort();
  } else {
    if (m->data.size() > static_cast<std::size_t>(wire::kMetadataPieceSize)) std::abort();
    if (m->type != wire::MetadataMessage::Type::data && !m->data.empty()) std::abort();
    auto again = wire::decode_metadata_message(wire::encode_metadata_message(*m));
    if (!again || !(*again == *m)) std::abort();
  }

  // The same bytes as the peer's extension messages, handshake and ut_metadata alike.
  PeerExtensions ext;
  const ExtensionEvent hs = ext.on_extended(wire::Extended{0, std::string(input)});
  if (hs.violation) std::abort();  // a bad handshake costs only the hint
  const ExtensionEvent ev = ext.on_extended(wire::Extended{kUtMetadataId, std::string(input)});
  if (ev.violation.has_value() == ev.metadata.has_value()) std::abort();

  // A fetch of a 40 000-byte dictionary: the message answers a request, or tries to.
  static const std::string info(40000, 'i');
  MetadataFetch fetch(sha1(info));
  const auto now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  fetch.add_peer(1, ext.metadata_size().value_or(40000));
  fetch.add_peer(2, 40000);
  (void)fetch.requests_for(1, now);
  if (m && m->type == wire::MetadataMessage::Type::data) {
    const auto out = fetch.on_data(1, *m, now);
    if (out.complete && fetch.metadata() != info) std::abort();
  } else if (m && m->type == wire::MetadataMessage::Type::reject) {
    fetch.on_reject(1, m->piece, now);
  }
  if (fetch.pieces_received() > fetch.pieces_total() || fetch.size() > MetadataFetchLimits{}.max_size) std::abort();
  return 0;
}
