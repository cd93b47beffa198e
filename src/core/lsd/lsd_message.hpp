// Local Service Discovery (BEP 14): the announce datagram sent to 239.192.152.143:6771, both ways.
// Pure: no sockets.
//
//   BT-SEARCH * HTTP/1.1\r\n
//   Host: 239.192.152.143:6771\r\n
//   Port: <the sender's TCP listen port>\r\n
//   Infohash: <40 hex digits>\r\n          (one or more)
//   cookie: <the sender's own token>\r\n   (optional; lets a client ignore its own datagrams)
//   \r\n
//   \r\n
//
// The sender's address is the datagram's source address, never a header. Received datagrams are
// hostile: at most kMaxDatagram bytes, header names in any case, lines ending in CRLF or LF, at
// most kMaxInfoHashes info-hashes taken (the rest are ignored), malformed info-hash lines
// skipped, unknown headers ignored; a missing or bad port, no usable info-hash or a different
// request line is an error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hash/sha1.hpp"
#include "tessera/expected.hpp"

namespace tessera::lsd {

inline constexpr std::string_view kGroupAddress = "239.192.152.143";
inline constexpr std::uint16_t kGroupPort = 6771;
inline constexpr std::size_t kMaxDatagram = 1400;
inline constexpr std::size_t kMaxInfoHashes = 16;
inline constexpr std::size_t kMaxCookie = 64;  // longer cookies are not kept (they are never ours)

struct Announce {
  std::uint16_t port = 0;
  std::vector<Sha1Digest> info_hashes;  // in datagram order, no repeats
  std::string cookie;                   // empty when absent
  friend bool operator==(const Announce&, const Announce&) = default;
};

struct ParseError {
  enum class Code : std::uint8_t {
    too_large = 1,  // above kMaxDatagram
    not_bt_search,  // the first line is not "BT-SEARCH * HTTP/1.1"
    malformed,      // a header line without a colon, no end of headers
    bad_port,       // missing, not a number in 1..65535, or given twice differently
    no_info_hash,   // no valid Infohash line
    own_announce,   // carries our own cookie
  };
  Code code;
  std::string message;  // one line for a log
};

// One datagram; at most kMaxInfoHashes of `info_hashes` are written (callers split longer lists).
// Info-hashes in lower-case hex; the cookie is written when not empty (printable, no spaces).
std::string encode_announce(std::uint16_t port, std::span<const Sha1Digest> info_hashes,
                            std::string_view cookie);
std::string encode_announce(const Announce& announce);

// `our_cookie`, when not empty, makes a datagram carrying it an own_announce error.
expected<Announce, ParseError> parse_announce(std::string_view datagram, std::string_view our_cookie = {});

}  // namespace tessera::lsd
