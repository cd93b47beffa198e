// Resume data: what a torrent needs to come back after a restart without downloading anything
// twice — its save folder, state, caps, file priorities, totals, and which pieces are verified,
// with each file's size and mtime so a cheap look at the disk tells whether to trust them.
//
// Two pure functions convert it to and from bencode; decoding treats the bytes as untrusted
// (a damaged file gives an error, never a crash). The format is versioned.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/expected.hpp"
#include "tessera/status.hpp"

namespace tessera {

struct ResumeFileStamp {
  // -1: the file did not exist (or, in a torrent's first record, was not looked at: any file
  // found later differs from it and is checked)
  std::int64_t size = -1;
  std::int64_t mtime_ns = 0;
  friend bool operator==(const ResumeFileStamp&, const ResumeFileStamp&) = default;
};

struct ResumeData {
  static constexpr std::int64_t kVersion = 1;

  std::string info_hash;  // 40 hex digits
  std::string save_path;
  bool paused = false;
  std::int64_t added_at = 0;  // seconds since the Unix epoch
  std::int64_t active_seconds = 0;
  std::int64_t downloaded = 0, uploaded = 0;            // payload, over all sessions
  std::int64_t download_limit = 0, upload_limit = 0;    // bytes/s, 0 = none
  std::vector<FilePriority> file_priorities;            // by file index
  std::string verified;                                 // bitfield, wire order, one bit per piece
  std::vector<ResumeFileStamp> files;                   // by file index, as when `verified` was taken
  // Share-ratio rule: this torrent's own limit (unset: the session's; 0: never stop), whether
  // the rule stopped it, and whether the user resumed it after that (it then seeds on).
  std::optional<double> ratio_limit;
  bool stopped_at_ratio = false;
  bool seeds_past_ratio = false;

  friend bool operator==(const ResumeData&, const ResumeData&) = default;
};

std::string encode_resume(const ResumeData& r);
// `piece_count` and `file_count` are the torrent's: a mismatch is an error (not this torrent's data).
expected<ResumeData, std::string> decode_resume(std::string_view bytes, std::uint32_t piece_count,
                                                std::size_t file_count);

}  // namespace tessera
