#include "storage/state_store.hpp"

#include "tessera/atomic_file.hpp"

namespace tessera {

StateStore::StateStore(DiskIo& disk, boost::asio::any_io_executor executor, std::filesystem::path dir)
    : disk_(disk),
      executor_(std::move(executor)),
      dir_(dir.empty() ? std::filesystem::path() : std::move(dir) / "torrents"),
      strand_(disk.make_strand()) {}

std::filesystem::path StateStore::torrent_path(const Sha1Digest& info_hash) const {
  return dir_ / (info_hash.hex() + ".torrent");
}

std::filesystem::path StateStore::resume_path(const Sha1Digest& info_hash) const {
  return dir_ / (info_hash.hex() + ".resume");
}

std::filesystem::path StateStore::magnet_path(const Sha1Digest& info_hash) const {
  return dir_ / (info_hash.hex() + ".magnet");
}

void StateStore::write_magnet(const Sha1Digest& info_hash, Owner owner, std::string bytes, Done done) {
  write(info_hash, owner, magnet_path(info_hash), std::move(bytes), std::move(done));
}

void StateStore::remove_magnet(const Sha1Digest& info_hash, Owner owner) {
  if (!enabled()) return;
  disk_.submit_on(
      strand_, executor_,
      [owners = owners_, info_hash, owner, path = magnet_path(info_hash)] {
        const auto it = owners->find(info_hash);
        if (it == owners->end() || it->second != owner) return 0;
        std::error_code ec;
        std::filesystem::remove(path, ec);
        return 0;
      },
      [](int) {});
}

void StateStore::claim(const Sha1Digest& info_hash, Owner owner) {
  if (!enabled()) return;
  disk_.submit_on(
      strand_, executor_, [owners = owners_, info_hash, owner] {
        (*owners)[info_hash] = owner;
        return 0;
      },
      [](int) {});
}

void StateStore::write_torrent(const Sha1Digest& info_hash, Owner owner, std::string bytes, Done done) {
  write(info_hash, owner, torrent_path(info_hash), std::move(bytes), std::move(done));
}

void StateStore::write_resume(const Sha1Digest& info_hash, Owner owner, std::string bytes, Done done) {
  write(info_hash, owner, resume_path(info_hash), std::move(bytes), std::move(done));
}

void StateStore::write(const Sha1Digest& info_hash, Owner owner, std::filesystem::path path, std::string bytes,
                       Done done) {
  if (!enabled()) {
    if (done) done({});
    return;
  }
  post_write(info_hash, owner, std::move(path), std::move(bytes), std::move(done));
}

void StateStore::post_write(const Sha1Digest& info_hash, Owner owner, std::filesystem::path path, std::string bytes,
                            Done done) {
  disk_.submit_on(
      strand_, executor_,
      [owners = owners_, info_hash, owner, dir = dir_, path = std::move(path),
       bytes = std::move(bytes)]() -> expected<void, std::string> {
        const auto it = owners->find(info_hash);
        if (it == owners->end() || it->second != owner) return {};  // removed meanwhile: not ours
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec) return unexpected("cannot create " + dir.string() + ": " + ec.message());
        return write_file_atomically(path, bytes);
      },
      [done = std::move(done)](expected<void, std::string> r) {
        if (done) done(std::move(r));
      });
}

void StateStore::release(const Sha1Digest& info_hash, Owner owner) {
  if (!enabled()) return;
  disk_.submit_on(
      strand_, executor_,
      [owners = owners_, info_hash, owner, a = resume_path(info_hash), b = torrent_path(info_hash),
       c = magnet_path(info_hash)] {
        const auto it = owners->find(info_hash);
        if (it == owners->end() || it->second != owner) return 0;
        owners->erase(it);
        std::error_code ec;
        std::filesystem::remove(a, ec);
        std::filesystem::remove(b, ec);
        std::filesystem::remove(c, ec);
        return 0;
      },
      [](int) {});
}

}  // namespace tessera
