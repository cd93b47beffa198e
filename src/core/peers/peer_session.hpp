// One peer's protocol state, sans I/O: choke and interest both ways, what they have, their
// requests, allowed-fast sets, rates and totals. It is fed decoded messages and `now`, sends
// its answers through a PeerWire (the connection, or a recorder in tests), and tells the torrent
// what else to do in a PeerReaction. The picker, passed in, is the one owner of who requested
// which block; this class never keeps a second copy.
//
// Everything the peer controls is bounded: its queued requests (max_queued_requests), requests
// sent while we choke it (a choke-reject counter, so a peer that never reads cannot grow our
// send queue with rejects), and repeated piece-set messages, each of which costs a pass over the
// pieces: have-all / have-none only in place of the first bitfield (BEP 6), later bitfields
// rationed (and applied as a difference when they only add pieces).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bandwidth/rate_meter.hpp"
#include "bitfield/bitfield.hpp"
#include "choker/choker.hpp"
#include "metainfo/piece_map.hpp"
#include "peers/peer_extensions.hpp"
#include "peers/peer_wire.hpp"
#include "peers/pex_state.hpp"
#include "picker/piece_picker.hpp"
#include "tessera/status.hpp"
#include "wire/messages.hpp"

namespace tessera {

struct PeerSessionLimits {
  std::size_t max_queued_requests = 2000;  // their requests waiting to be served
  std::size_t max_choked_requests = 300;   // requests while choked (each answered by a reject)
  // A later bitfield replaces the first (aria2 sends several as its pieces grow); each costs a
  // pass over the pieces, so they are rationed: a burst, then a few per second.
  double bitfield_burst = 32;
  double bitfields_per_second = 4;
  std::size_t max_allowed_fast = 64;       // pieces they may let us request while choked
  std::size_t max_pipeline = 500;          // our requests in flight to them
};

// How many requests to keep in flight to this peer (from the RequestScheduler).
struct RequestBudget {
  std::size_t target = 0;  // requests in flight wanted
  std::size_t batch = 1;   // refill only when at least this many are missing
};

// What a message means for the rest of the torrent.
struct PeerReaction {
  struct Close {
    DepartureReason reason;
    std::string detail;
  };
  struct Block {
    BlockRef ref;
    std::uint32_t begin = 0;
    std::string_view data;  // valid until the message is gone
    BlockArrival arrival;   // the picker's verdict (cancel others, write, hash)
  };
  std::optional<Close> close;             // drop the connection
  bool refill = false;                    // a chance to request more blocks
  bool interested = false;                // they became interested: ask the choker for a free slot
  bool serve = false;                     // their request queue grew: read blocks for them
  std::optional<Block> block;             // a block we asked for arrived
  std::int64_t upload_refund = 0;         // queued payload withdrawn by their cancel
  std::optional<std::uint16_t> listen_port;  // from their extension handshake
  std::optional<wire::MetadataMessage> metadata;  // a ut_metadata message (BEP 9)
  // Peers a ut_pex message named (BEP 11), already rationed and capped by PexState: add them to
  // the peer list as PEX candidates.
  std::vector<wire::PexPeer> pex_candidates;
};

class PeerSession {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  PeerSession(PeerKey key, PeerWire& wire, const PieceMap& map, bool fast, bool extended, TimePoint now,
              PeerSessionLimits limits = {});

  // Our first messages: what we have (the bitfield must come first), then the extension
  // handshake (an encoded payload, when they speak BEP 10), then the allowed-fast pieces we
  // let them fetch while choked (those of `allowed_fast` we have).
  void greet(const Bitfield& ours, std::string_view extension_handshake, std::span<const std::uint32_t> allowed_fast);

  PeerReaction on_message(wire::Message& m, PiecePicker& picker, TimePoint now);

  // ---- downloading from them
  // Requests up to the budget (nothing unless we are interested and they let us).
  void fill_requests(PiecePicker& picker, const RequestBudget& budget);
  // Cancels requests past `target` (a cap was lowered).
  void trim_requests(PiecePicker& picker, std::size_t target);
  // Another peer delivered a block we had also asked this one for (the picker has withdrawn it).
  void cancel(BlockRef ref);
  // Marks them snubbed (no block for the snub timeout while unchoking us) and withdraws all but
  // what a snubbed peer keeps. Returns true when newly snubbed.
  bool check_snub(PiecePicker& picker, TimePoint now, const ChokerConfig& config);
  // We verified a piece: tell them, and want one piece fewer from them.
  void piece_verified(std::uint32_t piece, const PiecePicker& picker);
  // Priorities changed or we finished: count again what we want from them.
  void recount_interest(const PiecePicker& picker);
  void set_pipeline(std::size_t blocks);
  std::size_t pipeline() const { return pipeline_; }
  // The peer left: its requests go back to the picker and its pieces leave the availability.
  void detach(PiecePicker& picker);

  // ---- uploading to them
  void set_choke(bool choke, std::string reason);
  std::size_t queued_requests() const { return their_requests_.size(); }
  std::size_t reads_in_flight() const { return reads_in_flight_; }
  // Takes up to `max` queued requests to read from disk.
  std::vector<wire::Request> take_reads(std::size_t max);
  // The blocks of an earlier take_reads(), read; sends those still allowed (not choked since,
  // not cancelled). Returns the payload bytes queued for sending.
  std::int64_t blocks_read(const std::vector<wire::Request>& batch, std::vector<std::string>&& blocks, TimePoint now);
  void read_failed(std::size_t count) { reads_in_flight_ -= std::min(count, reads_in_flight_); }

  // ---- extensions
  // Sends a ut_metadata message; false when they do not take them.
  bool send_metadata(const wire::MetadataMessage& m);
  // Peer exchange for this connection (PEX on for the torrent); before greet(), so that our
  // extension handshake and theirs are read with it. `remote`: the connection's remote endpoint.
  void enable_pex(const boost::asio::ip::tcp::endpoint& remote, PexConfig config = {});
  bool pex_enabled() const { return pex_.has_value(); }
  // Sends the ut_pex message due now, given the torrent's connected peers (at most one per
  // interval, see PexState). False when none is due or they do not take ut_pex.
  bool send_pex(std::span<const PexSwarmPeer> connected, TimePoint now);
  PeerExtensions& extensions() { return extensions_; }

  // ---- views
  PeerKey key() const { return key_; }
  bool am_choking() const { return am_choking_; }
  bool am_interested() const { return am_interested_; }
  bool peer_choking() const { return peer_choking_; }
  bool peer_interested() const { return peer_interested_; }
  bool seed() const { return seed_; }
  bool snubbed() const { return snubbed_; }
  bool fast() const { return fast_; }
  bool extended() const { return extended_; }
  const Bitfield& has() const { return has_; }
  const std::string& client() const { return client_; }
  void set_client(std::string name) { client_ = std::move(name); }
  std::int64_t downloaded() const { return downloaded_; }
  std::int64_t uploaded() const { return uploaded_; }
  std::int64_t down_rate(TimePoint now) const { return down_.rate(now); }
  std::int64_t up_rate(TimePoint now) const { return up_.rate(now); }
  TimePoint connected_at() const { return connected_at_; }
  std::optional<std::uint32_t> their_request_queue() const { return reqq_; }
  bool wants_from() const { return wanted_from_ > 0; }  // they have a piece we want
  // They let us request something: unchoked, or choked with pieces allowed fast.
  bool may_request() const { return !peer_choking_ || (fast_ && !allowed_fast_.empty()); }
  ChokerPeer choker_view(TimePoint now) const;
  // Everything but the address and wire rates, which the connection knows.
  PeerInfo info(const PiecePicker& picker, TimePoint now) const;

 private:
  PeerReaction on_piece_set(Bitfield bits, PiecePicker& picker, TimePoint now);
  PeerReaction on_have(std::uint32_t piece, PiecePicker& picker);
  PeerReaction on_request(const wire::Request& r, const PiecePicker& picker);
  PeerReaction on_block(wire::Piece& m, PiecePicker& picker, TimePoint now);
  PeerReaction on_cancel(const wire::Cancel& m);
  PeerReaction on_reject(const wire::Reject& m, PiecePicker& picker);
  void on_extension_handshake(const wire::ExtensionHandshake& h, PeerReaction& out);
  void forget_availability(PiecePicker& picker);
  void set_interest(bool want, const PiecePicker& picker);
  void withdraw_requests(PiecePicker& picker);
  void send_cancel(BlockRef ref);
  std::uint32_t block_length(BlockRef ref) const;
  static PeerReaction violation(std::string detail);

  PeerKey key_;
  PeerWire& wire_;
  const PieceMap& map_;
  PeerSessionLimits limits_;
  bool fast_;
  bool extended_;
  bool am_choking_ = true;
  bool am_interested_ = false;
  bool peer_choking_ = true;
  bool peer_interested_ = false;
  bool seed_ = false;
  bool snubbed_ = false;
  bool counted_in_availability_ = false;
  bool piece_set_seen_ = false;   // a bitfield, have-all, have-none or have arrived
  double bitfield_tokens_ = 0;    // replacements we take now (refilled over time)
  TimePoint bitfield_refill_{};
  std::size_t choked_requests_ = 0;
  Bitfield has_;
  std::uint32_t wanted_from_ = 0;               // pieces they have that we lack and want
  std::deque<wire::Request> their_requests_;    // queued for reading from disk
  std::size_t reads_in_flight_ = 0;
  std::vector<std::uint32_t> allowed_fast_;     // pieces they let us request while choked
  std::set<std::uint32_t> allowed_fast_given_;  // pieces we let them request while choked
  RateMeter down_, up_;
  std::int64_t downloaded_ = 0, uploaded_ = 0;
  std::size_t pipeline_ = 16;
  std::optional<std::uint32_t> reqq_;           // their advertised request queue
  PeerExtensions extensions_;
  std::optional<PexState> pex_;                 // set when PEX is on for the torrent
  std::string client_;
  TimePoint connected_at_{}, last_block_at_{};
  std::string choke_reason_ = "not interested";
};

}  // namespace tessera
