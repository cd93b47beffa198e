#include "metainfo/metainfo.hpp"

#include <algorithm>
#include <unordered_set>

#include "metainfo/path_sanitizer.hpp"

namespace tessera {
namespace {

using bencode::Node;
using bencode::Type;

unexpected<MetainfoError> fail(MetainfoErrc code, std::string message) {
  return unexpected(MetainfoError{code, std::move(message)});
}

// Prefers the "<key>.utf-8" variant some creators add next to a key in a legacy encoding.
std::optional<Node> find_utf8_variant(const Node& dict, std::string_view key, Type want) {
  const std::string alt = std::string(key) + ".utf-8";
  for (const std::string_view k : {std::string_view(alt), key}) {
    if (auto n = dict.find(k); n && n->type() == want) return n;
  }
  return std::nullopt;
}

std::string display_path(const std::vector<std::string_view>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return display_safe(out);
}

struct FileFlags {
  bool pad = false;
  bool executable = false;
  bool hidden = false;
};

FileFlags parse_attr(const Node& entry) {
  FileFlags f;
  if (auto attr = entry.find_string("attr")) {
    f.pad = attr->find('p') != std::string_view::npos;
    f.executable = attr->find('x') != std::string_view::npos;
    f.hidden = attr->find('h') != std::string_view::npos;
  }
  return f;
}

// Joins sanitised components; records a warning when a component had to be repaired.
expected<std::string, MetainfoError> build_path(const std::vector<std::string_view>& parts,
                                                std::string_view what, Metainfo& out) {
  std::string path;
  for (const std::string_view part : parts) {
    auto safe = sanitize_path_component(part);
    if (!safe) {
      return fail(MetainfoErrc::dangerous_path,
                  "dangerous path in " + std::string(what) + ": " + safe.error());
    }
    if (safe->changed) {
      out.warnings.push_back("renamed awkward path component in " + std::string(what) + " to '" +
                             safe->name + "'");
    }
    if (!path.empty()) path += '/';
    path += safe->name;
  }
  return path;
}

// Two files may not share a path, and a file may not also be a folder of another file.
// Duplicates are renamed "stem (N).ext"; a file/folder clash cannot be repaired sensibly.
expected<void, MetainfoError> resolve_conflicts(Metainfo& m) {
  std::unordered_set<std::string> files;
  std::unordered_set<std::string> dirs;
  for (TorrentFile& f : m.files) {
    if (f.pad) continue;  // never created
    for (std::size_t slash = f.path.find('/'); slash != std::string::npos;
         slash = f.path.find('/', slash + 1)) {
      if (files.contains(f.path.substr(0, slash))) {
        return fail(MetainfoErrc::path_conflict,
                    "path conflict: '" + f.path.substr(0, slash) + "' is both a file and a folder");
      }
    }
    if (dirs.contains(f.path)) {
      return fail(MetainfoErrc::path_conflict,
                  "path conflict: '" + f.path + "' is both a file and a folder");
    }
    if (files.contains(f.path)) {
      const std::size_t slash = f.path.rfind('/');
      const std::string dir = slash == std::string::npos ? "" : f.path.substr(0, slash + 1);
      const std::string leaf = f.path.substr(dir.size());
      const std::size_t dot = leaf.rfind('.');
      const std::string stem = dot == std::string::npos || dot == 0 ? leaf : leaf.substr(0, dot);
      const std::string ext = stem.size() == leaf.size() ? "" : leaf.substr(dot);
      std::string candidate;
      for (int n = 2;; ++n) {
        const std::string renamed = stem + " (" + std::to_string(n) + ")" + ext;
        candidate = dir + shorten_name(renamed, renamed, kMaxComponentBytes);
        if (!files.contains(candidate) && !dirs.contains(candidate)) break;
      }
      m.warnings.push_back("duplicate file '" + f.path + "' renamed to '" + candidate + "'");
      f.path = candidate;
    }
    files.insert(f.path);
    for (std::size_t slash = f.path.find('/'); slash != std::string::npos;
         slash = f.path.find('/', slash + 1)) {
      dirs.insert(f.path.substr(0, slash));
    }
  }
  return {};
}

void parse_trackers(const Node& root, Metainfo& m) {
  std::unordered_set<std::string> seen;
  auto add = [&](std::vector<std::string>& tier, std::string_view raw) {
    // Trim blanks some creators leave around URLs.
    const auto first = raw.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return;
    const auto last = raw.find_last_not_of(" \t\r\n");
    std::string url(raw.substr(first, last - first + 1));
    if (!is_valid_utf8(url) || url.find('\0') != std::string::npos) {
      m.warnings.push_back("ignored a tracker URL that is not valid text");
      return;
    }
    if (seen.insert(url).second) tier.push_back(std::move(url));
  };

  if (auto list = root.find_list("announce-list")) {
    for (const Node tier_node : *list) {
      if (!tier_node.is_list()) {
        m.warnings.push_back("ignored a malformed announce-list tier");
        continue;
      }
      std::vector<std::string> tier;
      for (const Node url : tier_node) {
        if (url.is_string()) {
          add(tier, url.as_string());
        } else {
          m.warnings.push_back("ignored a non-text tracker entry");
        }
      }
      if (!tier.empty()) m.tracker_tiers.push_back(std::move(tier));
    }
  }
  // BEP 12: when announce-list is present and usable, 'announce' is ignored.
  if (m.tracker_tiers.empty()) {
    if (auto announce = root.find_string("announce")) {
      std::vector<std::string> tier;
      add(tier, *announce);
      if (!tier.empty()) m.tracker_tiers.push_back(std::move(tier));
    }
  }
}

void parse_web_seeds(const Node& root, Metainfo& m) {
  auto add = [&](std::string_view url) {
    if (!url.empty() && is_valid_utf8(url) &&
        std::find(m.web_seeds.begin(), m.web_seeds.end(), url) == m.web_seeds.end()) {
      m.web_seeds.emplace_back(url);
    }
  };
  if (auto one = root.find_string("url-list")) {
    add(*one);
  } else if (auto list = root.find_list("url-list")) {
    for (const Node url : *list) {
      if (url.is_string()) add(url.as_string());
    }
  }
}

bool is_legacy_pad_name(std::string_view leaf) {
  // BitComet's padding files predate BEP 47's 'attr'.
  return leaf.starts_with("_____padding_file_");
}

}  // namespace

Sha1Digest Metainfo::piece_hash(std::uint32_t piece) const {
  return Sha1Digest::from_bytes(std::string_view(piece_hashes).substr(std::size_t{piece} * 20, 20));
}

std::int64_t Metainfo::piece_size(std::uint32_t piece) const {
  if (piece + 1 < piece_count) return piece_length;
  const std::int64_t rest = total_size - std::int64_t{piece} * piece_length;
  return rest;
}

namespace {
std::optional<MetainfoError> check_size(std::size_t size, const MetainfoLimits& limits) {
  if (size <= limits.bencode.max_input) return std::nullopt;
  return MetainfoError{MetainfoErrc::file_too_large, "torrent file too large (" + std::to_string(size) +
                                                         " bytes, limit " +
                                                         std::to_string(limits.bencode.max_input) + ")"};
}

expected<Metainfo, MetainfoError> parse_owned(std::string&& data, const MetainfoLimits& limits);
}  // namespace

expected<Metainfo, MetainfoError> parse_metainfo(std::string_view data, const MetainfoLimits& limits) {
  if (auto too_big = check_size(data.size(), limits)) return unexpected(*too_big);
  return parse_owned(std::string(data), limits);
}

expected<Metainfo, MetainfoError> parse_metainfo(std::string&& data, const MetainfoLimits& limits) {
  if (auto too_big = check_size(data.size(), limits)) return unexpected(*too_big);
  return parse_owned(std::move(data), limits);
}

namespace {
expected<Metainfo, MetainfoError> parse_owned(std::string&& data, const MetainfoLimits& limits) {
  auto doc = bencode::decode(std::move(data), limits.bencode);
  if (!doc) {
    return fail(MetainfoErrc::malformed_bencode, "not a valid torrent file: " + doc.error().message());
  }
  const Node root = doc->root();
  if (!root.is_dict()) return fail(MetainfoErrc::not_a_dictionary, "not a torrent file: top level is not a dictionary");
  const auto info = root.find_dict("info");
  if (!info) return fail(MetainfoErrc::missing_info, "invalid torrent: no 'info' dictionary");

  Metainfo m;

  const auto pieces = info->find_string("pieces");
  if (!pieces) {
    if (info->find_int("meta version").value_or(1) == 2) {
      return fail(MetainfoErrc::v2_only, "BitTorrent v2-only torrents are not supported yet");
    }
    return fail(MetainfoErrc::missing_pieces, "invalid torrent: no 'pieces' in the info dictionary");
  }

  const auto name_node = find_utf8_variant(*info, "name", Type::string);
  if (!name_node || name_node->as_string().empty()) {
    return fail(MetainfoErrc::missing_name, "invalid torrent: no name");
  }
  {
    auto safe = sanitize_path_component(name_node->as_string());
    if (!safe) return fail(MetainfoErrc::dangerous_path, "dangerous torrent name: " + safe.error());
    if (safe->changed) m.warnings.push_back("renamed awkward torrent name to '" + safe->name + "'");
    m.name = std::move(safe->name);
  }

  const auto piece_length = info->find("piece length");
  if (!piece_length || !piece_length->is_int()) {
    return fail(MetainfoErrc::missing_piece_length, "invalid torrent: no 'piece length'");
  }
  m.piece_length = piece_length->as_int();
  if (m.piece_length <= 0 || m.piece_length > limits.max_piece_length) {
    return fail(MetainfoErrc::invalid_piece_length,
                "invalid torrent: piece length " + std::to_string(m.piece_length) + " is out of range (1 to " +
                    std::to_string(limits.max_piece_length) + " bytes)");
  }
  if (pieces->size() % 20 != 0) {
    return fail(MetainfoErrc::pieces_not_multiple_of_20,
                "invalid torrent: 'pieces' is " + std::to_string(pieces->size()) +
                    " bytes, not a multiple of 20");
  }

  const auto length = info->find("length");
  const auto files = info->find("files");
  if (length && files) {
    return fail(MetainfoErrc::ambiguous_layout, "invalid torrent: both 'length' and 'files' are present");
  }
  if (length) {
    if (!length->is_int()) return fail(MetainfoErrc::invalid_file_entry, "invalid torrent: 'length' is not an integer");
    if (length->as_int() < 0) {
      return fail(MetainfoErrc::negative_size,
                  "invalid torrent: negative length (" + std::to_string(length->as_int()) + ")");
    }
    const FileFlags flags = parse_attr(*info);
    m.files.push_back(TorrentFile{m.name, length->as_int(), 0, false, flags.executable, flags.hidden});
    m.total_size = length->as_int();
  } else if (files) {
    if (!files->is_list() || files->size() == 0) {
      return fail(MetainfoErrc::missing_files, "invalid torrent: 'files' is not a non-empty list");
    }
    m.multi_file = true;
    std::size_t index = 0;
    for (const Node entry : *files) {
      ++index;
      const std::string what = "file " + std::to_string(index);
      if (!entry.is_dict()) return fail(MetainfoErrc::invalid_file_entry, "invalid torrent: " + what + " is not a dictionary");
      const auto size = entry.find("length");
      if (!size || !size->is_int()) {
        return fail(MetainfoErrc::invalid_file_entry, "invalid torrent: " + what + " has no length");
      }
      if (size->as_int() < 0) {
        return fail(MetainfoErrc::negative_size, "invalid torrent: " + what + " has a negative length (" +
                                                     std::to_string(size->as_int()) + ")");
      }
      const auto path_node = find_utf8_variant(entry, "path", Type::list);
      if (!path_node || path_node->size() == 0) {
        return fail(MetainfoErrc::invalid_file_entry, "invalid torrent: " + what + " has no path");
      }
      std::vector<std::string_view> parts{m.name};
      for (const Node part : *path_node) {
        if (!part.is_string()) {
          return fail(MetainfoErrc::invalid_file_entry, "invalid torrent: " + what + " has a non-text path component");
        }
        parts.push_back(part.as_string());
      }
      auto path = build_path(parts, what + " ('" + display_path(parts) + "')", m);
      if (!path) return unexpected(path.error());

      FileFlags flags = parse_attr(entry);
      flags.pad = flags.pad || is_legacy_pad_name(parts.back());
      TorrentFile f{std::move(*path), size->as_int(), m.total_size, flags.pad, flags.executable, flags.hidden};
      if (__builtin_add_overflow(m.total_size, f.size, &m.total_size)) {
        return fail(MetainfoErrc::size_overflow, "invalid torrent: the total size overflows 64 bits");
      }
      m.files.push_back(std::move(f));
    }
    if (auto ok = resolve_conflicts(m); !ok) return unexpected(ok.error());
  } else {
    return fail(MetainfoErrc::missing_files, "invalid torrent: neither 'length' nor 'files' is present");
  }

  if (m.total_size == 0) return fail(MetainfoErrc::empty_torrent, "invalid torrent: it holds no data (total size 0)");
  const std::int64_t needed = m.total_size / m.piece_length + (m.total_size % m.piece_length != 0 ? 1 : 0);
  const auto have = static_cast<std::int64_t>(pieces->size() / 20);
  if (needed != have) {
    return fail(MetainfoErrc::piece_count_mismatch,
                "invalid torrent: piece count mismatch (" + std::to_string(have) + " hashes, but " +
                    std::to_string(m.total_size) + " bytes in pieces of " + std::to_string(m.piece_length) +
                    " need " + std::to_string(needed) + ")");
  }
  m.piece_count = static_cast<std::uint32_t>(have);
  m.piece_hashes = std::string(*pieces);
  m.is_private = info->find_int("private").value_or(0) == 1;
  m.info_hash = sha1(info->raw());
  m.info_dict = std::string(info->raw());

  parse_trackers(root, m);
  parse_web_seeds(root, m);
  if (auto c = find_utf8_variant(root, "comment", Type::string)) m.comment = std::string(c->as_string());
  if (auto c = root.find_string("created by")) m.created_by = std::string(*c);
  m.creation_date = root.find_int("creation date");
  return m;
}

}  // namespace

}  // namespace tessera
