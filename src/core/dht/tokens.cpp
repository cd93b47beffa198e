#include "dht/tokens.hpp"

#include <utility>

#include "hash/sha1.hpp"

namespace tessera::dht {
namespace {

// Without a branch on the first differing byte, the time taken says nothing about the token.
bool same_bytes(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

AnnounceTokens::AnnounceTokens(SecretSource source, TimePoint now)
    : source_(std::move(source)), current_(source_()), previous_(source_()), rotated_at_(now) {}

void AnnounceTokens::rotate(TimePoint now) {
  if (now < rotated_at_ + kRotation) return;
  const auto periods = (now - rotated_at_) / kRotation;
  // After a long quiet spell the old current secret is stale too: both are replaced.
  previous_ = periods == 1 ? current_ : source_();
  current_ = source_();
  rotated_at_ += periods * kRotation;
}

std::string AnnounceTokens::token_for(const Secret& secret, const boost::asio::ip::address& requester) {
  Sha1 sha;
  sha.update(std::string_view(reinterpret_cast<const char*>(secret.data()), secret.size()));
  // An IPv4 address seen through an IPv6 socket is the same requester.
  const bool mapped = requester.is_v6() && requester.to_v6().is_v4_mapped();
  if (requester.is_v4() || mapped) {
    const auto bytes =
        mapped ? boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, requester.to_v6()).to_bytes()
               : requester.to_v4().to_bytes();
    sha.update(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  } else {
    const auto bytes = requester.to_v6().to_bytes();
    sha.update(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  }
  return std::string(sha.finish().view().substr(0, kTokenBytes));
}

std::string AnnounceTokens::issue(const boost::asio::ip::address& requester, TimePoint now) {
  rotate(now);
  return token_for(current_, requester);
}

bool AnnounceTokens::accepts(std::string_view token, const boost::asio::ip::address& requester,
                             TimePoint now) {
  rotate(now);
  if (token.size() != kTokenBytes) return false;
  // Both are computed so that the answer takes the same time whichever secret matches.
  const bool current = same_bytes(token, token_for(current_, requester));
  const bool previous = same_bytes(token, token_for(previous_, requester));
  return current || previous;
}

}  // namespace tessera::dht
