#include "bencode/bencode_error.hpp"

namespace tessera::bencode {

std::string_view describe(Errc code) noexcept {
  switch (code) {
    case Errc::unexpected_end: return "unexpected end of data";
    case Errc::invalid_prefix: return "invalid value type";
    case Errc::invalid_integer: return "malformed integer";
    case Errc::leading_zero: return "number with a leading zero";
    case Errc::negative_zero: return "negative zero";
    case Errc::integer_overflow: return "integer overflow";
    case Errc::string_exceeds_input: return "string length exceeds the remaining data";
    case Errc::depth_limit: return "nesting too deep";
    case Errc::token_limit: return "too many values";
    case Errc::input_too_large: return "data too large";
    case Errc::non_string_key: return "dictionary key is not a string";
    case Errc::missing_value: return "dictionary key without a value";
    case Errc::duplicate_key: return "duplicate dictionary key";
    case Errc::unsorted_keys: return "dictionary keys not sorted";
    case Errc::trailing_data: return "trailing data after the end";
  }
  return "unknown bencode error";
}

std::string Error::message() const {
  std::string out(describe(code));
  out += " at byte ";
  out += std::to_string(offset);
  return out;
}

}  // namespace tessera::bencode
