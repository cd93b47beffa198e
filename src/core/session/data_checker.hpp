// Checking the data already on disk when a torrent starts or is rechecked. First a pure plan:
// which verified pieces from the resume data can be trusted (their files' sizes and mtimes are
// what was recorded) and which pieces must be hashed (they touch a file that exists and differs,
// or there is no resume data). Then the hashing, a few pieces at a time on the disk pool.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "metainfo/metainfo.hpp"
#include "metainfo/piece_map.hpp"
#include "storage/disk_io.hpp"
#include "storage/resume_data.hpp"

namespace tessera {

struct CheckPlan {
  std::vector<std::uint32_t> trusted;  // verified earlier, files unchanged
  std::vector<std::uint32_t> to_hash;  // in piece order
};

// `resume`: what an earlier session recorded (nullopt: nothing; every existing file is hashed).
// `on_disk`: the files' stamps now, by file index (size -1: missing).
CheckPlan plan_check(const Metainfo& meta, const PieceMap& map, const std::optional<ResumeData>& resume,
                     const std::vector<ResumeFileStamp>& on_disk);

class DataChecker : public std::enable_shared_from_this<DataChecker> {
 public:
  // Called on the network thread for each piece hashed (true: it matches the torrent), then once
  // with `finished`. Not called after cancel().
  struct Callbacks {
    std::function<void(std::uint32_t piece, bool ok)> piece;
    std::function<void()> finished;
  };

  DataChecker(DiskIo& disk, boost::asio::any_io_executor executor, std::shared_ptr<TorrentFiles> files,
              const Metainfo& meta, std::vector<std::uint32_t> to_hash, std::size_t parallel, Callbacks callbacks);
  void start();
  void cancel() { cancelled_ = true; }
  std::size_t total() const { return to_hash_.size(); }
  std::size_t done() const { return done_; }

 private:
  void next();

  DiskIo& disk_;
  boost::asio::any_io_executor executor_;
  std::shared_ptr<TorrentFiles> files_;
  std::vector<Sha1Digest> expected_;  // the torrent's hash of each piece to check
  std::vector<std::uint32_t> to_hash_;
  std::size_t parallel_;
  Callbacks callbacks_;
  std::size_t next_ = 0, in_flight_ = 0, done_ = 0;
  bool cancelled_ = false;
};

}  // namespace tessera
