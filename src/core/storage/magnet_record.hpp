// What the state folder keeps of a magnet link whose metadata is still coming: the link and what
// the user chose when adding it, so a restart goes on fetching. A bencoded dictionary.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tessera/expected.hpp"

namespace tessera {

struct MagnetRecord {
  std::string uri;        // the link, as make_magnet_uri writes it
  std::string save_path;  // absolute
  bool paused = false;
  bool pause_after_metadata = false;
  std::int64_t added_at = 0;  // seconds since the Unix epoch

  friend bool operator==(const MagnetRecord&, const MagnetRecord&) = default;
};

std::string encode_magnet_record(const MagnetRecord& r);
// One-line error for anything but a record this version wrote.
expected<MagnetRecord, std::string> decode_magnet_record(std::string_view bytes);

}  // namespace tessera
