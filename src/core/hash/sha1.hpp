// SHA-1 through OpenSSL's EVP interface (the low-level SHA1_* calls are deprecated in 3.0).
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace tessera {

struct Sha1Digest {
  std::array<std::uint8_t, 20> bytes{};

  std::string hex() const;  // 40 lowercase hex digits
  static std::optional<Sha1Digest> from_hex(std::string_view hex);
  static Sha1Digest from_bytes(std::string_view raw20);  // precondition: raw20.size() == 20
  std::string_view view() const {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }
  friend auto operator<=>(const Sha1Digest&, const Sha1Digest&) = default;
};

// Incremental hasher; reusable after finish().
class Sha1 {
 public:
  Sha1();
  ~Sha1();
  Sha1(const Sha1&) = delete;
  Sha1& operator=(const Sha1&) = delete;

  void update(std::span<const std::byte> data);
  void update(std::string_view data);
  Sha1Digest finish();  // resets for the next message

 private:
  evp_md_ctx_st* ctx_;
};

Sha1Digest sha1(std::string_view data);

}  // namespace tessera
