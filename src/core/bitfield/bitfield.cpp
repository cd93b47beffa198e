#include "bitfield/bitfield.hpp"

#include <bit>

namespace tessera {

Bitfield::Bitfield(std::uint32_t size, bool value) : bytes_((std::size_t{size} + 7) / 8, 0), size_(size) {
  if (value) set_all();
}

bool Bitfield::from_bytes(std::string_view bytes, std::uint32_t size, Bitfield& out) {
  if (bytes.size() != (std::size_t{size} + 7) / 8) return false;
  Bitfield b(size);
  std::uint32_t count = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    b.bytes_[i] = static_cast<std::uint8_t>(bytes[i]);
    count += static_cast<std::uint32_t>(std::popcount(b.bytes_[i]));
  }
  if (size % 8 != 0) {
    const auto spare_mask = static_cast<std::uint8_t>(0xFFu >> (size % 8));
    if ((b.bytes_.back() & spare_mask) != 0) return false;
  }
  b.count_ = count;
  out = std::move(b);
  return true;
}

void Bitfield::set(std::uint32_t i) {
  const auto mask = static_cast<std::uint8_t>(0x80u >> (i & 7));
  if ((bytes_[i >> 3] & mask) == 0) {
    bytes_[i >> 3] = static_cast<std::uint8_t>(bytes_[i >> 3] | mask);
    ++count_;
  }
}

void Bitfield::reset(std::uint32_t i) {
  const auto mask = static_cast<std::uint8_t>(0x80u >> (i & 7));
  if ((bytes_[i >> 3] & mask) != 0) {
    bytes_[i >> 3] = static_cast<std::uint8_t>(bytes_[i >> 3] & ~mask);
    --count_;
  }
}

void Bitfield::set_all() {
  for (auto& b : bytes_) b = 0xFF;
  if (size_ % 8 != 0 && !bytes_.empty()) bytes_.back() = static_cast<std::uint8_t>(0xFFu << (8 - size_ % 8));
  count_ = size_;
}

void Bitfield::reset_all() {
  for (auto& b : bytes_) b = 0;
  count_ = 0;
}

}  // namespace tessera
