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

MappedHash hash_mapped_range(Sha1& sha, int fd, std::int64_t offset, std::int64_t length) {
  if (length <= 0) return MappedHash::ok;
  struct stat st {};
  if (::fstat(fd, &st) != 0) return MappedHash::unavailable;
  if (st.st_size < offset + length) return MappedHash::short_file;
  install_handler();
  const std::int64_t page = ::sysconf(_SC_PAGESIZE);
  const std::int64_t start = offset / page * page;
  const auto span = static_cast<std::size_t>(offset + length - start);
  void* map = ::mmap(nullptr, span, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, static_cast<off_t>(start));
  if (map == MAP_FAILED) return MappedHash::unavailable;
  const bool ok = update_guarded(sha, static_cast<const char*>(map) + (offset - start), static_cast<std::size_t>(length));
  ::munmap(map, span);
  return ok ? MappedHash::ok : MappedHash::short_file;
}

}  // namespace tessera
