#include "session/request_scheduler.hpp"

#include <algorithm>

#include "metainfo/piece_map.hpp"  // kBlockSize

namespace tessera {

std::int64_t RequestScheduler::share(std::int64_t torrent_cap, int torrent_peers, std::int64_t session_cap,
                                     int session_peers) {
  std::int64_t out = 0;
  const auto consider = [&](std::int64_t cap, int peers) {
    if (cap <= 0) return;
    const std::int64_t s = cap / std::max(1, peers);
    out = out == 0 ? s : std::min(out, s);
  };
  consider(torrent_cap, torrent_peers);
  consider(session_cap, session_peers);
  return out;
}

void RequestScheduler::set_download_caps(std::int64_t torrent_cap, int torrent_peers, std::int64_t session_cap,
                                         int session_peers) {
  download_share_ = share(torrent_cap, torrent_peers, session_cap, session_peers);
}

void RequestScheduler::set_upload_caps(std::int64_t torrent_cap, int torrent_peers, std::int64_t session_cap,
                                       int session_peers) {
  upload_share_ = share(torrent_cap, torrent_peers, session_cap, session_peers);
}

RequestBudget RequestScheduler::budget(std::size_t pipeline, bool snubbed, std::size_t receive_window) const {
  // A snubbed peer keeps one request, so it can prove itself again.
  std::size_t target = snubbed ? 1 : std::min(pipeline, kMaxPipeline);
  if (download_share_ > 0) {
    std::size_t bytes = static_cast<std::size_t>(download_share_ / 2);
    if (receive_window > 0) bytes = std::min(bytes, receive_window / 2);
    target = std::min(target, std::max<std::size_t>(2, bytes / kBlockSize));
  }
  // Refill in batches (a quarter of the pipeline, at most 16 blocks) rather than block by block;
  // under a cap block by block, so the data waiting in socket buffers stays level.
  const std::size_t batch = download_share_ > 0 ? 1 : std::clamp<std::size_t>(target / 4, 1, 16);
  return RequestBudget{target, batch};
}

std::size_t RequestScheduler::pipeline_for_rate(std::int64_t bytes_per_second) {
  const auto blocks = static_cast<std::size_t>(std::max<std::int64_t>(0, bytes_per_second) / kBlockSize);
  return std::clamp(std::max(blocks, std::size_t{8}), kMinPipeline, kMaxPipeline);
}

std::size_t RequestScheduler::read_ahead() const {
  // Under an upload cap, about a second of the peer's share, not megabytes that would sit in
  // memory waiting for quota.
  if (upload_share_ <= 0) return kSendBudget;
  return std::clamp<std::size_t>(static_cast<std::size_t>(upload_share_), 4 * kBlockSize, kSendBudget);
}

}  // namespace tessera
