#include "magnet/file_selection.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

namespace tessera::magnet {
namespace {

// A decimal index: digits only (no sign, no space), at most 2^32 - 1.
bool parse_index(std::string_view text, std::uint32_t& out) {
  if (text.empty() || text.size() > 10) return false;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  if (std::from_chars(text.data(), end, value).ptr != end) return false;
  if (value > std::numeric_limits<std::uint32_t>::max()) return false;
  out = static_cast<std::uint32_t>(value);
  return true;
}

}  // namespace

expected<void, std::string> parse_file_selection(std::string_view text, std::vector<FileRange>& into) {
  if (text.empty()) return unexpected(std::string("empty file selection (so)"));
  for (std::size_t start = 0;;) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view entry = text.substr(start, comma - start);
    if (into.size() >= kMaxFileSelectionEntries) {
      return unexpected(std::string("file selection (so) has more than ") +
                        std::to_string(kMaxFileSelectionEntries) + " entries");
    }
    FileRange range;
    bool ok = false;
    if (const std::size_t dash = entry.find('-'); dash == std::string_view::npos) {
      ok = parse_index(entry, range.first);
      range.last = range.first;
    } else {
      ok = parse_index(entry.substr(0, dash), range.first) && parse_index(entry.substr(dash + 1), range.last);
    }
    if (!ok) {
      return unexpected(
          std::string("malformed file selection (so): expected file indices and ranges like "
                      "0,2,4-6"));
    }
    if (range.last < range.first) {
      return unexpected(std::string("file selection (so) has a backward range ") +
                        std::to_string(range.first) + "-" + std::to_string(range.last));
    }
    into.push_back(range);
    if (comma == text.size()) break;
    start = comma + 1;
  }
  return {};
}

void normalize_file_selection(std::vector<FileRange>& ranges) {
  std::sort(ranges.begin(), ranges.end());
  std::vector<FileRange> merged;
  merged.reserve(ranges.size());
  for (const FileRange& r : ranges) {
    // Adjacent counts as overlapping: 0-2 and 3 are 0-3. last + 1 in 64 bits cannot wrap.
    if (!merged.empty() && std::uint64_t{r.first} <= std::uint64_t{merged.back().last} + 1) {
      merged.back().last = std::max(merged.back().last, r.last);
    } else {
      merged.push_back(r);
    }
  }
  ranges = std::move(merged);
}

std::string format_file_selection(const std::vector<FileRange>& ranges) {
  std::string out;
  for (const FileRange& r : ranges) {
    if (!out.empty()) out.push_back(',');
    out.append(std::to_string(r.first));
    if (r.last != r.first) out.append(1, '-').append(std::to_string(r.last));
  }
  return out;
}

bool selects_file(const std::vector<FileRange>& ranges, std::uint32_t index) {
  const auto it = std::upper_bound(ranges.begin(), ranges.end(), index,
                                   [](std::uint32_t i, const FileRange& r) { return i < r.first; });
  return it != ranges.begin() && index <= std::prev(it)->last;
}

}  // namespace tessera::magnet
