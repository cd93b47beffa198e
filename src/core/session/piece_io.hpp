// A torrent's disk traffic: received blocks gathered into one write job per socket read, the
// piece hash once a piece's last write is on disk, blocks read for the peers we upload to, and
// backpressure when the disk falls behind the network. Runs on the network thread and hands the
// work to the disk pool; results come back through a Listener or the callback given.
//
// Received data waiting for the disk: past kBacklogHigh the torrent stops reading from peers
// (TCP slows them down), below kBacklogLow it reads again. That bounds memory when the disk is
// slower than the network.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/disk_io.hpp"
#include "storage/torrent_files.hpp"
#include "wire/messages.hpp"

namespace tessera {

class PieceIo : public std::enable_shared_from_this<PieceIo> {
 public:
  static constexpr std::int64_t kBacklogHigh = 16 << 20;
  static constexpr std::int64_t kBacklogLow = 8 << 20;
  static constexpr std::size_t kReadBatch = 16;  // blocks read by one disk job

  class Listener {
   public:
    virtual ~Listener() = default;
    // The piece's data is on disk and hashed (or could not be read back).
    virtual void on_piece_hashed(std::uint32_t piece, const expected<Sha1Digest, StorageError>& digest) = 0;
    virtual void on_write_failed(const StorageError& error) = 0;
    virtual void on_backlog_low() = 0;  // below kBacklogLow again: read from peers again
  };
  using ReadDone = std::function<void(expected<std::vector<std::string>, StorageError>)>;

  PieceIo(DiskIo& disk, boost::asio::any_io_executor executor, std::shared_ptr<TorrentFiles> files);
  void set_listener(Listener* listener) { listener_ = listener; }
  // No more callbacks to the listener (the torrent stops or goes away); queued jobs still finish.
  void detach() { listener_ = nullptr; }

  // A received block; `completes_piece`: hash the piece once its writes are on disk.
  void write(std::uint32_t piece, std::uint32_t begin, std::string_view data, bool completes_piece);
  void flush();  // hands the gathered blocks to the disk as one job
  bool backlogged() const { return backlog_ > kBacklogHigh; }
  std::int64_t backlog() const { return backlog_; }
  // Runs `done` on the network thread once every write queued so far is on disk.
  void after_writes(std::function<void()> done);
  // Runs `work` on the write strand (after the queued writes) and `done` with its result.
  template <class Work, class Done>
  void on_write_strand(Work work, Done done) {
    flush();
    disk_.submit_on(strand_, executor_, std::move(work), std::move(done));
  }

  void read(std::vector<wire::Request> batch, ReadDone done);
  // The write strand, for work that must see every write handed to the disk so far (flush() first).
  DiskIo::Strand& strand() { return strand_; }

  // A fresh view of the files (a recheck): hashes still running for the old one are ignored.
  void reset(std::shared_ptr<TorrentFiles> files);
  const std::shared_ptr<TorrentFiles>& files() const { return files_; }

 private:
  struct PendingWrite {
    std::uint32_t piece;
    std::uint32_t begin;
    std::string data;
  };
  void write_done(std::uint32_t piece);
  void start_hash(std::uint32_t piece);

  DiskIo& disk_;
  boost::asio::any_io_executor executor_;
  std::shared_ptr<TorrentFiles> files_;
  Listener* listener_ = nullptr;
  DiskIo::Strand strand_;                  // this torrent's writes, in order, one at a time
  std::vector<PendingWrite> batch_;        // blocks of one socket read, written by one disk job
  std::int64_t backlog_ = 0;               // bytes received but not yet written
  std::unordered_map<std::uint32_t, int> writes_in_flight_;
  std::set<std::uint32_t> awaiting_hash_;
  std::uint32_t generation_ = 0;           // bumped by reset(): older results are void
};

}  // namespace tessera
