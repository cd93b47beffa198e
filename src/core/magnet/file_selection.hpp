// BEP 53's file selection ("so=0,2,4-6"): which files of the torrent a magnet link asks for,
// kept as ranges (never expanded, so "0-4294967295" costs one entry) until the metadata says
// how many files there are.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/expected.hpp"

namespace tessera::magnet {

struct FileRange {
  std::uint32_t first = 0;
  std::uint32_t last = 0;  // inclusive, >= first
  friend auto operator<=>(const FileRange&, const FileRange&) = default;
};

// Most entries one so= value may hold; a link's selection is bounded by the same number.
inline constexpr std::size_t kMaxFileSelectionEntries = 1000;

// Appends the entries of one so= value ("N" or "N-M", comma-separated, decimal, indices up to
// 2^32 - 1) to `into`. The error is one line naming what is wrong.
expected<void, std::string> parse_file_selection(std::string_view text, std::vector<FileRange>& into);

// Sorted by first index, overlapping and adjacent ranges merged: one spelling per selection.
void normalize_file_selection(std::vector<FileRange>& ranges);

// "0,2,4-6"; parse_file_selection reads it back to the same ranges.
std::string format_file_selection(const std::vector<FileRange>& ranges);

// Whether `index` is in the (normalized) selection.
bool selects_file(const std::vector<FileRange>& ranges, std::uint32_t index);

}  // namespace tessera::magnet
