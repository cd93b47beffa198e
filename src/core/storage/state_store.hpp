// The torrents' files in the state folder: `<info-hash>.torrent` (a copy of what was added) and
// `<info-hash>.resume`; for a magnet link whose metadata is still coming, `<info-hash>.magnet`. Every write and removal goes through one strand of the disk pool, in
// order, and only the torrent that owns an info-hash now may touch its files. So a removed
// torrent's late save can neither overwrite nor delete the files of the same torrent added again
// right after (each torrent instance is an owner of its own).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "hash/sha1.hpp"
#include "storage/disk_io.hpp"
#include "tessera/expected.hpp"

namespace tessera {

class StateStore {
 public:
  using Owner = std::uint64_t;
  using Done = std::function<void(expected<void, std::string>)>;

  // An empty folder: nothing persists, every call does nothing (and `done` succeeds).
  StateStore(DiskIo& disk, boost::asio::any_io_executor executor, std::filesystem::path dir);
  bool enabled() const { return !dir_.empty(); }
  std::filesystem::path torrent_path(const Sha1Digest& info_hash) const;
  std::filesystem::path resume_path(const Sha1Digest& info_hash) const;
  std::filesystem::path magnet_path(const Sha1Digest& info_hash) const;

  // From now on `owner` (and only it) writes this info-hash's files.
  void claim(const Sha1Digest& info_hash, Owner owner);
  // Each writes atomically (temp file, fsync, rename) if `owner` still owns the info-hash;
  // `done` runs on the executor.
  void write_torrent(const Sha1Digest& info_hash, Owner owner, std::string bytes, Done done = {});
  void write_resume(const Sha1Digest& info_hash, Owner owner, std::string bytes, Done done = {});
  void write_magnet(const Sha1Digest& info_hash, Owner owner, std::string bytes, Done done = {});
  // The metadata came in (the .torrent is written instead): the .magnet file goes.
  void remove_magnet(const Sha1Digest& info_hash, Owner owner);
  // Runs produce() on `first` (say, a torrent's write strand, to see its writes), then writes
  // what it returns as the resume file, as above, without a trip through the network thread:
  // a shutdown that joins the disk pool finishes both.
  template <class Produce>
  void write_resume_after(DiskIo::Strand& first, const Sha1Digest& info_hash, Owner owner, Produce produce,
                          Done done = {}) {
    if (!enabled()) {
      if (done) done({});
      return;
    }
    boost::asio::post(first, [this, info_hash, owner, produce = std::move(produce), done = std::move(done)]() mutable {
      post_write(info_hash, owner, resume_path(info_hash), produce(), std::move(done));
    });
  }
  // The torrent is gone: its files are removed if `owner` still owns them, and nobody owns it.
  void release(const Sha1Digest& info_hash, Owner owner);

 private:
  void write(const Sha1Digest& info_hash, Owner owner, std::filesystem::path path, std::string bytes, Done done);
  // Posts the write to the strand (callable from any thread).
  void post_write(const Sha1Digest& info_hash, Owner owner, std::filesystem::path path, std::string bytes, Done done);

  DiskIo& disk_;
  boost::asio::any_io_executor executor_;
  std::filesystem::path dir_;
  DiskIo::Strand strand_;
  // Touched only on the strand.
  std::shared_ptr<std::map<Sha1Digest, Owner>> owners_ = std::make_shared<std::map<Sha1Digest, Owner>>();
};

}  // namespace tessera
