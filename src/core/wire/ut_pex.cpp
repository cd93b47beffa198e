#include "wire/ut_pex.hpp"

#include <algorithm>
#include <optional>

#include "bencode/document.hpp"
#include "bencode/value.hpp"

namespace tessera::wire {
namespace {

namespace ip = boost::asio::ip;
using Endpoint = ip::tcp::endpoint;

// A PEX dict is flat: six strings. Depth and value count leave room for unknown keys without
// letting a peer make us build a large token array.
bencode::Limits pex_limits() {
  bencode::Limits limits;
  limits.max_input = kMaxPexPayload;
  limits.max_depth = 8;
  limits.max_tokens = 1024;
  return limits;
}

Endpoint read_entry(std::string_view raw) {
  const auto port = static_cast<std::uint16_t>(
      (static_cast<unsigned>(static_cast<std::uint8_t>(raw[raw.size() - 2])) << 8) |
      static_cast<std::uint8_t>(raw[raw.size() - 1]));
  if (raw.size() == kPexEntryV4) {
    ip::address_v4::bytes_type b;
    std::copy_n(raw.begin(), 4, b.begin());
    return Endpoint(ip::address_v4(b), port);
  }
  ip::address_v6::bytes_type b;
  std::copy_n(raw.begin(), 16, b.begin());
  return Endpoint(ip::address_v6(b), port);
}

void append_entry(std::string& out, const Endpoint& ep) {
  const ip::address a = ep.address();
  // Appended as chars: an append from unsigned char iterators goes through a temporary string.
  if (a.is_v4()) {
    const auto b = a.to_v4().to_bytes();
    out.append(reinterpret_cast<const char*>(b.data()), b.size());
  } else {
    const auto b = a.to_v6().to_bytes();
    out.append(reinterpret_cast<const char*>(b.data()), b.size());
  }
  out += static_cast<char>(ep.port() >> 8);
  out += static_cast<char>(ep.port() & 0xff);
}

// The string under `key`, or empty when absent or not a string (treated alike: harmless).
std::string_view string_or_empty(const bencode::Node& root, std::string_view key) {
  return root.find_string(key).value_or(std::string_view{});
}

// Whole entries of one list, at most kMaxPexEntries; the rest and a partial tail are counted.
void read_list(std::string_view raw, std::size_t entry_size, std::size_t& skipped, const auto& take) {
  const std::size_t whole = raw.size() / entry_size;
  const std::size_t kept = std::min(whole, kMaxPexEntries);
  skipped += whole - kept + (raw.size() % entry_size != 0 ? 1 : 0);
  for (std::size_t i = 0; i < kept; ++i) take(i, read_entry(raw.substr(i * entry_size, entry_size)));
}

void read_added(const bencode::Node& root, std::string_view key, std::string_view flags_key,
                std::size_t entry_size, PexMessage& out) {
  const std::string_view raw = string_or_empty(root, key);
  const std::string_view flags = string_or_empty(root, flags_key);
  // One flags byte per whole entry, or the flags mean nothing and are ignored.
  const bool use_flags = flags.size() == raw.size() / entry_size;
  read_list(raw, entry_size, out.entries_skipped, [&](std::size_t i, const Endpoint& ep) {
    out.added.push_back(PexPeer{ep, use_flags ? static_cast<std::uint8_t>(flags[i]) : std::uint8_t{0}});
  });
}

void read_dropped(const bencode::Node& root, std::string_view key, std::size_t entry_size, PexMessage& out) {
  read_list(string_or_empty(root, key), entry_size, out.entries_skipped,
            [&](std::size_t, const Endpoint& ep) { out.dropped.push_back(ep); });
}

}  // namespace

std::string encode_ut_pex(const PexMessage& message) {
  std::string added, added_f, added6, added6_f, dropped, dropped6;
  for (const PexPeer& p : message.added) {
    const bool v4 = p.endpoint.address().is_v4();
    append_entry(v4 ? added : added6, p.endpoint);
    (v4 ? added_f : added6_f) += static_cast<char>(p.flags);
  }
  for (const Endpoint& ep : message.dropped) append_entry(ep.address().is_v4() ? dropped : dropped6, ep);
  bencode::Value root(bencode::Value::Dict{});
  root.set("added", std::move(added));
  root.set("added.f", std::move(added_f));
  root.set("dropped", std::move(dropped));
  if (!added6.empty() || !dropped6.empty()) {
    root.set("added6", std::move(added6));
    root.set("added6.f", std::move(added6_f));
    root.set("dropped6", std::move(dropped6));
  }
  return bencode::encode(root);
}

expected<PexMessage, ProtocolError> decode_ut_pex(std::string_view payload) {
  if (payload.size() > kMaxPexPayload) {
    return unexpected(ProtocolError{ProtocolError::Code::bad_pex_message,
                                    "ut_pex message of " + std::to_string(payload.size()) + " bytes"});
  }
  auto doc = bencode::decode(payload, pex_limits());
  if (!doc) {
    return unexpected(ProtocolError{ProtocolError::Code::bad_pex_message,
                                    "ut_pex message is not valid bencode: " + doc.error().message()});
  }
  const bencode::Node root = doc->root();
  if (!root.is_dict()) {
    return unexpected(
        ProtocolError{ProtocolError::Code::bad_pex_message, "ut_pex message is not a dictionary"});
  }
  PexMessage m;
  read_added(root, "added", "added.f", kPexEntryV4, m);
  read_added(root, "added6", "added6.f", kPexEntryV6, m);
  read_dropped(root, "dropped", kPexEntryV4, m);
  read_dropped(root, "dropped6", kPexEntryV6, m);
  return m;
}

}  // namespace tessera::wire
