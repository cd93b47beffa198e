// The .torrent file (BEP 3 metainfo), parsed and validated for untrusted input.
//
// Supports single- and multi-file torrents, the private flag (BEP 27), announce-list tiers
// (BEP 12), web seeds from url-list (BEP 19), pad files (BEP 47) and the *.utf-8 name keys.
// File paths come out sanitised (see path_sanitizer.hpp); dangerous ones make the torrent invalid.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bencode/document.hpp"
#include "hash/sha1.hpp"
#include "tessera/expected.hpp"

namespace tessera {

struct TorrentFile {
  std::string path;          // relative to the save folder, '/'-separated; starts with the
                             // torrent's name for multi-file torrents
  std::int64_t size = 0;
  std::int64_t offset = 0;   // position of the file's first byte in the torrent's byte stream
  bool pad = false;          // BEP 47 padding: part of the piece stream, never written to disk
  bool executable = false;   // BEP 47 'x'
  bool hidden = false;       // BEP 47 'h'
};

struct Metainfo {
  std::string name;
  Sha1Digest info_hash;      // SHA-1 of the info dictionary's original bytes
  std::int64_t total_size = 0;
  std::int64_t piece_length = 0;
  std::uint32_t piece_count = 0;
  std::string piece_hashes;  // 20 raw bytes per piece
  bool is_private = false;
  bool multi_file = false;
  std::vector<TorrentFile> files;
  std::vector<std::vector<std::string>> tracker_tiers;  // BEP 12; a lone 'announce' is one tier
  std::vector<std::string> web_seeds;                   // BEP 19
  std::string comment;
  std::string created_by;
  std::optional<std::int64_t> creation_date;            // seconds since the Unix epoch
  std::string info_dict;                                // raw bytes, for serving metadata (BEP 9)
  std::vector<std::string> warnings;                    // things repaired or ignored while parsing

  Sha1Digest piece_hash(std::uint32_t piece) const;
  std::int64_t piece_size(std::uint32_t piece) const;
};

enum class MetainfoErrc : std::uint8_t {
  file_too_large = 1,
  malformed_bencode,
  not_a_dictionary,
  missing_info,
  v2_only,
  missing_name,
  missing_piece_length,
  invalid_piece_length,
  missing_pieces,
  pieces_not_multiple_of_20,
  piece_count_mismatch,
  missing_files,        // neither 'length' nor 'files'
  ambiguous_layout,     // both 'length' and 'files'
  invalid_file_entry,
  negative_size,
  size_overflow,
  empty_torrent,
  dangerous_path,
  path_conflict,
};

struct MetainfoError {
  MetainfoErrc code;
  std::string message;  // one line, suitable after "error: "
};

struct MetainfoLimits {
  bencode::Limits bencode;
  std::int64_t max_piece_length = std::int64_t{512} << 20;
};

expected<Metainfo, MetainfoError> parse_metainfo(std::string_view data,
                                                 const MetainfoLimits& limits = {});
// Takes ownership of the bytes, saving a copy of a possibly large file.
expected<Metainfo, MetainfoError> parse_metainfo(std::string&& data, const MetainfoLimits& limits = {});
inline expected<Metainfo, MetainfoError> parse_metainfo(const char* data, const MetainfoLimits& limits = {}) {
  return parse_metainfo(std::string_view(data), limits);
}

}  // namespace tessera
