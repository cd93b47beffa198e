#include "cli_common.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace tessera::cli {

expected<std::string, std::string> read_file_limited(const std::string& path, std::uint64_t max_bytes) {
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

std::string human_size(std::int64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  auto value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
    value /= 1024.0;
    ++unit;
  }
  std::array<char, 32> buf{};
  if (unit == 0) {
    std::snprintf(buf.data(), buf.size(), "%lld B", static_cast<long long>(bytes));
  } else {
    std::snprintf(buf.data(), buf.size(), "%.2f %s", value, kUnits[unit]);
  }
  return buf.data();
}

void print_error(std::string_view message) {
  const std::string line = "error: " + printable(message) + "\n";  // always exactly one line
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace tessera::cli

namespace tessera::cli {
std::string printable(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) c = '?';
  }
  return out;
}
}  // namespace tessera::cli
