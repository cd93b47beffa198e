// One peer's side of the extension protocol (BEP 10), sans I/O: the ids it wants each extension
// message under, what its handshake said, and our extension messages decoded into values. Used
// by PeerSession and, before a magnet torrent has its metadata, by the MagnetTorrent.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "wire/extension_handshake.hpp"
#include "wire/messages.hpp"
#include "wire/ut_metadata.hpp"

namespace tessera {

// The ids we take extension messages under (the receiver chooses them, BEP 10).
inline constexpr std::uint8_t kUtMetadataId = 2;

// What an extended message meant.
struct ExtensionEvent {
  std::optional<wire::ExtensionHandshake> handshake;  // a (first or later) handshake
  std::optional<wire::MetadataMessage> metadata;      // ut_metadata
  std::optional<std::string> violation;               // unreadable: close the connection
};

class PeerExtensions {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // Our handshake, naming the extensions we take; `metadata_size` 0 when we have none yet.
  static wire::ExtensionHandshake our_handshake(std::string client, std::uint16_t listen_port,
                                                std::optional<std::uint32_t> request_queue,
                                                std::int64_t metadata_size);

  ExtensionEvent on_extended(const wire::Extended& m);

  bool handshake_seen() const { return handshake_seen_; }
  // Whether they take ut_metadata, and the size they said their metadata has.
  bool offers_metadata() const { return their_metadata_id_ != 0; }
  std::optional<std::int64_t> metadata_size() const { return metadata_size_; }
  // The message to send them, or nullopt when they do not take ut_metadata.
  std::optional<wire::Extended> metadata_message(const wire::MetadataMessage& m) const;

  // Their metadata requests are rationed (each answer is up to 16 KiB sent at once): a burst,
  // then a few per second. False: reject this one.
  bool take_metadata_request(TimePoint now);

 private:
  bool handshake_seen_ = false;
  std::uint8_t their_metadata_id_ = 0;
  std::optional<std::int64_t> metadata_size_;
  double request_tokens_ = kRequestBurst;
  TimePoint refilled_{};
  static constexpr double kRequestBurst = 64;
  static constexpr double kRequestsPerSecond = 8;
};

}  // namespace tessera
