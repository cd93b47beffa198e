// libFuzzer target: bencode decoding. Anything decoded must re-encode and decode to the same
// value, and every node's raw bytes must lie inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "bencode/document.hpp"
#include "bencode/value.hpp"

namespace {
void check_spans(const tessera::bencode::Node& n, std::string_view whole) {
  const std::string_view raw = n.raw();
  if (raw.data() < whole.data() || raw.data() + raw.size() > whole.data() + whole.size()) std::abort();
  if (n.is_list() || n.is_dict()) {
    for (const auto child : n) {
      check_spans(child, whole);
      if (n.is_dict()) check_spans(child.next_sibling(), whole);
    }
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tessera::bencode;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Limits limits;
  limits.max_tokens = 100'000;
  auto doc = decode(input, limits);
  if (!doc) return 0;
  check_spans(doc->root(), doc->bytes());
  const Value v = to_value(doc->root());
  const std::string again = encode(v);
  auto redecoded = decode(again, limits);
  if (!redecoded || to_value(redecoded->root()) != v) std::abort();
  return 0;
}
