// Builds .torrent bytes for tests, valid by default, with every field overridable.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "bencode/value.hpp"

namespace tessera::test {

struct FileSpec {
  std::vector<std::string> path;
  std::int64_t length;
  std::string attr;
};

// Single-file torrent of `length` bytes; the hashes are filler of the right count.
inline bencode::Value single_file_info(std::string name, std::int64_t length, std::int64_t piece_length) {
  const std::int64_t pieces = (length + piece_length - 1) / piece_length;
  return bencode::Value::dict({{"name", std::move(name)},
                               {"length", length},
                               {"piece length", piece_length},
                               {"pieces", std::string(static_cast<std::size_t>(pieces) * 20, 'h')}});
}

inline bencode::Value multi_file_info(std::string name, const std::vector<FileSpec>& files,
                                      std::int64_t piece_length) {
  bencode::Value::List list;
  std::int64_t total = 0;
  for (const FileSpec& f : files) {
    bencode::Value::List path;
    for (const std::string& p : f.path) path.emplace_back(p);
    bencode::Value entry = bencode::Value::dict({{"length", f.length}, {"path", bencode::Value(path)}});
    if (!f.attr.empty()) entry.set("attr", f.attr);
    list.push_back(std::move(entry));
  }
  // Hostile specs may overflow: then one filler hash, and the parser must object.
  bool overflow = false;
  for (const FileSpec& f : files) overflow = overflow || __builtin_add_overflow(total, f.length, &total);
  const std::int64_t pieces = overflow || total < 0 ? 1 : (total + piece_length - 1) / piece_length;
  return bencode::Value::dict({{"name", std::move(name)},
                               {"files", bencode::Value(list)},
                               {"piece length", piece_length},
                               {"pieces", std::string(static_cast<std::size_t>(pieces) * 20, 'h')}});
}

inline std::string torrent_bytes(bencode::Value info, std::string announce = "http://127.0.0.1:6969/announce") {
  bencode::Value root = bencode::Value::dict({{"info", std::move(info)}});
  if (!announce.empty()) root.set("announce", std::move(announce));
  return bencode::encode(root);
}

}  // namespace tessera::test
