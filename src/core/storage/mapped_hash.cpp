#include "storage/mapped_hash.hpp"

#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <mutex>
#include <string_view>

namespace tessera {
namespace {

// The jump back for a SIGBUS raised while this thread reads a mapping; null otherwise.
thread_local sigjmp_buf* t_bus_return = nullptr;
struct sigaction g_previous_bus {};

void on_sigbus(int sig, siginfo_t* info, void* context) {
  if (t_bus_return != nullptr) siglongjmp(*t_bus_return, 1);
  // Not ours: hand it to whoever had it before (by default, the fault kills the process).
  if ((g_previous_bus.sa_flags & SA_SIGINFO) != 0 && g_previous_bus.sa_sigaction != nullptr) {
    g_previous_bus.sa_sigaction(sig, info, context);
    return;
  }
  if (g_previous_bus.sa_handler != SIG_DFL && g_previous_bus.sa_handler != SIG_IGN) {
    g_previous_bus.sa_handler(sig);
    return;
  }
  ::sigaction(SIGBUS, &g_previous_bus, nullptr);  // the fault repeats and takes the default
}

void install_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGBUS, &sa, &g_previous_bus);
  });
}

// Separate function so nothing the jump could skip lives in its frame.
bool update_guarded(Sha1& sha, const char* data, std::size_t n) {
  sigjmp_buf env;
  if (sigsetjmp(env, 0) != 0) {
    t_bus_return = nullptr;
    return false;
  }
  t_bus_return = &env;
  sha.update(std::string_view(data, n));
  t_bus_return = nullptr;
  return true;
}

}  // namespace

MappedRange::MappedRange(int fd, std::int64_t offset, std::int64_t length) {
  if (length <= 0) {
    status_ = MappedHash::ok;
    return;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) return;
  if (st.st_size < offset + length) {
    status_ = MappedHash::short_file;
    return;
  }
  install_handler();
  const std::int64_t page = ::sysconf(_SC_PAGESIZE);
  const std::int64_t start = offset / page * page;
  const auto span = static_cast<std::size_t>(offset + length - start);
  void* map = ::mmap(nullptr, span, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, static_cast<off_t>(start));
  if (map == MAP_FAILED) return;
  map_ = map;
  span_ = span;
  skip_ = static_cast<std::size_t>(offset - start);
  length_ = static_cast<std::size_t>(length);
  status_ = MappedHash::ok;
}

MappedRange::~MappedRange() {
  if (map_ != nullptr) ::munmap(map_, span_);
}

MappedHash MappedRange::hash_into(Sha1& sha) const {
  if (status_ != MappedHash::ok || length_ == 0) return status_;
  const bool ok = update_guarded(sha, static_cast<const char*>(map_) + skip_, length_);
  return ok ? MappedHash::ok : MappedHash::short_file;
}

MappedHash hash_mapped_range(Sha1& sha, int fd, std::int64_t offset, std::int64_t length) {
  const MappedRange range(fd, offset, length);
  return range.hash_into(sha);
}

}  // namespace tessera
