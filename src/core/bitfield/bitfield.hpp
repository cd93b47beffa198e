// A fixed-size set of piece indices in BitTorrent's wire order: piece 0 is the high bit of byte 0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tessera {

class Bitfield {
 public:
  Bitfield() = default;
  explicit Bitfield(std::uint32_t size, bool value = false);

  // From wire bytes; nullopt-like failure is reported by the return value: false when the byte
  // count is wrong or spare bits past `size` are set (both are protocol violations).
  static bool from_bytes(std::string_view bytes, std::uint32_t size, Bitfield& out);

  std::uint32_t size() const { return size_; }
  // Shift an unsigned value: shifting the promoted int trips -Wsign-conversion under -fsanitize.
  bool get(std::uint32_t i) const { return (std::uint32_t{bytes_[i >> 3]} >> (7 - (i & 7))) & 1u; }
  bool operator[](std::uint32_t i) const { return get(i); }
  void set(std::uint32_t i);
  void reset(std::uint32_t i);
  void assign(std::uint32_t i, bool value) { value ? set(i) : reset(i); }
  void set_all();
  void reset_all();

  std::uint32_t count() const { return count_; }
  bool all() const { return count_ == size_; }
  bool none() const { return count_ == 0; }

  // Wire form: ceil(size / 8) bytes, spare bits zero.
  std::string_view bytes() const {
    return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
  }

  friend bool operator==(const Bitfield& a, const Bitfield& b) {
    return a.size_ == b.size_ && a.bytes_ == b.bytes_;
  }

 private:
  std::vector<std::uint8_t> bytes_;
  std::uint32_t size_ = 0;
  std::uint32_t count_ = 0;
};

}  // namespace tessera
