// An owned bencode value for building messages and files (resume data, tracker requests,
// extension handshakes, test torrents). Dictionaries are ordered maps, so encoding is canonical.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "bencode/document.hpp"

namespace tessera::bencode {

class Value {
 public:
  using List = std::vector<Value>;
  using Dict = std::map<std::string, Value, std::less<>>;

  Value() : v_(std::int64_t{0}) {}
  Value(std::int64_t i) : v_(i) {}  // NOLINT(google-explicit-constructor): literal-friendly
  Value(int i) : v_(std::int64_t{i}) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(List l) : v_(std::move(l)) {}
  Value(Dict d) : v_(std::move(d)) {}

  static Value list(std::initializer_list<Value> items) { return Value(List(items)); }
  static Value dict(std::initializer_list<std::pair<const std::string, Value>> entries) {
    return Value(Dict(entries));
  }

  Type type() const { return static_cast<Type>(v_.index()); }
  std::int64_t as_int() const { return std::get<std::int64_t>(v_); }
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const List& as_list() const { return std::get<List>(v_); }
  List& as_list() { return std::get<List>(v_); }
  const Dict& as_dict() const { return std::get<Dict>(v_); }
  Dict& as_dict() { return std::get<Dict>(v_); }

  // Dict convenience: inserts or replaces.
  Value& set(std::string key, Value v) { return as_dict()[std::move(key)] = std::move(v); }

  friend bool operator==(const Value&, const Value&) = default;

 private:
  // Index order matches Type.
  std::variant<std::int64_t, std::string, List, Dict> v_;
};

void encode_to(std::string& out, const Value& v);
std::string encode(const Value& v);

// Copies a decoded node into an owned value (unsorted keys come out sorted).
Value to_value(const Node& n);

}  // namespace tessera::bencode
