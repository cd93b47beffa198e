// KRPC (BEP 5): the bencoded messages DHT nodes exchange over UDP, decoded from hostile bytes
// and encoded canonically. Pure: no sockets, no clock.
//
// A message is a query (ping, find_node, get_peers, announce_peer), a response or an error,
// with a transaction id the querier chose. Responses do not say which query they answer, so a
// Response holds every field any of the four can carry; the caller matches it by transaction id.
// Also understood: "nodes6" and 18-byte peers (BEP 32), "ip" (BEP 42), "ro" (BEP 43), "v".
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "dht/node_id.hpp"
#include "tessera/expected.hpp"

namespace tessera::dht {

using UdpEndpoint = boost::asio::ip::udp::endpoint;
using TcpEndpoint = boost::asio::ip::tcp::endpoint;

// Bounds on what we accept. A datagram is ~1.5 KiB in practice; 8 KiB leaves room for
// jumbo frames without letting a fragmented 64 KiB datagram through.
inline constexpr std::size_t kMaxDatagram = 8 * 1024;
inline constexpr std::size_t kMaxTransactionId = 16;  // clients use 2-8 bytes
inline constexpr std::size_t kMaxToken = 64;          // clients use 4-20 bytes
inline constexpr std::size_t kMaxClientVersion = 16;  // "v" is 4 bytes: client + version
inline constexpr std::size_t kMaxErrorMessage = 256;  // longer messages are cut
inline constexpr std::size_t kMaxNodes = 64;          // per "nodes" / "nodes6" (k = 8 in practice)
inline constexpr std::size_t kMaxValues = 256;        // peers in one get_peers response

inline constexpr std::size_t kCompactNodeV4 = 26;  // id + IPv4 + port
inline constexpr std::size_t kCompactNodeV6 = 38;  // id + IPv6 + port

struct CompactNode {
  NodeId id;
  UdpEndpoint endpoint;
  friend bool operator==(const CompactNode&, const CompactNode&) = default;
};

enum class Method : std::uint8_t { ping, find_node, get_peers, announce_peer };
std::string_view method_name(Method m) noexcept;

struct Query {
  Method method = Method::ping;
  NodeId id;                  // the querying node
  NodeId target;              // find_node only
  NodeId info_hash;           // get_peers and announce_peer
  std::uint16_t port = 0;     // announce_peer: the peer's TCP port (0 when implied_port and absent)
  bool implied_port = false;  // announce_peer: use the datagram's source port instead
  std::string token;          // announce_peer: the token from our get_peers response
  friend bool operator==(const Query&, const Query&) = default;
};

struct Response {
  NodeId id;                         // the responding node
  std::vector<CompactNode> nodes;    // "nodes": IPv4 contacts (find_node, get_peers)
  std::vector<CompactNode> nodes6;   // "nodes6": IPv6 contacts (BEP 32)
  std::vector<TcpEndpoint> values;   // "values": peers of the info-hash (get_peers)
  std::optional<std::string> token;  // "token" (get_peers)
  friend bool operator==(const Response&, const Response&) = default;
};

struct ErrorReply {
  std::int64_t code = 0;  // 201 generic, 202 server, 203 protocol, 204 method unknown
  std::string message;
  friend bool operator==(const ErrorReply&, const ErrorReply&) = default;
};

inline constexpr std::int64_t kErrorGeneric = 201;
inline constexpr std::int64_t kErrorServer = 202;
inline constexpr std::int64_t kErrorProtocol = 203;
inline constexpr std::int64_t kErrorMethodUnknown = 204;

struct Message {
  std::string transaction_id;                 // "t", echoed in the reply
  std::optional<std::string> client_version;  // "v"
  bool read_only = false;                     // "ro": 1 (BEP 43): do not add this node to a table
  std::optional<UdpEndpoint> requester;       // "ip" (BEP 42): how the responder sees the querier
  std::variant<Query, Response, ErrorReply> body;
  friend bool operator==(const Message&, const Message&) = default;
};

struct DecodeError {
  enum class Code : std::uint8_t {
    too_large = 1,       // datagram above kMaxDatagram
    not_bencode,         // malformed, too deep or too many values
    not_a_dict,          // top level is not a dictionary
    bad_transaction_id,  // "t" missing, not a string, or too long
    bad_type,            // "y" missing or not one of q, r, e
    unknown_method,      // a query for a method we do not serve (reply 204)
    bad_arguments,       // "a" / "r" / "e" missing or malformed, an id not 20 bytes, ...
  };
  Code code;
  std::string message;                        // one line for a log
  std::optional<std::string> transaction_id;  // when one could be read
  bool query = false;                         // the message said y=q: it deserves an error reply

  // The KRPC error code to answer a query with (203, or 204 for an unknown method).
  std::int64_t reply_code() const {
    return code == Code::unknown_method ? kErrorMethodUnknown : kErrorProtocol;
  }
};

expected<Message, DecodeError> decode_message(std::string_view datagram);

// Canonical bencode (sorted keys); fields left empty are omitted ("nodes" when there are none,
// "implied_port" when false). Endpoints of the wrong family for their field are skipped.
std::string encode_message(const Message& message);

// The error reply to a query that failed to decode; nullopt when no reply is due (not a query,
// or no transaction id to echo).
std::optional<Message> error_reply_for(const DecodeError& error);

// Compact forms, shared with whoever stores nodes or peers (saved tables, peer lists).
std::string encode_compact_node(const CompactNode& node);  // 26 or 38 bytes
std::optional<CompactNode> decode_compact_node(std::string_view raw);
std::string encode_compact_endpoint(const boost::asio::ip::address& address, std::uint16_t port);
std::optional<TcpEndpoint> decode_compact_peer(std::string_view raw);  // 6 or 18 bytes

}  // namespace tessera::dht
