// Hashing file data through a read-only mapping: the page cache is read in place instead of
// being copied into a buffer first, which is most of the cost of a recheck on cached data.
#pragma once

#include <cstdint>

#include "hash/sha1.hpp"

namespace tessera {

enum class MappedHash : std::uint8_t {
  ok,
  short_file,  // the file ends before the range does (or was truncated while hashing)
  unavailable, // cannot map it (the caller reads it instead); `sha` is untouched
};

// Feeds [offset, offset + length) of the open file `fd` to `sha`. A file truncated meanwhile
// makes the kernel raise SIGBUS on the missing pages; that is caught and reported as short_file
// (with `sha` then in an unspecified state), never a crash.
MappedHash hash_mapped_range(Sha1& sha, int fd, std::int64_t offset, std::int64_t length);

}  // namespace tessera
