#include "magnet/magnet_uri.hpp"

#include <algorithm>
#include <set>

#include "magnet/uri_text.hpp"
#include "metainfo/path_sanitizer.hpp"
#include "tracker/http_tracker_protocol.hpp"

namespace tessera::magnet {
namespace {

// Longest display name kept (bytes, after repair); a torrent's real name comes with its metadata.
constexpr std::size_t kMaxNameBytes = 1024;
// Warnings kept before the rest are only counted: a hostile link could otherwise make thousands.
constexpr std::size_t kMaxWarnings = 20;
constexpr std::string_view kScheme = "magnet:?";
constexpr std::string_view kBtih = "urn:btih:";
constexpr std::string_view kBtmh = "urn:btmh:";
// Characters a value may keep unescaped in the links we make: legal in a URI query, and none of
// them means anything to a magnet parser ('&' separates, '%' escapes, '+' is a space in dn, '#'
// starts a fragment). URLs keep '=' and '?' so their own queries stay readable.
constexpr std::string_view kKeepInName = "!$'()*,:@";
constexpr std::string_view kKeepInUrl = "!$'()*,:@/?=";
constexpr std::string_view kKeepInPeer = ":";

unexpected<MagnetError> fail(MagnetErrc code, std::string message) {
  return unexpected(MagnetError{code, std::move(message)});
}

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

bool istarts_with(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

// The keys this parser reads. Links listing several items number them: xt.1, tr.2, x.pe.3 ...
enum class Key { none, xt, dn, tr, ws, peer, so };

Key key_of(std::string_view key) {
  if (const std::size_t dot = key.rfind('.'); dot != std::string_view::npos) {
    const std::string_view suffix = key.substr(dot + 1);
    if (!suffix.empty() &&
        std::all_of(suffix.begin(), suffix.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      key = key.substr(0, dot);
    }
  }
  if (iequals(key, "xt")) return Key::xt;
  if (iequals(key, "dn")) return Key::dn;
  if (iequals(key, "tr")) return Key::tr;
  if (iequals(key, "ws")) return Key::ws;
  if (iequals(key, "x.pe")) return Key::peer;
  if (iequals(key, "so")) return Key::so;
  return Key::none;
}

std::string_view key_name(Key key) {
  switch (key) {
    case Key::xt:
      return "xt";
    case Key::dn:
      return "dn";
    case Key::tr:
      return "tr";
    case Key::ws:
      return "ws";
    case Key::peer:
      return "x.pe";
    case Key::so:
      return "so";
    case Key::none:
      break;
  }
  return "?";
}

// Calls fn(key, raw value) for each "key=value" parameter of the query; parameters without '='
// and unknown keys are skipped. Stops at the first error fn returns.
template <class Fn>
expected<void, MagnetError> for_each_param(std::string_view query, Fn&& fn) {
  for (std::size_t start = 0; start <= query.size();) {
    const std::size_t amp = std::min(query.find('&', start), query.size());
    const std::string_view param = query.substr(start, amp - start);
    start = amp + 1;
    const std::size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    const Key key = key_of(param.substr(0, eq));
    if (key == Key::none) continue;
    if (auto r = fn(key, param.substr(eq + 1)); !r) return r;
  }
  return {};
}

expected<std::string, MagnetError> decode(Key key, std::string_view raw) {
  auto text = percent_decode(raw, key == Key::dn);
  if (!text) {
    return fail(MagnetErrc::bad_percent_encoding, std::string("bad percent-encoding in ") +
                                                      std::string(key_name(key)) +
                                                      ": '%' must be followed by two hex digits");
  }
  return std::move(*text);
}

// One "&key=value" piece of a link, as make_magnet_uri writes it.
std::string field(std::string_view key, std::string_view encoded_value) {
  std::string out;
  out.reserve(key.size() + encoded_value.size() + 2);
  out.append(1, '&').append(key).append(1, '=').append(encoded_value);
  return out;
}

std::string tracker_field(std::string_view url) {
  return field("tr", percent_encode(url, kKeepInUrl));
}
std::string web_seed_field(std::string_view url) {
  return field("ws", percent_encode(url, kKeepInUrl));
}
std::string peer_field(const PeerAddress& peer) {
  return field("x.pe", percent_encode(format_peer_address(peer), kKeepInPeer));
}
std::string head(const Sha1Digest& hash) {
  std::string out(kScheme);
  out.append("xt=").append(kBtih).append(hash.hex());
  return out;
}
std::string name_field(std::string_view name) {
  return field("dn", percent_encode(name, kKeepInName));
}
std::string selection_field(const std::vector<FileRange>& ranges) {
  return field("so", format_file_selection(ranges));
}

// The parse in progress: what was found so far and what was left out.
class Reader {
 public:
  // First pass: xt, dn and so. Then end_identity, the second pass (tr, ws, x.pe) and finish.
  expected<void, MagnetError> read_identity(Key key, std::string_view raw);
  expected<void, MagnetError> end_identity();
  expected<void, MagnetError> read_sources(Key key, std::string_view raw);
  Magnet finish(bool had_fragment);

 private:
  void warn(std::string message);
  bool fits(std::size_t piece);
  void add_url(std::string url, bool web_seed);
  void add_peer(std::string_view text);

  Magnet m_;
  bool have_hash_ = false;
  bool saw_v2_ = false;
  bool have_name_ = false;
  std::size_t uri_size_ = 0;  // the length make_magnet_uri will give what was kept
  std::set<std::string> trackers_seen_, web_seeds_seen_;
  std::set<PeerAddress> peers_seen_;
  std::size_t over_trackers_ = 0, over_web_seeds_ = 0, over_peers_ = 0, over_size_ = 0;
  std::size_t warnings_left_out_ = 0;
};

void Reader::warn(std::string message) {
  if (m_.warnings.size() < kMaxWarnings) {
    m_.warnings.push_back(std::move(message));
  } else {
    ++warnings_left_out_;
  }
}

// Whether one more piece of this size keeps the made link within kMaxUriBytes, so a link that
// was read can always be made again and read back.
bool Reader::fits(std::size_t piece) {
  if (uri_size_ + piece > kMaxUriBytes) {
    ++over_size_;
    return false;
  }
  uri_size_ += piece;
  return true;
}

// xt, dn and so: what the link is and which files it wants.
expected<void, MagnetError> Reader::read_identity(Key key, std::string_view raw) {
  if (key != Key::xt && key != Key::dn && key != Key::so) return {};
  auto value = decode(key, raw);
  if (!value) return unexpected(value.error());
  const std::string_view text = *value;
  if (key == Key::so) {
    if (auto r = parse_file_selection(text, m_.selected_files); !r) {
      return fail(MagnetErrc::bad_file_selection, r.error());
    }
  } else if (key == Key::dn) {
    if (text.empty()) return {};
    CleanText clean = clean_display_text(text);
    if (clean.changed) warn("replaced invalid or control characters in the display name (dn)");
    if (clean.text.size() > kMaxNameBytes) {
      std::size_t cut = kMaxNameBytes;
      while (cut > 0 && (static_cast<unsigned char>(clean.text[cut]) & 0xC0) == 0x80) --cut;
      clean.text.resize(cut);
      warn("shortened the display name (dn) to " + std::to_string(cut) + " bytes");
    }
    if (!have_name_) {
      m_.name = std::move(clean.text);
      have_name_ = true;
    } else if (clean.text != m_.name) {
      warn("ignored another display name (dn) '" + display_safe(clean.text, 100) + "'");
    }
  } else if (istarts_with(text, kBtih)) {
    const std::string_view digits = text.substr(kBtih.size());
    std::optional<Sha1Digest> hash;
    if (digits.size() == 40) {
      hash = Sha1Digest::from_hex(digits);
      if (!hash) {
        return fail(MagnetErrc::bad_info_hash,
                    "malformed info-hash in xt: 40 characters, not all hex digits");
      }
    } else if (digits.size() == 32) {
      hash = decode_base32_hash(digits);
      if (!hash) {
        return fail(MagnetErrc::bad_info_hash,
                    "malformed info-hash in xt: 32 characters, not all base32 (A-Z, 2-7)");
      }
    } else {
      return fail(
          MagnetErrc::bad_info_hash,
          std::string("malformed info-hash in xt: expected 40 hex digits or 32 base32 characters, got ") +
              std::to_string(digits.size()));
    }
    if (have_hash_ && *hash != m_.info_hash) {
      return fail(MagnetErrc::conflicting_info_hashes,
                  "several different info-hashes (btih) in one magnet link");
    }
    m_.info_hash = *hash;
    have_hash_ = true;
  } else if (istarts_with(text, kBtmh)) {
    saw_v2_ = true;  // beside a btih this is a hybrid torrent, read as v1
  }
  return {};
}

void Reader::add_url(std::string url, bool web_seed) {
  const std::string_view what = web_seed ? "web seed" : "tracker";
  const bool printable = std::all_of(url.begin(), url.end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7F;
  });
  if (!printable) {
    warn(std::string("ignored a ") + std::string(what) + " URL that is not printable ASCII: '" +
         display_safe(url, 100) + "'");
    return;
  }
  // The tracker client's own URL check, so every tracker kept is one it can announce to.
  auto parsed = tracker::parse_tracker_url(url);
  if (web_seed && (!parsed || parsed->scheme == "udp")) {
    warn("ignored web seed " + display_safe(tracker::url_for_messages(url), 100) +
         ": not a usable http(s) URL");
    return;
  }
  if (!parsed) {
    warn("ignored " + parsed.error());
    return;
  }
  std::set<std::string>& seen = web_seed ? web_seeds_seen_ : trackers_seen_;
  std::vector<std::string>& list = web_seed ? m_.web_seeds : m_.trackers;
  if (seen.contains(url)) return;  // the same URL twice is one tracker
  if (list.size() >= (web_seed ? kMaxWebSeeds : kMaxTrackers)) {
    ++(web_seed ? over_web_seeds_ : over_trackers_);
    return;
  }
  if (!fits((web_seed ? web_seed_field(url) : tracker_field(url)).size())) return;
  seen.insert(url);
  list.push_back(std::move(url));
}

void Reader::add_peer(std::string_view text) {
  auto peer = parse_peer_address(text);
  if (!peer) {
    warn("ignored peer address (x.pe) '" + display_safe(text, 100) + "': " + peer.error());
    return;
  }
  if (peers_seen_.contains(*peer)) return;
  if (m_.peers.size() >= kMaxPeers) {
    ++over_peers_;
    return;
  }
  if (!fits(peer_field(*peer).size())) return;
  peers_seen_.insert(*peer);
  m_.peers.push_back(std::move(*peer));
}

// tr, ws and x.pe: where to find the torrent.
expected<void, MagnetError> Reader::read_sources(Key key, std::string_view raw) {
  if (key != Key::tr && key != Key::ws && key != Key::peer) return {};
  auto value = decode(key, raw);
  if (!value) return unexpected(value.error());
  if (value->empty()) return {};  // "tr=" names nothing to leave out
  if (key == Key::peer) {
    add_peer(*value);
  } else {
    add_url(std::move(*value), key == Key::ws);
  }
  return {};
}

expected<void, MagnetError> Reader::end_identity() {
  if (!have_hash_) {
    if (saw_v2_) return fail(MagnetErrc::v2_only, "BitTorrent v2 (btmh) magnet links are not supported yet");
    return fail(MagnetErrc::no_info_hash, "magnet link has no BitTorrent info-hash (xt=urn:btih:...)");
  }
  normalize_file_selection(m_.selected_files);
  // The identity's share of the made link comes first; trackers, peers and web seeds get the rest.
  uri_size_ = head(m_.info_hash).size() + (m_.name.empty() ? 0 : name_field(m_.name).size()) +
              (m_.selected_files.empty() ? 0 : selection_field(m_.selected_files).size());
  return {};
}

Magnet Reader::finish(bool had_fragment) {
  // Summaries go in past the cap on warnings: there are at most five of them.
  const auto left_out = [&](std::size_t n, std::string_view what, std::size_t limit) {
    if (n == 0) return;
    m_.warnings.push_back(std::string("ignored ") + std::to_string(n) + " " + std::string(what) +
                          " beyond the first " + std::to_string(limit));
  };
  left_out(over_trackers_, "trackers", kMaxTrackers);
  left_out(over_web_seeds_, "web seeds", kMaxWebSeeds);
  left_out(over_peers_, "peer addresses", kMaxPeers);
  if (over_size_ > 0) {
    m_.warnings.push_back(std::string("ignored ") + std::to_string(over_size_) +
                          " trackers, web seeds or peer addresses that would make the link longer than " +
                          std::to_string(kMaxUriBytes) + " bytes");
  }
  if (had_fragment) m_.warnings.push_back("ignored the text after '#' (a '#' inside a value is written %23)");
  if (warnings_left_out_ > 0) {
    m_.warnings.push_back(std::string("and ") + std::to_string(warnings_left_out_) + " more warnings");
  }
  return std::move(m_);
}

}  // namespace

expected<Magnet, MagnetError> parse_magnet_uri(std::string_view uri) {
  if (uri.size() > kMaxUriBytes) {
    return fail(MagnetErrc::too_long, std::string("magnet link too long (") + std::to_string(uri.size()) +
                                          " bytes, limit " + std::to_string(kMaxUriBytes) + ")");
  }
  // Pasted links often bring a newline or spaces along.
  const std::size_t first = uri.find_first_not_of(" \t\r\n");
  const std::size_t last = uri.find_last_not_of(" \t\r\n");
  uri = first == std::string_view::npos ? std::string_view() : uri.substr(first, last - first + 1);
  if (!istarts_with(uri, kScheme)) {
    return fail(MagnetErrc::not_magnet, "not a magnet link (expected magnet:?xt=urn:btih:...)");
  }
  std::string_view query = uri.substr(kScheme.size());
  // A raw '#' starts the fragment, which means nothing to a magnet link (a '#' in a name is %23).
  const std::size_t hash_mark = query.find('#');
  const bool had_fragment = hash_mark != std::string_view::npos && hash_mark + 1 < query.size();
  query = query.substr(0, hash_mark);

  Reader reader;
  auto identity =
      for_each_param(query, [&](Key k, std::string_view v) { return reader.read_identity(k, v); });
  if (!identity) return unexpected(identity.error());
  if (auto r = reader.end_identity(); !r) return unexpected(r.error());
  auto sources = for_each_param(query, [&](Key k, std::string_view v) { return reader.read_sources(k, v); });
  if (!sources) return unexpected(sources.error());
  return reader.finish(had_fragment);
}

std::string make_magnet_uri(const Magnet& magnet) {
  std::string out = head(magnet.info_hash);
  if (!magnet.name.empty()) out += name_field(magnet.name);
  for (const std::string& url : magnet.trackers) out += tracker_field(url);
  for (const std::string& url : magnet.web_seeds) out += web_seed_field(url);
  for (const PeerAddress& peer : magnet.peers) out += peer_field(peer);
  if (!magnet.selected_files.empty()) out += selection_field(magnet.selected_files);
  return out;
}

}  // namespace tessera::magnet
