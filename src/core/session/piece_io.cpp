#include "session/piece_io.hpp"

namespace tessera {

PieceIo::PieceIo(DiskIo& disk, boost::asio::any_io_executor executor, std::shared_ptr<TorrentFiles> files)
    : disk_(disk), executor_(std::move(executor)), files_(std::move(files)), strand_(disk.make_strand()) {}

void PieceIo::write(std::uint32_t piece, std::uint32_t begin, std::string_view data, bool completes_piece) {
  ++writes_in_flight_[piece];
  backlog_ += static_cast<std::int64_t>(data.size());
  batch_.push_back(PendingWrite{piece, begin, std::string(data)});
  if (completes_piece) awaiting_hash_.insert(piece);
}

// One disk job per socket read instead of one per block: far fewer thread hand-offs.
void PieceIo::flush() {
  if (batch_.empty()) return;
  std::vector<std::uint32_t> pieces;
  pieces.reserve(batch_.size());
  std::int64_t bytes = 0;
  for (const PendingWrite& w : batch_) {
    pieces.push_back(w.piece);
    bytes += static_cast<std::int64_t>(w.data.size());
  }
  disk_.submit_on(
      strand_, executor_,
      [files = files_, batch = std::move(batch_)]() -> expected<void, StorageError> {
        for (const PendingWrite& w : batch) {
          if (auto r = files->write(w.piece, w.begin, w.data); !r) return r;
        }
        return {};
      },
      [self = shared_from_this(), pieces = std::move(pieces), bytes, gen = generation_](expected<void, StorageError> r) {
        self->backlog_ -= bytes;
        if (self->listener_ == nullptr) return;
        if (!r) self->listener_->on_write_failed(r.error());
        if (gen == self->generation_) {
          for (const std::uint32_t piece : pieces) self->write_done(piece);
        }
        if (self->listener_ != nullptr && self->backlog_ < kBacklogLow) self->listener_->on_backlog_low();
      });
  batch_.clear();
}

void PieceIo::write_done(std::uint32_t piece) {
  auto it = writes_in_flight_.find(piece);
  if (it == writes_in_flight_.end() || --it->second > 0) return;
  writes_in_flight_.erase(it);
  if (awaiting_hash_.erase(piece) != 0) start_hash(piece);
}

void PieceIo::start_hash(std::uint32_t piece) {
  disk_.submit(
      executor_, [files = files_, piece] { return files->finish_piece_hash(piece); },
      [self = shared_from_this(), piece, gen = generation_](expected<Sha1Digest, StorageError> r) {
        if (gen == self->generation_ && self->listener_ != nullptr) self->listener_->on_piece_hashed(piece, r);
      });
}

void PieceIo::after_writes(std::function<void()> done) {
  on_write_strand([] { return 0; }, [done = std::move(done)](int) { done(); });
}

void PieceIo::read(std::vector<wire::Request> batch, ReadDone done) {
  disk_.submit(
      executor_,
      [files = files_, batch = std::move(batch)]() -> expected<std::vector<std::string>, StorageError> {
        std::vector<std::string> blocks;
        blocks.reserve(batch.size());
        for (const wire::Request& r : batch) {
          std::string block(r.length, '\0');
          if (auto ok = files->read(r.piece, r.begin, std::span<char>(block.data(), block.size())); !ok) {
            return unexpected(ok.error());
          }
          blocks.push_back(std::move(block));
        }
        return blocks;
      },
      std::move(done));
}

void PieceIo::reset(std::shared_ptr<TorrentFiles> files) {
  ++generation_;
  writes_in_flight_.clear();
  awaiting_hash_.clear();
  files_ = std::move(files);
}

}  // namespace tessera
