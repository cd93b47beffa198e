// libFuzzer target: KRPC (BEP 5) datagrams. Whatever decodes must hold to the bounds, encode
// canonically, and decode again to the same message; whatever fails must say why in one line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "dht/krpc.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tessera::dht;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto m = decode_message(input);
  if (!m) {
    const DecodeError& e = m.error();
    if (e.message.empty() || e.message.find('\n') != std::string::npos) std::abort();
    if (e.transaction_id && e.transaction_id->size() > kMaxTransactionId) std::abort();
    if (const auto reply = error_reply_for(e)) {
      // The reply we would send must itself be a valid KRPC error.
      auto parsed = decode_message(encode_message(*reply));
      if (!parsed || !std::holds_alternative<ErrorReply>(parsed->body)) std::abort();
    }
    return 0;
  }
  if (m->transaction_id.size() > kMaxTransactionId) std::abort();
  if (m->client_version && m->client_version->size() > kMaxClientVersion) std::abort();
  if (const auto* r = std::get_if<Response>(&m->body)) {
    if (r->nodes.size() > kMaxNodes || r->nodes6.size() > kMaxNodes || r->values.size() > kMaxValues)
      std::abort();
    if (r->token && r->token->size() > kMaxToken) std::abort();
  }
  if (const auto* q = std::get_if<Query>(&m->body); q && q->token.size() > kMaxToken) std::abort();
  const std::string encoded = encode_message(*m);
  auto again = decode_message(encoded);
  if (!again || !(*again == *m)) std::abort();
  if (encode_message(*again) != encoded) std::abort();
  return 0;
}
