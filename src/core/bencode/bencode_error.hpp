// Errors reported by the bencode decoder, with the byte offset where decoding stopped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tessera::bencode {

enum class Errc : std::uint8_t {
  unexpected_end = 1,   // input ends inside a value
  invalid_prefix,       // a byte that starts no bencode value
  invalid_integer,      // "ie", "i-e", "i12x" ...
  leading_zero,         // "i03e", "03:abc"
  negative_zero,        // "i-0e"
  integer_overflow,     // beyond 64-bit signed range (integers and string lengths)
  string_exceeds_input, // a string length larger than what is left of the input
  depth_limit,          // lists/dicts nested deeper than the limit
  token_limit,          // more values than the limit
  input_too_large,      // input larger than the limit
  non_string_key,       // a dictionary key that is not a string
  missing_value,        // a dictionary key with no value before 'e'
  duplicate_key,        // the same key twice in one dictionary
  unsorted_keys,        // keys out of order (only reported when strict ordering is asked for)
  trailing_data,        // bytes after the first complete value
};

std::string_view describe(Errc code) noexcept;

struct Error {
  Errc code;
  std::size_t offset;  // byte offset into the input where the problem was found

  // One line for humans, e.g. "integer overflow at byte 12".
  std::string message() const;
  friend bool operator==(const Error&, const Error&) = default;
};

}  // namespace tessera::bencode
