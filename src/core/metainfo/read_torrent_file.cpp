#include "metainfo/read_torrent_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace tessera {

expected<std::string, std::string> read_torrent_file(const std::string& path, std::uint64_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return unexpected(path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return unexpected(path + ": " + std::strerror(err));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return unexpected(path + ": is a folder, not a torrent file");
  }
  if (S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return unexpected(path + ": file too large for a torrent (" + std::to_string(st.st_size) +
                      " bytes, limit " + std::to_string(max_bytes) + ")");
  }
  // Read in chunks and stop past the limit, so pipes and devices are bounded too.
  // Reserving the limit up front costs address space only (untouched pages are not resident),
  // and avoids doubling growth that would briefly need twice the limit.
  std::string data;
  data.reserve(S_ISREG(st.st_mode) ? static_cast<std::size_t>(st.st_size) + 1
                                   : static_cast<std::size_t>(max_bytes) + 1);
  std::array<char, 64 * 1024> chunk{};
  for (;;) {
    const ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return unexpected(path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    data.append(chunk.data(), static_cast<std::size_t>(n));
    if (data.size() > max_bytes) {
      ::close(fd);
      return unexpected(path + ": file too large for a torrent (over " + std::to_string(max_bytes) + " bytes)");
    }
  }
  ::close(fd);
  return data;
}

}  // namespace tessera
