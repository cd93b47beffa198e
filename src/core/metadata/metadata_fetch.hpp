// The info dictionary of a torrent added by magnet link, fetched from peers in 16 KiB pieces
// (BEP 9), sans I/O. It decides which peer to ask for which piece, checks each answer's size,
// puts the pieces together and verifies them against the info-hash. Time is passed in.
//
// Peers control everything here, so it is bounded: the size is capped (a setting), each peer
// has at most a few requests out, a request unanswered in time goes to another peer, a peer that
// rejects is left alone for a while. When the assembled bytes do not match the info-hash and one
// peer sent them all, that peer is blamed (the caller drops and bans it). When several did, no
// one can be told apart: nobody is blamed, and from then on each attempt takes every piece from
// a single peer, so the next failure names its culprit and an honest peer is never banned for
// another's bad piece.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hash/sha1.hpp"
#include "picker/piece_picker.hpp"
#include "wire/ut_metadata.hpp"

namespace tessera {

struct MetadataFetchLimits {
  std::int64_t max_size = std::int64_t{8} << 20;  // bytes of info dictionary we accept
  std::size_t requests_per_peer = 2;
  std::chrono::seconds request_timeout{20};
  std::chrono::seconds after_reject{60};  // a peer that rejected is asked again only after this
  std::size_t max_peers = 200;            // peers tracked (more are simply not asked)
};

class MetadataFetch {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  MetadataFetch(Sha1Digest info_hash, MetadataFetchLimits limits = {});

  // A peer whose extension handshake offers ut_metadata, with the size it gave (if any).
  void add_peer(PeerKey peer, std::optional<std::int64_t> size);
  // Gone: its requests go to others.
  void remove_peer(PeerKey peer);

  // The pieces to ask this peer for now (recorded as requested from it).
  std::vector<std::uint32_t> requests_for(PeerKey peer, TimePoint now);

  struct Outcome {
    bool complete = false;        // the info dictionary is in and verified: see metadata()
    std::optional<std::string> drop;  // drop the sender: why (a broken answer)
    std::vector<PeerKey> blamed;  // the assembled bytes failed the info-hash: drop these
  };
  Outcome on_data(PeerKey peer, const wire::MetadataMessage& m, TimePoint now);
  void on_reject(PeerKey peer, std::uint32_t piece, TimePoint now);
  // Requests unanswered too long go back to be asked of another peer.
  void tick(TimePoint now);

  bool complete() const { return complete_; }
  const std::string& metadata() const { return buffer_; }  // when complete
  std::int64_t size() const { return size_; }               // 0 until a usable size is known
  std::uint32_t pieces_total() const { return static_cast<std::uint32_t>(pieces_.size()); }
  std::uint32_t pieces_received() const { return received_; }
  std::size_t peers_offering() const;  // peers we could ask (usable size)
  // The latest trouble, for the status (a size over the cap, metadata that failed the hash);
  // empty once the metadata is in.
  std::string problem() const { return problem_; }

 private:
  enum class PieceState : std::uint8_t { missing, requested, received };
  struct Piece {
    PieceState state = PieceState::missing;
    PeerKey from = 0;  // requested from / received from
    TimePoint asked{};
  };
  struct Peer {
    std::optional<std::int64_t> size;
    std::size_t outstanding = 0;
    TimePoint resting_until{};  // rejected or timed out: not asked before this
    bool unusable = false;      // its size differs from the one we fetch, or is over the cap
  };

  void choose_size();
  void start_over();
  void release(PeerKey peer);  // its requests go back to missing
  bool usable(const Peer& p) const;

  Sha1Digest info_hash_;
  MetadataFetchLimits limits_;
  std::map<PeerKey, Peer> peers_;
  std::int64_t size_ = 0;
  std::vector<Piece> pieces_;
  std::string buffer_;
  std::uint32_t received_ = 0;
  bool complete_ = false;
  bool single_source_ = false;      // after a failure with several senders
  std::optional<PeerKey> source_;   // the one peer asked in that mode
  std::string problem_;
};

}  // namespace tessera
