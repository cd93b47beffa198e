// What a .torrent holds, for showing before it is added (the GUI's add dialog) — and making one.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tessera/expected.hpp"

namespace tessera {

struct TorrentInfoFile {
  std::uint32_t index = 0;  // position in the torrent's file list (for file priorities)
  std::string path;         // relative to the save folder, '/'-separated
  std::int64_t size = 0;
  bool pad = false;         // BEP 47 padding: never shown, never written
  std::int64_t offset = 0;  // where its first byte is in the stream the pieces cover
};

struct TorrentInfo {
  std::string name;
  std::string info_hash;  // hex
  std::int64_t total_size = 0;  // pad files excluded
  std::int64_t stream_size = 0;  // pad files included: the bytes the pieces cover
  std::int64_t piece_length = 0;
  std::uint32_t piece_count = 0;
  bool is_private = false;
  bool multi_file = false;      // a folder of files (even when it holds one), not a lone file
  std::string comment;
  std::string created_by;
  std::optional<std::int64_t> creation_date;  // seconds since the Unix epoch
  std::vector<TorrentInfoFile> files;
  std::vector<std::vector<std::string>> trackers;  // tiers
  std::vector<std::string> web_seeds;              // BEP 19 url-list
  std::vector<std::string> warnings;  // what the parser repaired or ignored (one line each)
};

// A one-line error for anything malformed or dangerous (the same checks as adding it).
// read_torrent_info's error names the file ("PATH: reason"); parse_torrent_info's is the reason.
expected<TorrentInfo, std::string> read_torrent_info(const std::string& path);
expected<TorrentInfo, std::string> parse_torrent_info(const std::string& data);

// A .torrent's bytes, read without trusting the file: one larger than any torrent the parser
// accepts is refused before reading, and pipes or devices are cut off there. Nothing is
// validated (parse_torrent_info does that); the error is one line naming the file.
expected<std::string, std::string> read_torrent_bytes(const std::string& path);

struct CreateTorrentParams {
  std::string source;                       // a file, or a folder (its files, sorted by path)
  std::vector<std::string> trackers;        // one tier each, in order
  std::int64_t piece_length = 0;            // 0: chosen from the size (about 1500 pieces, 16 KiB..16 MiB)
  std::string comment;
  bool is_private = false;
  std::string created_by = "Tessera";
  std::optional<std::int64_t> creation_date;  // seconds since the Unix epoch; none: left out
  // Called with (pieces hashed, total pieces) now and then; returning false cancels.
  std::function<bool(std::uint32_t, std::uint32_t)> progress;
};

// Hashes the source and returns the bencoded .torrent (v1).
expected<std::string, std::string> create_torrent(const CreateTorrentParams& params);

}  // namespace tessera
