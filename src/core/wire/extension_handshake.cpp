#include "wire/extension_handshake.hpp"

#include <limits>

#include "bencode/document.hpp"
#include "bencode/value.hpp"
#include "wire/client_name.hpp"

namespace tessera::wire {
namespace {

// Real handshakes are a few hundred bytes; these bounds leave room for chatty clients.
bencode::Limits handshake_limits() {
  bencode::Limits limits;
  limits.max_input = 64 * 1024;
  limits.max_depth = 8;
  limits.max_tokens = 4096;
  return limits;
}

}  // namespace

std::string encode_extension_handshake(const ExtensionHandshake& h) {
  bencode::Value::Dict m;
  for (const auto& [name, id] : h.messages) m.emplace(name, bencode::Value(std::int64_t{id}));
  bencode::Value root(bencode::Value::Dict{});
  root.set("m", bencode::Value(std::move(m)));
  if (h.listen_port) root.set("p", std::int64_t{*h.listen_port});
  if (!h.client.empty()) root.set("v", h.client);
  if (h.request_queue) root.set("reqq", std::int64_t{*h.request_queue});
  if (h.metadata_size) root.set("metadata_size", *h.metadata_size);
  if (h.your_ip) root.set("yourip", *h.your_ip);
  return bencode::encode(root);
}

expected<ExtensionHandshake, ProtocolError> decode_extension_handshake(std::string_view payload) {
  auto doc = bencode::decode(payload, handshake_limits());
  if (!doc) {
    return unexpected(ProtocolError{ProtocolError::Code::bad_extension_handshake,
                                    "extension handshake is not valid bencode: " + doc.error().message()});
  }
  const bencode::Node root = doc->root();
  if (!root.is_dict()) {
    return unexpected(ProtocolError{ProtocolError::Code::bad_extension_handshake,
                                    "extension handshake is not a dictionary"});
  }
  ExtensionHandshake h;
  // Known keys with the wrong type or range are skipped, not fatal (see the header).
  if (const auto m = root.find_dict("m")) {
    for (auto it = m->begin(); it != m->end(); ++it) {
      const bencode::Node key = *it;
      const bencode::Node value = key.next_sibling();
      if (!value.is_int()) continue;
      const std::int64_t id = value.as_int();
      if (id < 0 || id > 255) continue;
      h.messages[std::string(key.as_string())] = static_cast<std::uint8_t>(id);
    }
  }
  if (const auto p = root.find_int("p"); p && *p > 0 && *p <= 65535) {
    h.listen_port = static_cast<std::uint16_t>(*p);
  }
  if (const auto v = root.find_string("v")) h.client = sanitize_client_name(*v);
  if (const auto q = root.find_int("reqq"); q && *q > 0 && *q <= std::numeric_limits<std::uint32_t>::max()) {
    h.request_queue = static_cast<std::uint32_t>(*q);
  }
  if (const auto s = root.find_int("metadata_size"); s && *s >= 0) h.metadata_size = *s;
  if (const auto ip = root.find_string("yourip"); ip && (ip->size() == 4 || ip->size() == 16)) {
    h.your_ip = std::string(*ip);
  }
  return h;
}

}  // namespace tessera::wire
