// Hashing file data through a read-only mapping: the page cache is read in place instead of
// being copied into a buffer first, which is most of the cost of a recheck on cached data.
#pragma once

#include <cstddef>
#include <cstdint>

#include "hash/sha1.hpp"

namespace tessera {

enum class MappedHash : std::uint8_t {
  ok,
  short_file,  // the file ends before the range does (or was truncated while hashing)
  unavailable, // cannot map it (the caller reads it instead); `sha` is untouched
};

// [offset, offset + length) of the open file `fd`, mapped read-only while this object lives.
// Mapping and hashing are two steps so that a test can truncate the file in between.
class MappedRange {
 public:
  MappedRange(int fd, std::int64_t offset, std::int64_t length);
  ~MappedRange();
  MappedRange(const MappedRange&) = delete;
  MappedRange& operator=(const MappedRange&) = delete;

  // ok once mapped (an empty range needs no mapping), short_file when the file ends before the
  // range does, unavailable when it cannot be mapped.
  MappedHash status() const { return status_; }
  // Feeds the range to `sha`; status() must be ok. A file truncated since the mapping was made
  // makes the kernel raise SIGBUS on the missing pages; that is caught and reported as
  // short_file (with `sha` then in an unspecified state), never a crash.
  MappedHash hash_into(Sha1& sha) const;

 private:
  MappedHash status_ = MappedHash::unavailable;
  void* map_ = nullptr;
  std::size_t span_ = 0;   // bytes mapped, from the page boundary at or before `offset`
  std::size_t skip_ = 0;   // from that boundary to `offset`
  std::size_t length_ = 0;
};

// Both steps at once: feeds [offset, offset + length) of `fd` to `sha`; `sha` is untouched
// unless the result is ok or the file was truncated while being hashed.
MappedHash hash_mapped_range(Sha1& sha, int fd, std::int64_t offset, std::int64_t length);

}  // namespace tessera
