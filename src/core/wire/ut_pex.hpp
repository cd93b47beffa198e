// Peer exchange (BEP 11): the bencoded payload of a ut_pex extended message, both ways. Pure.
//
// On the wire a message holds up to six compact lists: "added" (6-byte IPv4 + port entries) with
// "added.f" (one flags byte per entry), "dropped", and their IPv6 twins "added6", "added6.f",
// "dropped6" (18-byte entries). Here both families share one list: IPv4 entries first, then
// IPv6, in wire order.
//
// The decoder takes what a peer sends as hostile but forgives what does no harm, as the clients in
// the wild expect: a flags string of the wrong length is ignored (the entries keep flags 0), a
// partial entry at the end of a list is skipped, a key of the wrong type is treated as absent.
// It is bounded: the payload is at most kMaxPexPayload bytes and at most kMaxPexEntries entries
// are taken from each of the four lists (the rest are counted, not kept).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/expected.hpp"
#include "wire/protocol_error.hpp"

namespace tessera::wire {

inline constexpr const char* kUtPex = "ut_pex";  // its name in the extension handshake

// The flags byte of an added peer (BEP 11).
namespace pex_flag {
inline constexpr std::uint8_t prefers_encryption = 0x01;
inline constexpr std::uint8_t seed = 0x02;  // a seed, or upload only
inline constexpr std::uint8_t utp = 0x04;
inline constexpr std::uint8_t holepunch = 0x08;
inline constexpr std::uint8_t connectable = 0x10;  // the sender reached it by an outgoing connection
}  // namespace pex_flag

// libtorrent caps its own messages at 50 + 50 entries of ~7 bytes; 64 KiB is room to spare.
inline constexpr std::size_t kMaxPexPayload = 64 * 1024;
inline constexpr std::size_t kMaxPexEntries = 200;  // taken from each wire list

inline constexpr std::size_t kPexEntryV4 = 6;   // address + port
inline constexpr std::size_t kPexEntryV6 = 18;  // address + port

struct PexPeer {
  boost::asio::ip::tcp::endpoint endpoint;
  std::uint8_t flags = 0;
  friend bool operator==(const PexPeer&, const PexPeer&) = default;
};

struct PexMessage {
  std::vector<PexPeer> added;                           // IPv4 first, then IPv6
  std::vector<boost::asio::ip::tcp::endpoint> dropped;  // IPv4 first, then IPv6
  std::size_t entries_skipped = 0;  // decoding only: past the caps, or partial (not encoded)
  friend bool operator==(const PexMessage& a, const PexMessage& b) {
    return a.added == b.added && a.dropped == b.dropped;
  }
};

// Canonical bencode: "added", "added.f" and "dropped" are always written (some clients look
// for them), the IPv6 keys only when there is an IPv6 entry; IPv4 entries keep their order, as
// do IPv6 ones. IPv4-mapped IPv6 addresses go into the IPv4 lists.
std::string encode_ut_pex(const PexMessage& message);

// Fails only on a payload above kMaxPexPayload or one that is not a bencoded dictionary.
expected<PexMessage, ProtocolError> decode_ut_pex(std::string_view payload);

}  // namespace tessera::wire
