// One peer's side of the extension protocol (BEP 10), sans I/O: the ids it wants each extension
// message under, what its handshake said, and our extension messages decoded into values. Used
// by PeerSession and, before a magnet torrent has its metadata, by the MagnetTorrent.
//
// ut_pex (BEP 11) is taken only when PEX is on for the torrent (the setting on and the torrent
// not private, BEP 27): otherwise it is neither offered in our handshake nor decoded when a
// peer sends it anyway.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "wire/extension_handshake.hpp"
#include "wire/messages.hpp"
#include "wire/ut_metadata.hpp"
#include "wire/ut_pex.hpp"

namespace tessera {

// The ids we take extension messages under (the receiver chooses them, BEP 10).
inline constexpr std::uint8_t kUtPexId = 1;  // as libtorrent
inline constexpr std::uint8_t kUtMetadataId = 2;

// What an extended message meant.
struct ExtensionEvent {
  std::optional<wire::ExtensionHandshake> handshake;  // a (first or later) handshake
  std::optional<wire::MetadataMessage> metadata;      // ut_metadata
  std::optional<wire::PexMessage> pex;                // ut_pex (only when we offered it)
  std::optional<std::string> violation;               // unreadable: close the connection
};

class PeerExtensions {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // `pex`: whether this torrent takes ut_pex (see above); fixed for the connection.
  explicit PeerExtensions(bool pex = false) : pex_(pex) {}

  // Our handshake, naming the extensions we take; `metadata_size` 0 when we have none yet.
  static wire::ExtensionHandshake our_handshake(std::string client, std::uint16_t listen_port,
                                                std::optional<std::uint32_t> request_queue,
                                                std::int64_t metadata_size, bool pex);

  ExtensionEvent on_extended(const wire::Extended& m);

  bool handshake_seen() const { return handshake_seen_; }
  // Whether they take ut_metadata, and the size they said their metadata has.
  bool offers_metadata() const { return their_metadata_id_ != 0; }
  std::optional<std::int64_t> metadata_size() const { return metadata_size_; }
  // The message to send them, or nullopt when they do not take ut_metadata.
  std::optional<wire::Extended> metadata_message(const wire::MetadataMessage& m) const;
  // Whether we take ut_pex on this connection, and whether they take it too.
  bool pex_enabled() const { return pex_; }
  bool offers_pex() const { return pex_ && their_pex_id_ != 0; }
  // The message to send them, or nullopt unless both sides take ut_pex.
  std::optional<wire::Extended> pex_message(const wire::PexMessage& m) const;

  // Their metadata requests are rationed (each answer is up to 16 KiB sent at once): a burst,
  // then a few per second. False: reject this one.
  bool take_metadata_request(TimePoint now);

 private:
  bool pex_ = false;
  bool handshake_seen_ = false;
  std::uint8_t their_metadata_id_ = 0;
  std::uint8_t their_pex_id_ = 0;
  std::optional<std::int64_t> metadata_size_;
  double request_tokens_ = kRequestBurst;
  TimePoint refilled_{};
  static constexpr double kRequestBurst = 64;
  static constexpr double kRequestsPerSecond = 8;
};

}  // namespace tessera
