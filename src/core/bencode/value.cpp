#include "bencode/value.hpp"

namespace tessera::bencode {
namespace {

void encode_string(std::string& out, std::string_view s) {
  out += std::to_string(s.size());
  out += ':';
  out += s;
}

}  // namespace

void encode_to(std::string& out, const Value& v) {
  switch (v.type()) {
    case Type::integer:
      out += 'i';
      out += std::to_string(v.as_int());
      out += 'e';
      break;
    case Type::string:
      encode_string(out, v.as_string());
      break;
    case Type::list:
      out += 'l';
      for (const Value& item : v.as_list()) encode_to(out, item);
      out += 'e';
      break;
    case Type::dict:
      out += 'd';
      for (const auto& [key, value] : v.as_dict()) {
        encode_string(out, key);
        encode_to(out, value);
      }
      out += 'e';
      break;
  }
}

std::string encode(const Value& v) {
  std::string out;
  encode_to(out, v);
  return out;
}

Value to_value(const Node& n) {
  switch (n.type()) {
    case Type::integer: return Value(n.as_int());
    case Type::string: return Value(n.as_string());
    case Type::list: {
      Value::List items;
      for (const Node item : n) items.push_back(to_value(item));
      return Value(std::move(items));
    }
    case Type::dict: {
      Value::Dict entries;
      for (const Node key : n) entries.emplace(std::string(key.as_string()), to_value(key.next_sibling()));
      return Value(std::move(entries));
    }
  }
  return Value();
}

}  // namespace tessera::bencode
