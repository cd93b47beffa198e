// libFuzzer target: magnet URIs. Whatever the bytes, the parser returns a link or a one-line
// error; a link respects every bound, and the link made from it reads back to the same value,
// without warnings, and makes the same text again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "magnet/magnet_uri.hpp"
#include "magnet/uri_text.hpp"

namespace {

using namespace tessera::magnet;

void check(bool ok) {
  if (!ok) std::abort();
}

bool one_line(const std::string& s) {
  return !s.empty() && s.find('\n') == std::string::npos;
}

void check_bounds(const Magnet& m) {
  check(m.trackers.size() <= kMaxTrackers && m.peers.size() <= kMaxPeers &&
        m.web_seeds.size() <= kMaxWebSeeds);
  check(m.selected_files.size() <= kMaxFileSelectionEntries);
  check(m.warnings.size() <= 30);
  for (const std::string& w : m.warnings) check(one_line(w));
  check(m.name.size() <= 1024 && !clean_display_text(m.name).changed);
  for (const PeerAddress& p : m.peers) check(p.port != 0 && !p.host.empty());
  // Normalized: sorted, each range forwards, neither overlapping nor touching the next.
  for (std::size_t i = 0; i < m.selected_files.size(); ++i) {
    check(m.selected_files[i].first <= m.selected_files[i].last);
    if (i > 0) check(std::uint64_t{m.selected_files[i - 1].last} + 1 < m.selected_files[i].first);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_magnet_uri(input);
  if (!parsed) {
    check(one_line(parsed.error().message));
    return 0;
  }
  check_bounds(*parsed);

  const std::string uri = make_magnet_uri(*parsed);
  check(uri.size() <= kMaxUriBytes);
  auto again = parse_magnet_uri(uri);
  check(again.has_value());
  check(again->warnings.empty());
  Magnet expected = *parsed;
  expected.warnings.clear();
  check(*again == expected);
  check(make_magnet_uri(*again) == uri);
  return 0;
}
