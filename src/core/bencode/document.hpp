// Bencode decoding for untrusted input.
//
// decode() validates the whole input in one iterative pass (no recursion, so depth is bounded
// only by Limits) and records every value as a 16-byte token over an owned copy of the bytes.
// Nodes are cheap views: strings are string_views into that copy, and raw() gives the exact
// original bytes of any value — the info-hash is the SHA-1 of the info dictionary's raw bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bencode/bencode_error.hpp"
#include "tessera/expected.hpp"

namespace tessera::bencode {

enum class Type : std::uint8_t { integer, string, list, dict };

struct Limits {
  std::size_t max_input = std::size_t{32} << 20;  // bytes; hard cap 4 GiB (32-bit offsets)
  std::size_t max_depth = 64;                     // nested lists/dicts
  std::size_t max_tokens = 2'000'000;             // values in total (16 bytes each)
  bool strict_key_order = false;  // BEP 3 wants sorted keys; real torrents sometimes are not
};

namespace detail {
struct Token {
  std::uint32_t begin;   // offset of the value's first byte
  std::uint32_t end;     // one past its last byte
  std::uint32_t next;    // index of the token after this value's subtree
  Type type;
  std::uint8_t header;   // strings: bytes of "<len>:" before the payload
  std::uint16_t unused;
};
static_assert(sizeof(Token) == 16);
}  // namespace detail

class Node;

// A forward range over a list's items or a dictionary's (key, value) pairs.
class ChildIterator {
 public:
  ChildIterator(const detail::Token* tokens, const char* buf, std::uint32_t index, bool pairs)
      : tokens_(tokens), buf_(buf), index_(index), pairs_(pairs) {}
  Node operator*() const;
  ChildIterator& operator++();
  bool operator==(const ChildIterator& o) const { return index_ == o.index_; }

 private:
  const detail::Token* tokens_;
  const char* buf_;
  std::uint32_t index_;
  bool pairs_;
};

class Node {
 public:
  Node(const detail::Token* tokens, const char* buf, std::uint32_t index)
      : tokens_(tokens), buf_(buf), index_(index) {}

  Type type() const { return tok().type; }
  bool is_int() const { return type() == Type::integer; }
  bool is_string() const { return type() == Type::string; }
  bool is_list() const { return type() == Type::list; }
  bool is_dict() const { return type() == Type::dict; }

  std::int64_t as_int() const;          // precondition: is_int()
  std::string_view as_string() const;   // precondition: is_string()

  // Lists: items. Dicts: keys and values alternate; use find() or entries().
  std::size_t size() const;  // number of items (list) or entries (dict); walks the children
  ChildIterator begin() const;
  ChildIterator end() const;

  std::optional<Node> find(std::string_view key) const;  // dicts only; nullopt otherwise
  // Typed lookups: nullopt when missing or of another type.
  std::optional<std::int64_t> find_int(std::string_view key) const;
  std::optional<std::string_view> find_string(std::string_view key) const;
  std::optional<Node> find_list(std::string_view key) const;
  std::optional<Node> find_dict(std::string_view key) const;

  // For dict iteration: a key node's value is the next sibling.
  Node next_sibling() const { return Node(tokens_, buf_, tok().next); }

  std::string_view raw() const;  // the value's exact original bytes
  std::size_t offset() const { return tok().begin; }

 private:
  const detail::Token& tok() const { return tokens_[index_]; }
  const detail::Token* tokens_;
  const char* buf_;
  std::uint32_t index_;
};

class Document {
 public:
  Document(Document&&) noexcept = default;
  Document& operator=(Document&&) noexcept = default;

  // Heap storage keeps node pointers valid when the Document is moved.
  Node root() const { return Node(tokens_.data(), buffer_->data(), 0); }
  std::string_view bytes() const { return *buffer_; }
  std::size_t token_count() const { return tokens_.size(); }

 private:
  friend expected<Document, Error> decode(std::string&&, const Limits&);
  Document() = default;
  std::unique_ptr<std::string> buffer_;
  std::vector<detail::Token> tokens_;
};

// Decodes exactly one value spanning the whole input. The Document keeps its own copy.
expected<Document, Error> decode(std::string_view input, const Limits& limits = {});
// The same, taking ownership of the bytes instead of copying them.
expected<Document, Error> decode(std::string&& input, const Limits& limits = {});
inline expected<Document, Error> decode(const char* input, const Limits& limits = {}) {
  return decode(std::string_view(input), limits);
}

}  // namespace tessera::bencode
