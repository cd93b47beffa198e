// Decides which blocks to request from which peer. Pure and deterministic: no I/O, no clock, and
// the only randomness comes from the seed given to the constructor.
//
// Order of preference for one pick:
//   1. free blocks of pieces already started (partial pieces), most-received piece first;
//   2. new pieces: at random while we have fewer than kRandomFirstPieces pieces, then rarest
//      first (higher priority always beats rarity; equal pieces come in a seeded random order);
//   3. endgame: once every block of every wanted piece is requested or received, blocks already
//      requested from other peers, at most kMaxRequestsPerBlock requests per block.
//
// Fresh (wanted, not had, not started) pieces live in buckets keyed by (priority, availability),
// with a piece -> position index, so an availability change moves one piece in O(1) and a pick
// scans from the best bucket without sorting anything. Seeds are counted once, not per piece,
// since they add the same amount to every piece and so never change the order.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "bitfield/bitfield.hpp"
#include "metainfo/piece_map.hpp"

namespace tessera {

struct BlockRef {
  std::uint32_t piece;
  std::uint32_t block;
  friend auto operator<=>(const BlockRef&, const BlockRef&) = default;
};

using PeerKey = std::uint32_t;  // opaque per-connection id chosen by the session

struct BlockArrival {
  bool expected = false;        // false: we never requested it from anyone (caller closes the connection)
  bool duplicate = false;       // already received from someone else (endgame race): drop the data
  bool piece_complete = false;  // every block of the piece is now received: hash it
  std::vector<PeerKey> cancel;  // other peers that also have this block requested: send them Cancel
};

class PiecePicker {
 public:
  static constexpr std::uint32_t kRandomFirstPieces = 4;  // random picks until we have this many
  static constexpr std::size_t kMaxRequestsPerBlock = 2;  // endgame duplicates included
  static constexpr std::uint8_t kMaxPriority = 7;

  PiecePicker(const PieceMap& map, std::uint64_t seed);

  // What we have (from resume data / a recheck) and what we want.
  void set_have(std::uint32_t piece);
  bool have(std::uint32_t piece) const;
  const Bitfield& have_bitfield() const { return have_; }
  // 0 = don't download, 1 = normal (default), up to 7 = highest; larger values are clamped to 7.
  void set_piece_priority(std::uint32_t piece, std::uint8_t priority);
  std::uint8_t piece_priority(std::uint32_t piece) const;
  bool is_finished() const { return wanted_left_ == 0; }      // every piece with priority > 0 is had
  std::uint32_t wanted_left() const { return wanted_left_; }  // pieces with priority > 0 not yet had

  // Availability among connected peers, kept incrementally. Bits past the torrent's size are
  // ignored; removing what was never added saturates at zero rather than wrapping.
  void add_peer_bitfield(const Bitfield& has);
  void remove_peer_bitfield(const Bitfield& has);
  void add_peer_have(std::uint32_t piece);
  void add_seed();  // a have-all / complete peer: counted once, not per piece
  void remove_seed();
  std::uint32_t availability(std::uint32_t piece) const;  // includes seeds

  // Picks up to max_blocks blocks that `peer` has, marks them requested by `peer`, and returns
  // them in request order. When `choked` is true only pieces in `allowed_fast` (BEP 6) are eligible.
  std::vector<BlockRef> pick(const Bitfield& peer_has, PeerKey peer, std::size_t max_blocks,
                             bool choked = false, const std::vector<std::uint32_t>& allowed_fast = {});
  void abort_request(BlockRef block, PeerKey peer);  // rejected: pickable again, and settled
  // We withdrew the request (choked without the fast extension, a lowered cap, a snub): pickable
  // again, but the peer may still answer it, and that late block is then no protocol error.
  void cancel_request(BlockRef block, PeerKey peer);
  void abort_peer(PeerKey peer);                     // disconnect: all its outstanding requests go back
  // A block is expected when `peer` requested it (even if we cancelled that request since) or when
  // someone else has it requested (its data is still useful). Late copies are reported duplicate.
  BlockArrival on_block(BlockRef block, PeerKey peer);
  void on_hash_passed(std::uint32_t piece);  // piece verified: now had
  void on_hash_failed(std::uint32_t piece);  // every block of the piece goes back to "not requested"
  // Peers that sent blocks of the piece, ascending. After on_hash_failed() it still names the
  // senders of the failed attempt until a block of the next attempt arrives.
  std::vector<PeerKey> contributors(std::uint32_t piece) const;

  bool in_endgame() const;
  // Started but not verified, ascending (includes pieces whose blocks all arrived, awaiting hash).
  std::vector<std::uint32_t> partial_pieces() const;
  std::size_t requested_count(PeerKey peer) const;  // outstanding blocks of this peer
  // The picker is the one owner of who asked for which block.
  enum class RequestState : std::uint8_t { none, outstanding, cancelled };
  RequestState request_state(BlockRef block, PeerKey peer) const;
  const std::vector<BlockRef>& requests_of(PeerKey peer) const;  // outstanding, in request order
  // Withdrawn requests remembered per peer (so late answers are recognised); oldest go first.
  static constexpr std::size_t kMaxCancelledPerPeer = 1024;

 private:
  enum class BlockState : std::uint8_t { kFree, kRequested, kReceived };

  struct Block {
    BlockState state = BlockState::kFree;
    std::uint8_t requester_count = 0;
    std::array<PeerKey, kMaxRequestsPerBlock> requesters{};
    PeerKey sender = 0;  // valid when received
  };

  struct DownloadingPiece {
    std::vector<Block> blocks;
    std::uint32_t free = 0;       // blocks nobody has requested
    std::uint32_t requested = 0;  // blocks with at least one outstanding request
    std::uint32_t received = 0;
  };

  struct PeerState {
    std::vector<BlockRef> requested;  // outstanding, in request order
    std::vector<BlockRef> cancelled;  // requests we withdrew after someone else delivered the block
  };

  // A small seeded generator (SplitMix64): the same seed gives the same picks on every platform.
  struct Rng {
    std::uint64_t state;
    std::uint64_t next();
    std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(next() % n); }
  };

  static constexpr std::uint32_t kNotInOrder = 0xffffffffu;

  // Which pieces one pick may touch: the peer has them and, when it chokes us, they are allowed fast.
  struct Eligibility {
    const Bitfield& peer_has;
    bool choked;
    const std::vector<std::uint32_t>& allowed_fast;
    bool operator()(std::uint32_t piece) const;
  };

  bool valid(std::uint32_t piece) const { return piece < piece_count_; }
  bool wanted(std::uint32_t piece) const { return priority_[piece] > 0 && !have_.get(piece); }
  bool fresh(std::uint32_t piece) const { return position_[piece] != kNotInOrder; }

  // Order maintenance. A piece is in the order exactly when it is wanted and not downloading.
  void order_insert(std::uint32_t piece);
  void order_erase(std::uint32_t piece);
  void sync_order(std::uint32_t piece);  // insert or erase to restore the invariant above
  void change_count(std::uint32_t piece, bool up);
  void change_counts(const Bitfield& has, bool up);

  // Starts a fresh piece and hands out its blocks; false once `out` holds max_blocks.
  bool start_piece(std::uint32_t piece, PeerKey peer, std::size_t max_blocks, std::vector<BlockRef>& out);
  bool take_free_blocks(std::uint32_t piece, DownloadingPiece& dp, PeerKey peer, std::size_t max_blocks,
                        std::vector<BlockRef>& out);
  // The rarest fresh piece this peer could give us, as (priority, availability); bounded search.
  struct Rarity {
    std::uint32_t priority;
    std::uint32_t availability;
  };
  std::optional<Rarity> rarest_fresh(const Eligibility& ok) const;
  // Partial pieces first; with `below`, only those at least as urgent as that fresh piece.
  void pick_partials(const Eligibility& ok, PeerKey peer, std::size_t max_blocks, std::vector<BlockRef>& out,
                     std::optional<Rarity> below = std::nullopt);
  void pick_new(const Eligibility& ok, PeerKey peer, std::size_t max_blocks, std::vector<BlockRef>& out);
  void pick_endgame(const Eligibility& ok, PeerKey peer, std::size_t max_blocks, std::vector<BlockRef>& out);

  void add_request(BlockRef ref, Block& b, DownloadingPiece& dp, PeerKey peer);
  static void remove_requester(Block& b, DownloadingPiece& dp, PeerKey peer);
  static void remember_cancelled(PeerState& ps, BlockRef ref);
  // Withdraws every outstanding request of the piece (moving them to the peers' cancelled lists,
  // so a late block is a duplicate rather than a protocol error), forgets its blocks and returns
  // it to the order if it is still wanted.
  void drop_downloading(std::uint32_t piece);
  void drop_if_untouched(std::uint32_t piece);  // nothing requested or received: fresh again
  void mark_had(std::uint32_t piece);

  std::uint32_t piece_count_;
  std::uint32_t have_count_ = 0;
  std::uint32_t wanted_left_;
  std::uint32_t seeds_ = 0;
  std::vector<std::uint32_t> block_counts_;
  std::vector<std::uint8_t> priority_;
  std::vector<std::uint32_t> peer_count_;  // availability without seeds
  std::vector<std::uint32_t> position_;    // index within its bucket, or kNotInOrder
  // tiers_[priority][peer_count] = fresh pieces, in seeded random order.
  std::array<std::vector<std::vector<std::uint32_t>>, kMaxPriority + 1> tiers_;
  std::array<std::uint32_t, kMaxPriority + 1> tier_size_{};
  std::uint32_t fresh_count_ = 0;
  Bitfield have_;
  std::map<std::uint32_t, DownloadingPiece> downloading_;
  std::map<PeerKey, PeerState> peers_;
  std::map<std::uint32_t, std::vector<PeerKey>> failed_contributors_;
  Rng rng_;
};

}  // namespace tessera
