// The files of one torrent under its save folder, read and written by piece ranges.
//
// Called from the disk pool's threads (thread-safe). Folders and files are created on first
// write, files sparse at their full size; pad files (BEP 47) are never created — their ranges
// read as zeros and writes to them are dropped. Every path comes from the sanitised metainfo,
// so it stays inside the save folder.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hash/sha1.hpp"
#include "metainfo/metainfo.hpp"
#include "metainfo/piece_map.hpp"
#include "storage/resume_data.hpp"
#include "tessera/expected.hpp"

namespace tessera {

struct StorageError {
  enum class Kind : std::uint8_t { missing, io };
  Kind kind;
  std::string message;  // one line, naming the file and the OS's reason
};

class TorrentFiles {
 public:
  TorrentFiles(std::filesystem::path save_dir, const Metainfo& m);
  ~TorrentFiles();
  TorrentFiles(const TorrentFiles&) = delete;
  TorrentFiles& operator=(const TorrentFiles&) = delete;

  const PieceMap& map() const { return map_; }
  std::filesystem::path file_path(std::uint32_t file) const { return save_dir_ / files_[file].path; }

  // Writes a block. A block that continues its piece's running hash is hashed right away, while
  // it is still in the CPU cache, so a completed piece rarely has to be read back.
  expected<void, StorageError> write(std::uint32_t piece, std::int64_t offset, std::string_view data);
  // The digest of a piece whose blocks have all been written: completes the running hash,
  // reading back only what it did not see, and forgets it (a failed piece starts afresh).
  expected<Sha1Digest, StorageError> finish_piece_hash(std::uint32_t piece);
  expected<void, StorageError> read(std::uint32_t piece, std::int64_t offset, std::span<char> out);
  // Reads the piece in bounded chunks and hashes it.
  expected<Sha1Digest, StorageError> hash_piece(std::uint32_t piece);
  // Zero-length files hold no piece, so nothing else creates them.
  expected<void, StorageError> create_empty_files();
  // Size and mtime of every file as it is on disk now (pad files and missing ones: size -1).
  std::vector<ResumeFileStamp> stamps() const;
  // Checks that the save folder can be created and written to.
  expected<void, StorageError> check_writable() const;
  // Only when no pool job is using this object (teardown).
  void close_all();
  // Deletes the torrent's files and the folders that become empty.
  void remove_files();

 private:
  struct Handle {
    int fd = -1;
    bool writable = false;
  };
  expected<int, StorageError> open_file(std::uint32_t file, bool for_write);

  std::filesystem::path save_dir_;
  std::vector<TorrentFile> files_;
  PieceMap map_;
  std::mutex mutex_;  // guards handles_ (opening/closing); pread/pwrite on an open fd need no lock
  std::vector<Handle> handles_;
  std::vector<int> retired_;  // replaced descriptors, closed by close_all()

  struct RunningHash {
    Sha1 sha;
    std::int64_t cursor = 0;  // bytes of the piece hashed so far, from its start
  };
  expected<void, StorageError> hash_range(Sha1& sha, std::uint32_t piece, std::int64_t from, std::int64_t to);
  std::mutex hash_mutex_;  // guards running_
  std::unordered_map<std::uint32_t, std::unique_ptr<RunningHash>> running_;
};

}  // namespace tessera
