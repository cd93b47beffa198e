// Announce tokens (BEP 5): a get_peers answer carries a token that the same IP address must hand
// back in announce_peer, so nobody can announce a peer for an address they do not receive at.
// A token is the first 8 bytes of SHA-1(secret, requester's IP); the secret changes every
// 5 minutes and the previous one is still accepted, so a token lives 5 to 10 minutes.
// Pure: the secret source and the time are injected.
#pragma once

#include <array>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace tessera::dht {

class AnnounceTokens {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Secret = std::array<std::uint8_t, 20>;
  // Production passes a CSPRNG; tests pass a counter.
  using SecretSource = std::function<Secret()>;

  static constexpr std::chrono::seconds kRotation{5 * 60};
  static constexpr std::size_t kTokenBytes = 8;

  AnnounceTokens(SecretSource source, TimePoint now);

  // The token to put in a get_peers response to `requester`.
  std::string issue(const boost::asio::ip::address& requester, TimePoint now);
  // Whether an announce_peer from `requester` carries a token we issued it within 10 minutes.
  bool accepts(std::string_view token, const boost::asio::ip::address& requester, TimePoint now);

 private:
  void rotate(TimePoint now);
  static std::string token_for(const Secret& secret, const boost::asio::ip::address& requester);

  SecretSource source_;
  Secret current_{};
  Secret previous_{};
  TimePoint rotated_at_;
};

}  // namespace tessera::dht
