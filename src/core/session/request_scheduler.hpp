// How many block requests each peer of a torrent gets, and how much we read ahead for the peers
// we upload to, within each peer's share of the caps. Pure: numbers in, numbers out.
//
// Unlimited, a peer gets about a second of data at its measured rate in flight, at least 8
// blocks (slow start adds one request per block received until the rate is known). Under a download cap, at most
// half a second of the peer's share, and no more than half the kernel's receive window: data we
// cannot read yet then never waits behind a closed window (which reopens in bursts), so what
// arrives tracks what we read, second by second.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "peers/peer_session.hpp"  // RequestBudget

namespace tessera {

class RequestScheduler {
 public:
  static constexpr std::size_t kMinPipeline = 4;
  static constexpr std::size_t kMaxPipeline = 500;
  static constexpr std::size_t kSendBudget = 4 << 20;  // bytes read ahead per peer, uncapped

  // Caps in bytes/s (0 = none) and how many peers share each: the torrent's own and the
  // session's. A peer's share is the smallest of cap / peers that applies.
  void set_download_caps(std::int64_t torrent_cap, int torrent_peers, std::int64_t session_cap, int session_peers);
  void set_upload_caps(std::int64_t torrent_cap, int torrent_peers, std::int64_t session_cap, int session_peers);
  std::int64_t download_share() const { return download_share_; }  // 0: no cap applies
  std::int64_t upload_share() const { return upload_share_; }

  // `pipeline`: the peer's own size (slow start, then by rate); `receive_window`: what the
  // kernel will take in on its socket now (0: unknown).
  RequestBudget budget(std::size_t pipeline, bool snubbed, std::size_t receive_window) const;
  // About a second of data at the measured rate, for a peer connected long enough to tell.
  static std::size_t pipeline_for_rate(std::int64_t bytes_per_second);
  // Bytes of blocks to have read (or queued on the socket) for one peer we upload to.
  std::size_t read_ahead() const;

 private:
  static std::int64_t share(std::int64_t torrent_cap, int torrent_peers, std::int64_t session_cap, int session_peers);
  std::int64_t download_share_ = 0;
  std::int64_t upload_share_ = 0;
};

}  // namespace tessera
