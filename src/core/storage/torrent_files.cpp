#include "storage/torrent_files.hpp"

#include "storage/mapped_hash.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <set>

namespace tessera {
namespace {

StorageError io_error(const std::filesystem::path& p, const char* what, int err) {
  return StorageError{err == ENOENT ? StorageError::Kind::missing : StorageError::Kind::io,
                      std::string(what) + " " + p.string() + ": " + std::strerror(err)};
}

}  // namespace

TorrentFiles::TorrentFiles(std::filesystem::path save_dir, const Metainfo& m)
    : save_dir_(std::move(save_dir)), files_(m.files), map_(m), handles_(m.files.size()) {}

TorrentFiles::~TorrentFiles() { close_all(); }

void TorrentFiles::close_all() {
  std::lock_guard lock(mutex_);
  for (Handle& h : handles_) {
    if (h.fd >= 0) ::close(h.fd);
    h = Handle{};
  }
  for (const int fd : retired_) ::close(fd);
  retired_.clear();
}

expected<int, StorageError> TorrentFiles::open_file(std::uint32_t file, bool for_write) {
  std::lock_guard lock(mutex_);
  Handle& h = handles_[file];
  if (h.fd >= 0 && (h.writable || !for_write)) return h.fd;
  const std::filesystem::path path = file_path(file);
  int fd = -1;
  if (for_write) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) return unexpected(StorageError{StorageError::Kind::io, "cannot create folder " +
                                                                       path.parent_path().string() + ": " +
                                                                       ec.message()});
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return unexpected(io_error(path, "cannot open", errno));
    struct stat st {};
    // Full size up front, sparse: no space is used until written, and reads past the data see zeros.
    if (::fstat(fd, &st) == 0 && st.st_size < files_[file].size && ::ftruncate(fd, files_[file].size) != 0) {
      const int err = errno;
      ::close(fd);
      return unexpected(io_error(path, "cannot allocate", err));
    }
  } else {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return unexpected(io_error(path, "cannot open", errno));
  }
  // Another pool thread may be reading through the old descriptor right now: retire it, close later.
  if (h.fd >= 0) retired_.push_back(h.fd);
  h = Handle{fd, for_write};
  return fd;
}

expected<void, StorageError> TorrentFiles::write(std::uint32_t piece, std::int64_t offset, std::string_view data) {
  std::size_t done = 0;
  for (const FileSlice& s : map_.map(piece, offset, static_cast<std::int64_t>(data.size()))) {
    const auto len = static_cast<std::size_t>(s.length);
    if (!files_[s.file_index].pad) {
      auto fd = open_file(s.file_index, true);
      if (!fd) return unexpected(fd.error());
      std::size_t written = 0;
      while (written < len) {
        const ssize_t n = ::pwrite(*fd, data.data() + done + written, len - written,
                                   static_cast<off_t>(s.file_offset) + static_cast<off_t>(written));
        if (n < 0) {
          if (errno == EINTR) continue;
          return unexpected(io_error(file_path(s.file_index), "cannot write", errno));
        }
        written += static_cast<std::size_t>(n);
      }
    }
    done += len;
  }
  // Continue the piece's running hash when this block is the next one. Writes of one torrent are
  // serialised (a strand), so blocks from one peer arrive here in order.
  std::lock_guard lock(hash_mutex_);
  auto& running = running_[piece];
  if (!running) running = std::make_unique<RunningHash>();
  if (running->cursor == offset) {
    running->sha.update(data);
    running->cursor += static_cast<std::int64_t>(data.size());
  }
  return {};
}

expected<void, StorageError> TorrentFiles::hash_range(Sha1& sha, std::uint32_t piece, std::int64_t from,
                                                      std::int64_t to) {
  constexpr std::int64_t kChunk = 1 << 20;  // bounded memory whatever the piece length
  thread_local std::vector<char> buffer(static_cast<std::size_t>(kChunk));
  for (std::int64_t off = from; off < to; off += kChunk) {
    const auto n = static_cast<std::size_t>(std::min(kChunk, to - off));
    if (auto r = read(piece, off, std::span<char>(buffer.data(), n)); !r) return unexpected(r.error());
    sha.update(std::string_view(buffer.data(), n));
  }
  return {};
}

expected<Sha1Digest, StorageError> TorrentFiles::finish_piece_hash(std::uint32_t piece) {
  std::unique_ptr<RunningHash> running;
  {
    std::lock_guard lock(hash_mutex_);
    if (auto it = running_.find(piece); it != running_.end()) {
      running = std::move(it->second);
      running_.erase(it);
    }
  }
  if (!running) running = std::make_unique<RunningHash>();
  if (auto r = hash_range(running->sha, piece, running->cursor, map_.piece_size(piece)); !r) {
    return unexpected(r.error());
  }
  return running->sha.finish();
}

expected<void, StorageError> TorrentFiles::read(std::uint32_t piece, std::int64_t offset, std::span<char> out) {
  std::size_t done = 0;
  for (const FileSlice& s : map_.map(piece, offset, static_cast<std::int64_t>(out.size()))) {
    const auto len = static_cast<std::size_t>(s.length);
    if (files_[s.file_index].pad) {
      std::memset(out.data() + done, 0, len);
    } else {
      auto fd = open_file(s.file_index, false);
      if (!fd) return unexpected(fd.error());
      std::size_t got = 0;
      while (got < len) {
        const ssize_t n = ::pread(*fd, out.data() + done + got, len - got,
                                  static_cast<off_t>(s.file_offset) + static_cast<off_t>(got));
        if (n < 0) {
          if (errno == EINTR) continue;
          return unexpected(io_error(file_path(s.file_index), "cannot read", errno));
        }
        if (n == 0) {  // the file is shorter than the torrent says: that data is missing
          return unexpected(StorageError{StorageError::Kind::missing,
                                         "file too short: " + file_path(s.file_index).string()});
        }
        got += static_cast<std::size_t>(n);
      }
    }
    done += len;
  }
  if (done != out.size()) return unexpected(StorageError{StorageError::Kind::io, "read outside the torrent"});
  return {};
}

expected<Sha1Digest, StorageError> TorrentFiles::hash_piece(std::uint32_t piece) {
  Sha1 hasher;
  std::int64_t at = 0;  // offset in the piece
  for (const FileSlice& s : map_.map(piece, 0, map_.piece_size(piece))) {
    if (!files_[s.file_index].pad) {
      auto fd = open_file(s.file_index, false);
      if (!fd) return unexpected(fd.error());
      const MappedHash m = hash_mapped_range(hasher, *fd, s.file_offset, s.length);
      if (m == MappedHash::short_file) {
        return unexpected(StorageError{StorageError::Kind::missing, "file too short: " + file_path(s.file_index).string()});
      }
      if (m == MappedHash::ok) {
        at += s.length;
        continue;
      }
    }
    // Pad files (zeros) and files that cannot be mapped: read them.
    if (auto r = hash_range(hasher, piece, at, at + s.length); !r) return unexpected(r.error());
    at += s.length;
  }
  return hasher.finish();
}

expected<void, StorageError> TorrentFiles::create_empty_files() {
  for (std::uint32_t i = 0; i < files_.size(); ++i) {
    if (files_[i].size != 0 || files_[i].pad) continue;
    auto fd = open_file(i, true);
    if (!fd) return unexpected(fd.error());
  }
  return {};
}

expected<void, StorageError> TorrentFiles::check_writable() const {
  std::error_code ec;
  std::filesystem::create_directories(save_dir_, ec);
  if (ec) return unexpected(StorageError{StorageError::Kind::io, "cannot create folder " + save_dir_.string() + ": " + ec.message()});
  if (::access(save_dir_.c_str(), W_OK | X_OK) != 0) {
    return unexpected(io_error(save_dir_, "cannot write to folder", errno));
  }
  return {};
}

std::vector<ResumeFileStamp> TorrentFiles::stamps() const {
  std::vector<ResumeFileStamp> out(files_.size());
  for (std::uint32_t i = 0; i < files_.size(); ++i) {
    struct stat st {};
    if (files_[i].pad || ::stat(file_path(i).c_str(), &st) != 0) continue;
    out[i].size = static_cast<std::int64_t>(st.st_size);
    out[i].mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  }
  return out;
}

void TorrentFiles::remove_files() {
  close_all();
  std::set<std::filesystem::path> dirs;
  for (std::uint32_t i = 0; i < files_.size(); ++i) {
    if (files_[i].pad) continue;
    std::error_code ec;
    std::filesystem::remove(file_path(i), ec);
    for (auto p = file_path(i).parent_path(); p != save_dir_ && p.string().size() > save_dir_.string().size();
         p = p.parent_path()) {
      dirs.insert(p);
    }
  }
  // Deepest first; only folders left empty go.
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
    std::error_code ec;
    if (std::filesystem::is_empty(*it, ec)) std::filesystem::remove(*it, ec);
  }
}

}  // namespace tessera
