#include "bencode/document.hpp"

#include <algorithm>
#include <limits>

namespace tessera::bencode {
namespace {

using detail::Token;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Parses the unsigned decimal digits in [pos, stop_char). Digits only; no sign.
// On success returns the value and sets pos to the stop character.
expected<std::uint64_t, Error> parse_digits(std::string_view in, std::size_t& pos, char stop,
                                            std::uint64_t max) {
  const std::size_t start = pos;
  std::uint64_t value = 0;
  while (pos < in.size() && is_digit(in[pos])) {
    const auto digit = static_cast<std::uint64_t>(in[pos] - '0');
    if (value > (max - digit) / 10) return unexpected(Error{Errc::integer_overflow, start});
    value = value * 10 + digit;
    ++pos;
  }
  if (pos == in.size()) return unexpected(Error{Errc::unexpected_end, pos});
  if (pos == start || in[pos] != stop) {
    return unexpected(Error{stop == 'e' ? Errc::invalid_integer : Errc::invalid_prefix, pos});
  }
  if (in[start] == '0' && pos - start > 1) return unexpected(Error{Errc::leading_zero, start});
  return value;
}

struct Frame {
  std::uint32_t token;       // the container's token
  bool dict;
  bool expect_key;           // dicts: the next child is a key
  bool unsorted;             // dicts: keys seen out of order (checked for duplicates at close)
  std::string_view last_key;
};

expected<void, Error> check_unsorted_duplicates(std::string_view buf, const std::vector<Token>& toks,
                                                std::uint32_t dict_token) {
  std::vector<std::pair<std::string_view, std::uint32_t>> keys;
  for (std::uint32_t i = dict_token + 1; i < toks[dict_token].next;) {
    const Token& k = toks[i];
    keys.emplace_back(buf.substr(k.begin + k.header, k.end - k.begin - k.header), k.begin);
    i = toks[k.next].next;  // skip the key and its value
  }
  std::sort(keys.begin(), keys.end());
  for (std::size_t i = 1; i < keys.size(); ++i) {
    if (keys[i].first == keys[i - 1].first) {
      return unexpected(Error{Errc::duplicate_key, std::max(keys[i].second, keys[i - 1].second)});
    }
  }
  return {};
}

}  // namespace

expected<Document, Error> decode(std::string_view in, const Limits& limits) {
  if (in.size() > limits.max_input) return unexpected(Error{Errc::input_too_large, limits.max_input});
  return decode(std::string(in), limits);
}

expected<Document, Error> decode(std::string&& in, const Limits& limits) {
  const std::size_t max_input =
      std::min<std::size_t>(limits.max_input, std::numeric_limits<std::uint32_t>::max() - 1);
  if (in.size() > max_input) return unexpected(Error{Errc::input_too_large, max_input});
  if (in.empty()) return unexpected(Error{Errc::unexpected_end, 0});

  Document doc;
  doc.buffer_ = std::make_unique<std::string>(std::move(in));
  const std::string_view buf(*doc.buffer_);  // keys point into the owned bytes
  std::vector<Token>& toks = doc.tokens_;
  std::vector<Frame> stack;

  auto u32 = [](std::size_t v) { return static_cast<std::uint32_t>(v); };
  std::size_t pos = 0;
  bool root_done = false;

  while (!root_done) {
    if (pos >= buf.size()) return unexpected(Error{Errc::unexpected_end, pos});
    const char c = buf[pos];

    if (!stack.empty() && c == 'e') {
      Frame& top = stack.back();
      if (top.dict && !top.expect_key) return unexpected(Error{Errc::missing_value, pos});
      Token& t = toks[top.token];
      t.end = u32(pos + 1);
      t.next = u32(toks.size());
      if (top.unsorted) {
        if (auto ok = check_unsorted_duplicates(buf, toks, top.token); !ok) {
          return unexpected(ok.error());
        }
      }
      stack.pop_back();
      ++pos;
      if (stack.empty()) root_done = true;
      continue;
    }

    const bool is_key = !stack.empty() && stack.back().dict && stack.back().expect_key;
    if (is_key && !is_digit(c)) return unexpected(Error{Errc::non_string_key, pos});
    if (toks.size() >= limits.max_tokens) return unexpected(Error{Errc::token_limit, pos});

    Token t{u32(pos), 0, 0, Type::integer, 0, 0};
    bool opens_container = false;
    if (c == 'i') {
      std::size_t p = pos + 1;
      const bool negative = p < buf.size() && buf[p] == '-';
      if (negative) ++p;
      // Magnitude limit: 2^63 - 1, or 2^63 for negatives (INT64_MIN is legal).
      const std::uint64_t max =
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + (negative ? 1 : 0);
      auto mag = parse_digits(buf, p, 'e', max);
      if (!mag) return unexpected(mag.error());
      if (negative && *mag == 0) return unexpected(Error{Errc::negative_zero, pos});
      t.type = Type::integer;
      t.end = u32(p + 1);
    } else if (is_digit(c)) {
      std::size_t p = pos;
      auto len = parse_digits(buf, p, ':', std::numeric_limits<std::uint64_t>::max());
      if (!len) return unexpected(len.error());
      ++p;  // past ':'
      // Checked against what is left before anything is allocated or skipped.
      if (*len > buf.size() - p) return unexpected(Error{Errc::string_exceeds_input, pos});
      t.type = Type::string;
      t.header = static_cast<std::uint8_t>(p - pos);
      t.end = u32(p + *len);
    } else if (c == 'l' || c == 'd') {
      if (stack.size() >= limits.max_depth) return unexpected(Error{Errc::depth_limit, pos});
      t.type = c == 'l' ? Type::list : Type::dict;
      opens_container = true;
    } else {
      return unexpected(Error{Errc::invalid_prefix, pos});
    }

    if (is_key) {
      Frame& top = stack.back();
      const std::string_view key = buf.substr(t.begin + t.header, t.end - t.begin - t.header);
      if (toks.size() > top.token + 1) {  // not the first key
        if (key == top.last_key) return unexpected(Error{Errc::duplicate_key, pos});
        if (key < top.last_key) {
          if (limits.strict_key_order) return unexpected(Error{Errc::unsorted_keys, pos});
          top.unsorted = true;
        }
      }
      top.last_key = key;
    }
    if (!stack.empty() && stack.back().dict) stack.back().expect_key = !stack.back().expect_key;

    const auto index = u32(toks.size());
    toks.push_back(t);
    if (opens_container) {
      stack.push_back(Frame{index, c == 'd', true, false, {}});
      ++pos;
    } else {
      toks.back().next = index + 1;
      pos = t.end;
      if (stack.empty()) root_done = true;
    }
  }

  if (pos != buf.size()) return unexpected(Error{Errc::trailing_data, pos});
  return doc;
}

std::int64_t Node::as_int() const {
  // Already validated by decode(); re-read the digits.
  const Token& t = tok();
  std::size_t p = t.begin + 1;
  const bool negative = buf_[p] == '-';
  if (negative) ++p;
  std::uint64_t mag = 0;
  for (; buf_[p] != 'e'; ++p) mag = mag * 10 + static_cast<std::uint64_t>(buf_[p] - '0');
  if (!negative) return static_cast<std::int64_t>(mag);
  // -(2^63) is representable; compute in unsigned space to avoid overflow.
  return static_cast<std::int64_t>(~mag + 1);
}

std::string_view Node::as_string() const {
  const Token& t = tok();
  return {buf_ + t.begin + t.header, static_cast<std::size_t>(t.end - t.begin - t.header)};
}

std::string_view Node::raw() const {
  const Token& t = tok();
  return {buf_ + t.begin, static_cast<std::size_t>(t.end - t.begin)};
}

ChildIterator Node::begin() const {
  if (!is_list() && !is_dict()) return end();
  return ChildIterator(tokens_, buf_, index_ + 1, is_dict());
}

ChildIterator Node::end() const { return ChildIterator(tokens_, buf_, tok().next, is_dict()); }

std::size_t Node::size() const {
  std::size_t n = 0;
  for (auto it = begin(); it != end(); ++it) ++n;
  return n;
}

Node ChildIterator::operator*() const { return Node(tokens_, buf_, index_); }

ChildIterator& ChildIterator::operator++() {
  index_ = tokens_[index_].next;
  if (pairs_) index_ = tokens_[index_].next;  // skip the value too
  return *this;
}

std::optional<Node> Node::find(std::string_view key) const {
  if (!is_dict()) return std::nullopt;
  for (auto it = begin(); it != end(); ++it) {
    const Node k = *it;
    if (k.as_string() == key) return k.next_sibling();
  }
  return std::nullopt;
}

std::optional<std::int64_t> Node::find_int(std::string_view key) const {
  auto n = find(key);
  if (!n || !n->is_int()) return std::nullopt;
  return n->as_int();
}

std::optional<std::string_view> Node::find_string(std::string_view key) const {
  auto n = find(key);
  if (!n || !n->is_string()) return std::nullopt;
  return n->as_string();
}

std::optional<Node> Node::find_list(std::string_view key) const {
  auto n = find(key);
  if (!n || !n->is_list()) return std::nullopt;
  return n;
}

std::optional<Node> Node::find_dict(std::string_view key) const {
  auto n = find(key);
  if (!n || !n->is_dict()) return std::nullopt;
  return n;
}

}  // namespace tessera::bencode
