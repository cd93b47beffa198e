// The text layer under magnet URIs: percent-encoding both ways, base32 info-hashes, and making a
// decoded display name safe to show. Pure functions, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hash/sha1.hpp"

namespace tessera::magnet {

// Decodes %XX escapes (hex digits of either case). With plus_is_space, '+' becomes a space, as
// form-encoded names use it ("dn=Some+Name"); URLs keep their '+'. Nothing when a '%' is not
// followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

// Escapes every byte outside RFC 3986's unreserved set and `keep` as %XX (upper-case hex), so
// the result never holds '&', '=', '+', '%', '#' or a space and survives percent_decode.
std::string percent_encode(std::string_view bytes, std::string_view keep = {});

// 32 characters of RFC 4648 base32 (A-Z, 2-7, either case, no padding) are exactly 160 bits.
std::optional<Sha1Digest> decode_base32_hash(std::string_view text);
std::string encode_base32_hash(const Sha1Digest& hash);  // upper-case, 32 characters

// The text with each byte that is not part of valid UTF-8, and each control character (C0, DEL,
// C1), replaced by U+FFFD. `changed` says whether anything was replaced.
struct CleanText {
  std::string text;
  bool changed = false;
};
CleanText clean_display_text(std::string_view text);

}  // namespace tessera::magnet
