#include "hash/sha1.hpp"

#include <openssl/evp.h>

#include <cstdlib>

namespace tessera {
namespace {
constexpr char kHexDigits[] = "0123456789abcdef";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string Sha1Digest::hex() const {
  std::string out;
  out.reserve(40);
  for (const std::uint8_t b : bytes) {
    out += kHexDigits[b >> 4];
    out += kHexDigits[b & 0x0f];
  }
  return out;
}

std::optional<Sha1Digest> Sha1Digest::from_hex(std::string_view hex) {
  if (hex.size() != 40) return std::nullopt;
  Sha1Digest d;
  for (std::size_t i = 0; i < 20; ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    d.bytes[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return d;
}

Sha1Digest Sha1Digest::from_bytes(std::string_view raw20) {
  Sha1Digest d;
  for (std::size_t i = 0; i < 20 && i < raw20.size(); ++i) d.bytes[i] = static_cast<std::uint8_t>(raw20[i]);
  return d;
}

Sha1::Sha1() : ctx_(EVP_MD_CTX_new()) {
  // Allocation failure here leaves nothing sensible to do.
  if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, EVP_sha1(), nullptr) != 1) std::abort();
}

Sha1::~Sha1() { EVP_MD_CTX_free(ctx_); }

void Sha1::update(std::span<const std::byte> data) { EVP_DigestUpdate(ctx_, data.data(), data.size()); }

void Sha1::update(std::string_view data) { EVP_DigestUpdate(ctx_, data.data(), data.size()); }

Sha1Digest Sha1::finish() {
  Sha1Digest d;
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_, d.bytes.data(), &len);
  EVP_DigestInit_ex(ctx_, EVP_sha1(), nullptr);
  return d;
}

Sha1Digest sha1(std::string_view data) {
  Sha1 h;
  h.update(data);
  return h.finish();
}

}  // namespace tessera
