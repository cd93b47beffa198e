// Making a v1 .torrent from a file or a folder (tessera/torrent_info.hpp: create_torrent).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "bencode/value.hpp"
#include "hash/sha1.hpp"
#include "metainfo/metainfo.hpp"
#include "tessera/torrent_info.hpp"

namespace tessera {
namespace {

namespace fs = std::filesystem;

struct SourceFile {
  fs::path full;
  std::vector<std::string> parts;  // path below the source folder
  std::int64_t size = 0;
};

// About 1500 pieces, a power of two between 16 KiB and 16 MiB.
std::int64_t pick_piece_length(std::int64_t total) {
  std::int64_t len = 16 * 1024;
  while (len < (std::int64_t{16} << 20) && total / len > 1500) len *= 2;
  return len;
}

expected<std::vector<SourceFile>, std::string> list_files(const fs::path& root) {
  std::error_code ec;
  std::vector<SourceFile> out;
  const auto st = fs::status(root, ec);
  if (ec || !fs::exists(st)) return unexpected("cannot read " + root.string() + ": no such file or folder");
  if (fs::is_regular_file(st)) {
    out.push_back(SourceFile{root, {}, static_cast<std::int64_t>(fs::file_size(root, ec))});
    if (ec) return unexpected("cannot read " + root.string() + ": " + ec.message());
    return out;
  }
  if (!fs::is_directory(st)) return unexpected(root.string() + " is neither a file nor a folder");
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    SourceFile f;
    f.full = it->path();
    for (const auto& part : fs::relative(it->path(), root, ec)) f.parts.push_back(part.string());
    f.size = static_cast<std::int64_t>(it->file_size(ec));
    if (ec) break;
    out.push_back(std::move(f));
  }
  if (ec) return unexpected("cannot read " + root.string() + ": " + ec.message());
  if (out.empty()) return unexpected(root.string() + " holds no files");
  std::sort(out.begin(), out.end(), [](const SourceFile& a, const SourceFile& b) { return a.parts < b.parts; });
  return out;
}

}  // namespace

expected<std::string, std::string> create_torrent(const CreateTorrentParams& params) {
  const fs::path root = fs::path(params.source).lexically_normal();
  auto files = list_files(root);
  if (!files) return unexpected(files.error());
  std::int64_t total = 0;
  for (const SourceFile& f : *files) total += f.size;
  if (total == 0) return unexpected(root.string() + ": nothing to share (every file is empty)");
  const std::int64_t piece_length = params.piece_length > 0 ? params.piece_length : pick_piece_length(total);
  if (piece_length < 16 * 1024 || (piece_length & (piece_length - 1)) != 0) {
    return unexpected("piece length must be a power of two of at least 16 KiB");
  }
  const auto piece_count = static_cast<std::uint32_t>((total + piece_length - 1) / piece_length);

  // Hash the byte stream of all files, piece by piece.
  std::string hashes;
  hashes.reserve(static_cast<std::size_t>(piece_count) * 20);
  std::string piece;
  piece.reserve(static_cast<std::size_t>(piece_length));
  std::vector<char> buf(1 << 20);
  std::uint32_t done = 0;
  auto finish_piece = [&]() -> bool {
    hashes += std::string(sha1(piece).view());
    piece.clear();
    ++done;
    return !params.progress || params.progress(done, piece_count);
  };
  for (const SourceFile& f : *files) {
    std::ifstream in(f.full, std::ios::binary);
    if (!in) return unexpected("cannot read " + f.full.string());
    std::int64_t left = f.size;
    while (left > 0) {
      const auto want = static_cast<std::streamsize>(
          std::min<std::int64_t>({left, static_cast<std::int64_t>(buf.size()),
                                  piece_length - static_cast<std::int64_t>(piece.size())}));
      in.read(buf.data(), want);
      if (in.gcount() != want) return unexpected("cannot read " + f.full.string() + ": it changed while hashing");
      piece.append(buf.data(), static_cast<std::size_t>(want));
      left -= want;
      if (static_cast<std::int64_t>(piece.size()) == piece_length && !finish_piece()) {
        return unexpected(std::string("cancelled"));
      }
    }
  }
  if (!piece.empty() && !finish_piece()) return unexpected(std::string("cancelled"));

  using bencode::Value;
  Value info = Value::dict({{"name", root.filename().string()},
                            {"piece length", piece_length},
                            {"pieces", hashes}});
  if (params.is_private) info.set("private", 1);
  if (files->size() == 1 && files->front().parts.empty()) {
    info.set("length", files->front().size);
  } else {
    Value::List list;
    for (const SourceFile& f : *files) {
      Value::List path;
      for (const std::string& p : f.parts) path.emplace_back(p);
      list.push_back(Value::dict({{"length", f.size}, {"path", Value(std::move(path))}}));
    }
    info.set("files", Value(std::move(list)));
  }
  Value root_dict = Value::dict({{"info", std::move(info)}});
  if (!params.trackers.empty()) {
    root_dict.set("announce", params.trackers.front());
    if (params.trackers.size() > 1) {
      Value::List tiers;
      for (const std::string& t : params.trackers) tiers.push_back(Value::list({Value(t)}));
      root_dict.set("announce-list", Value(std::move(tiers)));
    }
  }
  if (!params.comment.empty()) root_dict.set("comment", params.comment);
  if (!params.created_by.empty()) root_dict.set("created by", params.created_by);
  if (params.creation_date) root_dict.set("creation date", *params.creation_date);
  std::string out = bencode::encode(root_dict);
  // What we make must pass our own checks (names, paths) like any other torrent.
  if (auto check = parse_metainfo(std::string_view(out)); !check) return unexpected(check.error().message);
  return out;
}

}  // namespace tessera
