#include "live_line.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace tessera::cli {
namespace {

std::size_t terminal_columns() {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

// Characters, not bytes: UTF-8 continuation bytes take no column. (Wide CJK characters take
// two; counting them as one only makes the rare name undercount.)
std::size_t columns_of(const std::string& text) {
  std::size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) == 0x80 ? 0 : 1;
  return n;
}

}  // namespace

void LiveLine::show(const std::string& text) {
  clear();
  std::fputs(text.c_str(), stdout);
  const std::size_t cols = terminal_columns();
  rows_ = std::max<std::size_t>(1, (columns_of(text) + cols - 1) / cols);
  std::fflush(stdout);
}

void LiveLine::clear() {
  if (rows_ == 0) return;
  std::fputs("\r\033[K", stdout);
  for (std::size_t i = 1; i < rows_; ++i) std::fputs("\033[A\033[K", stdout);
  rows_ = 0;
}

void LiveLine::finish() {
  if (rows_ == 0) return;
  std::fputs("\n", stdout);
  rows_ = 0;
}

}  // namespace tessera::cli
