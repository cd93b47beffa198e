#include "session/data_checker.hpp"

#include "bitfield/bitfield.hpp"

namespace tessera {

CheckPlan plan_check(const Metainfo& meta, const PieceMap& map, const std::optional<ResumeData>& resume,
                     const std::vector<ResumeFileStamp>& on_disk) {
  // Pieces touching a file that is there and differs from what the resume data recorded (or
  // every existing file, without resume data) are hashed; the rest of the verified ones are trusted.
  std::vector<bool> suspect(meta.piece_count, false);
  std::vector<bool> present(meta.piece_count, false);  // touches at least one existing file
  for (std::uint32_t f = 0; f < meta.files.size(); ++f) {
    if (meta.files[f].pad || meta.files[f].size == 0) continue;
    const ResumeFileStamp now = f < on_disk.size() ? on_disk[f] : ResumeFileStamp{};
    const bool changed = !resume || f >= resume->files.size() || resume->files[f] != now;
    const bool exists = now.size >= 0;
    const PieceRange r = map.pieces_of_file(f);
    for (std::uint32_t piece = r.first; piece <= r.last && r.first <= r.last; ++piece) {
      if (changed) suspect[piece] = true;
      if (exists) present[piece] = true;
    }
  }
  // Spare bits set would be a damaged file: then nothing in it is trusted.
  Bitfield verified(meta.piece_count);
  if (resume && !Bitfield::from_bytes(resume->verified, meta.piece_count, verified)) {
    verified = Bitfield(meta.piece_count);
  }
  CheckPlan plan;
  for (std::uint32_t piece = 0; piece < meta.piece_count; ++piece) {
    if (verified.get(piece) && !suspect[piece]) {
      plan.trusted.push_back(piece);
    } else if (suspect[piece] && present[piece]) {
      plan.to_hash.push_back(piece);
    }
  }
  return plan;
}

DataChecker::DataChecker(DiskIo& disk, boost::asio::any_io_executor executor, std::shared_ptr<TorrentFiles> files,
                         const Metainfo& meta, std::vector<std::uint32_t> to_hash, std::size_t parallel,
                         Callbacks callbacks)
    : disk_(disk),
      executor_(std::move(executor)),
      files_(std::move(files)),
      to_hash_(std::move(to_hash)),
      parallel_(std::max<std::size_t>(1, parallel)),
      callbacks_(std::move(callbacks)) {
  expected_.reserve(to_hash_.size());
  for (const std::uint32_t piece : to_hash_) expected_.push_back(meta.piece_hash(piece));
}

void DataChecker::start() {
  if (to_hash_.empty()) {
    if (callbacks_.finished) callbacks_.finished();
    return;
  }
  next();
}

void DataChecker::next() {
  while (!cancelled_ && in_flight_ < parallel_ && next_ < to_hash_.size()) {
    const std::size_t index = next_++;
    ++in_flight_;
    disk_.submit(
        executor_, [files = files_, piece = to_hash_[index]] { return files->hash_piece(piece); },
        [self = shared_from_this(), index](expected<Sha1Digest, StorageError> r) {
          --self->in_flight_;
          ++self->done_;
          if (self->cancelled_) return;
          if (self->callbacks_.piece) self->callbacks_.piece(self->to_hash_[index], r && *r == self->expected_[index]);
          if (self->cancelled_) return;
          if (self->done_ == self->to_hash_.size()) {
            if (self->callbacks_.finished) self->callbacks_.finished();
          } else {
            self->next();
          }
        });
  }
}

}  // namespace tessera
