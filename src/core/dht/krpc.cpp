#include "dht/krpc.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "bencode/document.hpp"
#include "bencode/value.hpp"

namespace tessera::dht {
namespace {

namespace ip = boost::asio::ip;

// A datagram is small and flat: "a"/"r" dicts hold strings, ints and one list. Depth 8 lets an
// unknown method's deeper arguments (BEP 44 "put") still decode far enough to answer 204.
bencode::Limits krpc_limits() {
  bencode::Limits limits;
  limits.max_input = kMaxDatagram;
  limits.max_depth = 8;
  limits.max_tokens = 4096;
  return limits;
}

struct Failure {
  DecodeError::Code code;
  std::string message;
};

unexpected<Failure> fail(DecodeError::Code code, std::string message) {
  return unexpected(Failure{code, std::move(message)});
}

std::uint16_t read_port(std::string_view two) {
  return static_cast<std::uint16_t>((static_cast<unsigned>(static_cast<std::uint8_t>(two[0])) << 8) |
                                    static_cast<std::uint8_t>(two[1]));
}

// 6 bytes (IPv4 + port) or 18 bytes (IPv6 + port).
std::optional<std::pair<ip::address, std::uint16_t>> read_compact_endpoint(std::string_view raw) {
  if (raw.size() == 6) {
    ip::address_v4::bytes_type b;
    std::copy_n(raw.begin(), 4, b.begin());
    return std::pair{ip::address(ip::address_v4(b)), read_port(raw.substr(4))};
  }
  if (raw.size() == 18) {
    ip::address_v6::bytes_type b;
    std::copy_n(raw.begin(), 16, b.begin());
    return std::pair{ip::address(ip::address_v6(b)), read_port(raw.substr(16))};
  }
  return std::nullopt;
}

expected<NodeId, Failure> required_id(const bencode::Node& dict, std::string_view key) {
  const auto raw = dict.find_string(key);
  if (!raw)
    return fail(DecodeError::Code::bad_arguments, std::string("missing \"") + std::string(key) + "\"");
  const auto id = NodeId::from_bytes(*raw);
  if (!id) {
    return fail(DecodeError::Code::bad_arguments, std::string("\"") + std::string(key) + "\" is " +
                                                      std::to_string(raw->size()) + " bytes, not 20");
  }
  return *id;
}

expected<std::vector<CompactNode>, Failure> read_nodes(const bencode::Node& r, std::string_view key,
                                                       std::size_t entry_size) {
  std::vector<CompactNode> out;
  const auto found = r.find(key);
  if (!found) return out;
  if (!found->is_string()) {
    return fail(DecodeError::Code::bad_arguments,
                std::string("\"") + std::string(key) + "\" is not a string");
  }
  const std::string_view raw = found->as_string();
  if (raw.size() % entry_size != 0) {
    return fail(DecodeError::Code::bad_arguments,
                std::string("\"") + std::string(key) + "\" is " + std::to_string(raw.size()) +
                    " bytes, not a multiple of " + std::to_string(entry_size));
  }
  if (raw.size() / entry_size > kMaxNodes) {
    return fail(DecodeError::Code::bad_arguments, std::string("\"") + std::string(key) + "\" holds " +
                                                      std::to_string(raw.size() / entry_size) +
                                                      " nodes, more than " + std::to_string(kMaxNodes));
  }
  out.reserve(raw.size() / entry_size);
  for (std::size_t at = 0; at < raw.size(); at += entry_size) {
    out.push_back(*decode_compact_node(raw.substr(at, entry_size)));  // the size is right
  }
  return out;
}

expected<Query, Failure> read_query(const bencode::Node& root) {
  const auto name = root.find_string("q");
  if (!name) return fail(DecodeError::Code::bad_arguments, "query without a method name (\"q\")");
  Query q;
  if (*name == "ping") {
    q.method = Method::ping;
  } else if (*name == "find_node") {
    q.method = Method::find_node;
  } else if (*name == "get_peers") {
    q.method = Method::get_peers;
  } else if (*name == "announce_peer") {
    q.method = Method::announce_peer;
  } else {
    // Only printable bytes of a short name go into a log line.
    std::string shown;
    for (const char c : name->substr(0, 32)) shown += (c >= 0x20 && c < 0x7f) ? c : '?';
    return fail(DecodeError::Code::unknown_method, "unknown query method \"" + shown + "\"");
  }
  const auto a = root.find_dict("a");
  if (!a) return fail(DecodeError::Code::bad_arguments, "query without an argument dictionary (\"a\")");
  auto id = required_id(*a, "id");
  if (!id) return unexpected(std::move(id).error());
  q.id = *id;
  if (q.method == Method::find_node) {
    auto target = required_id(*a, "target");
    if (!target) return unexpected(std::move(target).error());
    q.target = *target;
  }
  if (q.method == Method::get_peers || q.method == Method::announce_peer) {
    auto info_hash = required_id(*a, "info_hash");
    if (!info_hash) return unexpected(std::move(info_hash).error());
    q.info_hash = *info_hash;
  }
  if (q.method == Method::announce_peer) {
    const auto token = a->find_string("token");
    if (!token) return fail(DecodeError::Code::bad_arguments, "announce_peer without a token");
    if (token->size() > kMaxToken) {
      return fail(DecodeError::Code::bad_arguments,
                  "announce_peer token of " + std::to_string(token->size()) + " bytes");
    }
    q.token = std::string(*token);
    const auto implied = a->find_int("implied_port");
    q.implied_port = implied && *implied != 0;
    const auto port = a->find_int("port");
    if (port && (*port < 0 || *port > 65535)) {
      return fail(DecodeError::Code::bad_arguments,
                  "announce_peer port " + std::to_string(*port) + " out of range");
    }
    if (!q.implied_port && (!port || *port == 0)) {
      return fail(DecodeError::Code::bad_arguments, "announce_peer without a port");
    }
    q.port = port ? static_cast<std::uint16_t>(*port) : 0;
  }
  return q;
}

expected<Response, Failure> read_response(const bencode::Node& root) {
  const auto r = root.find_dict("r");
  if (!r) return fail(DecodeError::Code::bad_arguments, "response without a dictionary (\"r\")");
  Response resp;
  auto id = required_id(*r, "id");
  if (!id) return unexpected(std::move(id).error());
  resp.id = *id;
  auto nodes = read_nodes(*r, "nodes", kCompactNodeV4);
  if (!nodes) return unexpected(std::move(nodes).error());
  resp.nodes = std::move(*nodes);
  auto nodes6 = read_nodes(*r, "nodes6", kCompactNodeV6);
  if (!nodes6) return unexpected(std::move(nodes6).error());
  resp.nodes6 = std::move(*nodes6);
  if (const auto token = r->find("token")) {
    if (!token->is_string() || token->as_string().size() > kMaxToken) {
      return fail(DecodeError::Code::bad_arguments, "response token is not a string of at most 64 bytes");
    }
    resp.token = std::string(token->as_string());
  }
  if (const auto values = r->find("values")) {
    if (!values->is_list()) return fail(DecodeError::Code::bad_arguments, "\"values\" is not a list");
    std::size_t count = 0;
    for (const bencode::Node v : *values) {
      if (++count > kMaxValues) {
        return fail(DecodeError::Code::bad_arguments,
                    "\"values\" holds more than " + std::to_string(kMaxValues) + " peers");
      }
      // Odd entries are skipped, not fatal: the rest of the answer is still good.
      if (!v.is_string()) continue;
      if (auto peer = decode_compact_peer(v.as_string())) resp.values.push_back(*peer);
    }
  }
  return resp;
}

expected<ErrorReply, Failure> read_error(const bencode::Node& root) {
  const auto e = root.find_list("e");
  if (!e) return fail(DecodeError::Code::bad_arguments, "error without a list (\"e\")");
  auto it = e->begin();
  if (it == e->end() || !(*it).is_int()) {
    return fail(DecodeError::Code::bad_arguments, "error list does not start with a code");
  }
  ErrorReply err;
  err.code = (*it).as_int();
  ++it;
  if (it != e->end() && (*it).is_string())
    err.message = std::string((*it).as_string().substr(0, kMaxErrorMessage));
  return err;
}

std::string compact_node_bytes(const CompactNode& node) {
  std::string out(node.id.view());
  out += encode_compact_endpoint(node.endpoint.address(), node.endpoint.port());
  return out;
}

}  // namespace

std::string_view method_name(Method m) noexcept {
  switch (m) {
    case Method::ping:
      return "ping";
    case Method::find_node:
      return "find_node";
    case Method::get_peers:
      return "get_peers";
    case Method::announce_peer:
      return "announce_peer";
  }
  return "ping";
}

std::string encode_compact_endpoint(const ip::address& address, std::uint16_t port) {
  std::string out;
  if (address.is_v4()) {
    const auto b = address.to_v4().to_bytes();
    out.assign(b.begin(), b.end());
  } else {
    const auto b = address.to_v6().to_bytes();
    out.assign(b.begin(), b.end());
  }
  out += static_cast<char>(port >> 8);
  out += static_cast<char>(port & 0xff);
  return out;
}

std::string encode_compact_node(const CompactNode& node) {
  return compact_node_bytes(node);
}

std::optional<CompactNode> decode_compact_node(std::string_view raw) {
  if (raw.size() != kCompactNodeV4 && raw.size() != kCompactNodeV6) return std::nullopt;
  const auto endpoint = read_compact_endpoint(raw.substr(kNodeIdBytes));
  return CompactNode{*NodeId::from_bytes(raw.substr(0, kNodeIdBytes)),
                     UdpEndpoint(endpoint->first, endpoint->second)};
}

std::optional<TcpEndpoint> decode_compact_peer(std::string_view raw) {
  const auto endpoint = read_compact_endpoint(raw);
  if (!endpoint) return std::nullopt;
  return TcpEndpoint(endpoint->first, endpoint->second);
}

expected<Message, DecodeError> decode_message(std::string_view datagram) {
  if (datagram.size() > kMaxDatagram) {
    return unexpected(DecodeError{DecodeError::Code::too_large,
                                  "datagram of " + std::to_string(datagram.size()) + " bytes",
                                  {},
                                  false});
  }
  auto doc = bencode::decode(datagram, krpc_limits());
  if (!doc) {
    return unexpected(
        DecodeError{DecodeError::Code::not_bencode, "not bencode: " + doc.error().message(), {}, false});
  }
  const bencode::Node root = doc->root();
  if (!root.is_dict()) {
    return unexpected(DecodeError{DecodeError::Code::not_a_dict, "not a dictionary", {}, false});
  }
  const auto tid = root.find_string("t");
  if (!tid || tid->size() > kMaxTransactionId) {
    return unexpected(DecodeError{DecodeError::Code::bad_transaction_id,
                                  tid ? "transaction id of " + std::to_string(tid->size()) + " bytes"
                                      : std::string("no transaction id"),
                                  {},
                                  false});
  }
  Message msg;
  msg.transaction_id = std::string(*tid);
  const auto y = root.find_string("y");
  const bool query = y && *y == "q";
  if (const auto v = root.find_string("v"); v && v->size() <= kMaxClientVersion)
    msg.client_version = std::string(*v);
  if (const auto ro = root.find_int("ro")) msg.read_only = *ro == 1;
  if (const auto requester = root.find_string("ip")) {
    if (const auto endpoint = read_compact_endpoint(*requester)) {
      msg.requester = UdpEndpoint(endpoint->first, endpoint->second);
    }
  }
  const auto failed = [&](Failure f) {
    return unexpected(DecodeError{f.code, std::move(f.message), msg.transaction_id, query});
  };
  if (query) {
    auto q = read_query(root);
    if (!q) return failed(std::move(q).error());
    msg.body = std::move(*q);
  } else if (y && *y == "r") {
    auto r = read_response(root);
    if (!r) return failed(std::move(r).error());
    msg.body = std::move(*r);
  } else if (y && *y == "e") {
    auto e = read_error(root);
    if (!e) return failed(std::move(e).error());
    msg.body = std::move(*e);
  } else {
    return failed(Failure{DecodeError::Code::bad_type,
                          y ? "message type is not q, r or e" : "no message type (\"y\")"});
  }
  return msg;
}

std::string encode_message(const Message& message) {
  using bencode::Value;
  Value root(Value::Dict{});
  root.set("t", message.transaction_id);
  if (message.client_version) root.set("v", *message.client_version);
  if (message.read_only) root.set("ro", 1);
  if (message.requester) {
    root.set("ip", encode_compact_endpoint(message.requester->address(), message.requester->port()));
  }
  if (const auto* q = std::get_if<Query>(&message.body)) {
    root.set("y", "q");
    root.set("q", method_name(q->method));
    Value a(Value::Dict{});
    a.set("id", q->id.view());
    if (q->method == Method::find_node) a.set("target", q->target.view());
    if (q->method == Method::get_peers || q->method == Method::announce_peer)
      a.set("info_hash", q->info_hash.view());
    if (q->method == Method::announce_peer) {
      a.set("port", std::int64_t{q->port});
      a.set("token", q->token);
      if (q->implied_port) a.set("implied_port", 1);
    }
    root.set("a", std::move(a));
  } else if (const auto* r = std::get_if<Response>(&message.body)) {
    root.set("y", "r");
    Value body(Value::Dict{});
    body.set("id", r->id.view());
    std::string nodes, nodes6;
    for (const auto& n : r->nodes) {
      if (n.endpoint.address().is_v4()) nodes += compact_node_bytes(n);
    }
    for (const auto& n : r->nodes6) {
      if (n.endpoint.address().is_v6()) nodes6 += compact_node_bytes(n);
    }
    if (!nodes.empty()) body.set("nodes", std::move(nodes));
    if (!nodes6.empty()) body.set("nodes6", std::move(nodes6));
    if (r->token) body.set("token", *r->token);
    if (!r->values.empty()) {
      Value::List values;
      values.reserve(r->values.size());
      for (const auto& peer : r->values)
        values.emplace_back(encode_compact_endpoint(peer.address(), peer.port()));
      body.set("values", Value(std::move(values)));
    }
    root.set("r", std::move(body));
  } else {
    const auto& e = std::get<ErrorReply>(message.body);
    root.set("y", "e");
    root.set("e", Value::list({Value(e.code), Value(e.message)}));
  }
  return bencode::encode(root);
}

std::optional<Message> error_reply_for(const DecodeError& error) {
  if (!error.query || !error.transaction_id) return std::nullopt;
  Message reply;
  reply.transaction_id = *error.transaction_id;
  reply.body = ErrorReply{error.reply_code(), error.message.substr(0, kMaxErrorMessage)};
  return reply;
}

}  // namespace tessera::dht
