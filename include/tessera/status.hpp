// What the engine shows the outside world: immutable snapshots, published a few times a second.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tessera {

using TorrentId = std::uint32_t;

// fetching_metadata: added by magnet link, its metadata (file list, pieces) still coming from peers.
enum class TorrentState : std::uint8_t { checking, downloading, seeding, paused, error, fetching_metadata };
const char* to_string(TorrentState s);

// What to download of one file. Pieces shared with a wanted file are still fetched whole, but
// a skipped file is only created on disk if such a shared piece needs it.
enum class FilePriority : std::uint8_t { skip = 0, normal = 1, high = 2 };
const char* to_string(FilePriority p);

// Where we heard of a peer. Counted per torrent in the snapshot; shown per peer.
enum class PeerSource : std::uint8_t { tracker, incoming, manual, dht, pex, lsd, magnet };
inline constexpr std::size_t kPeerSourceCount = 7;
const char* to_string(PeerSource s);

// Why a connection to a peer ended, for the user ("why did that peer go?") and for the peer
// list's policy (whether and when to dial it again).
enum class DepartureReason : std::uint8_t {
  protocol_violation,  // we closed it: it broke the protocol (the detail says how)
  corrupt_data,        // we closed it: it sent data that failed the hash check (banned)
  timed_out,           // it went silent, or never finished the handshake
  closed_by_peer,      // it closed the connection (or the network did)
  pruned,              // we closed it to make room for a better peer
  duplicate,           // a second connection to a peer we already have
  not_useful,          // both sides are seeds: nothing to trade
  stopped,             // we stopped: paused, removed, rechecking, shutting down, an error
};
const char* to_string(DepartureReason r);

// Why a torrent that should be downloading is not moving, in words a user can act on.
enum class StallReason : std::uint8_t {
  none,                // moving (or not downloading: seeding, paused, finished)
  checking,            // waiting for the check of existing data
  disk_error,          // stopped on a disk error (the torrent's error says which)
  no_peers_known,      // no peer known: trackers failing or silent (listed in the detail)
  peers_unreachable,   // peers known, but every connection attempt failed
  all_choking,         // connected, but every peer that has what we want chokes us
  nobody_has_wanted,   // connected, but no connected peer has the pieces we want
  download_cap,        // moving exactly as fast as a download cap allows
  no_metadata_source,  // magnet: connected, but no peer can send the metadata
};
const char* to_string(StallReason r);

struct FileStatus {
  std::uint32_t index = 0;       // position in the torrent's file list (what set_file_priority takes)
  std::string path;              // relative to the save folder, '/'-separated
  std::int64_t size = 0;
  std::int64_t have_bytes = 0;   // bytes of it inside verified pieces
  FilePriority priority = FilePriority::normal;
};

struct PeerInfo {
  std::string address;          // "127.0.0.2:6881"
  std::string client;           // from the peer id, e.g. "libtorrent 2.0.8"
  bool incoming = false;
  bool seed = false;
  bool am_choking = true;       // we choke them
  bool am_interested = false;
  bool peer_choking = true;     // they choke us
  bool peer_interested = false;
  bool snubbed = false;
  bool fast_extension = false;
  bool extension_protocol = false;
  double progress = 0;          // share of pieces they have, 0..1
  std::int64_t down_rate = 0;   // payload bytes/s from them
  std::int64_t up_rate = 0;     // payload bytes/s to them
  std::int64_t down_rate_total = 0;  // all bytes/s from them (payload and protocol)
  std::int64_t up_rate_total = 0;
  std::int64_t downloaded = 0;  // payload bytes from them on this connection
  std::int64_t uploaded = 0;
  std::uint32_t requests_out = 0;  // our block requests awaiting an answer
  std::uint32_t requests_in = 0;   // their requests we have queued
  std::string choke_reason;     // why we choke / unchoke them ("rate rank 2", "optimistic", ...)
  PeerSource source = PeerSource::tracker;
};

// A peer whose connection ended recently, and why (the latest few per torrent, newest first).
struct DepartedPeer {
  std::string address;
  std::string client;
  PeerSource source = PeerSource::tracker;
  DepartureReason reason = DepartureReason::closed_by_peer;
  std::string detail;           // the exact cause ("sent a block we never requested", ...)
  std::int64_t downloaded = 0, uploaded = 0;  // payload bytes on that connection
  std::int64_t seconds_ago = 0;               // when it left, before the snapshot was taken
};

struct TrackerInfo {
  std::string url;
  std::size_t tier = 0;
  std::string state;            // "idle", "announcing", "working", "error"
  std::string message;          // failure reason or error
  std::string warning;
  std::optional<std::int64_t> seeders, leechers;
  std::optional<std::int64_t> next_announce_in_s;
};

struct TorrentStatus {
  TorrentId id = 0;
  std::string name;
  std::string info_hash;        // hex
  std::string save_path;
  TorrentState state = TorrentState::checking;
  std::string error;            // set in the error state
  double progress = 0;          // verified share of wanted bytes, 0..1
  double check_progress = 0;    // while checking
  std::int64_t total_size = 0;
  std::int64_t wanted_size = 0;
  std::int64_t have_bytes = 0;
  std::uint32_t piece_count = 0;
  std::uint32_t pieces_have = 0;
  // Fetching metadata (magnet links): its size once a peer said it, and 16 KiB pieces in / of.
  std::int64_t metadata_size = 0;
  std::uint32_t metadata_pieces = 0, metadata_pieces_have = 0;
  std::string have_bitfield;    // wire-order bits, one per piece
  std::vector<std::uint32_t> partial_pieces;
  std::int64_t down_rate = 0, up_rate = 0;      // payload bytes/s
  std::int64_t down_rate_total = 0, up_rate_total = 0;  // all bytes/s on the wire
  std::int64_t download_limit = 0, upload_limit = 0;    // this torrent's caps, bytes/s (0 = none)
  std::int64_t downloaded = 0, uploaded = 0;    // payload bytes this session
  std::int64_t hash_failures = 0;
  int peers_connected = 0;
  int seeds_connected = 0;
  int leechers_connected = 0;
  std::optional<std::int64_t> swarm_seeds, swarm_leechers;  // from trackers (announce / scrape)
  std::optional<std::int64_t> eta_s;
  std::uint32_t piece_length = 0;
  std::string comment;
  std::int64_t added_at = 0;       // when it was first added, seconds since the Unix epoch
  std::int64_t active_s = 0;       // seconds spent running (not paused), over all sessions
  std::int64_t all_time_downloaded = 0, all_time_uploaded = 0;  // payload bytes, over all sessions
  // Stopping seeding at a share ratio (uploaded / downloaded): the limit in effect for this
  // torrent (0 = none), and whether the rule stopped it.
  double ratio_limit = 0;
  bool stopped_at_ratio = false;
  std::optional<double> own_ratio_limit;  // its own (unset: it follows the session's)
  bool seeds_past_ratio = false;          // resumed by the user after the rule stopped it
  // Why it is not moving (see StallReason), with the numbers behind it ("3 of 3 trackers
  // failing: ...", "41 connection attempts failed").
  StallReason stall = StallReason::none;
  std::string stall_detail;
  int peers_known = 0;          // candidates in the peer list (connected or not)
  std::array<int, kPeerSourceCount> peers_known_by_source{};  // indexed by PeerSource
  int connect_failures = 0;     // outgoing attempts that failed since the last success
  std::vector<TrackerInfo> trackers;
  std::vector<PeerInfo> peers;
  std::vector<DepartedPeer> departed_peers;
  // Filled only for the torrents named in Session::set_detail_torrents (they cost a pass over
  // the pieces): its files (pad files left out) and, per piece, how many connected peers have it.
  bool has_details = false;
  std::vector<FileStatus> files;
  std::vector<std::uint16_t> availability;
};

enum class DhtState : std::uint8_t { off, bootstrapping, ready };
const char* to_string(DhtState s);

struct SessionSnapshot {
  std::vector<TorrentStatus> torrents;
  std::int64_t down_rate = 0, up_rate = 0;              // payload bytes/s
  std::int64_t down_rate_total = 0, up_rate_total = 0;  // all bytes/s on the wire
  std::int64_t download_limit = 0, upload_limit = 0;    // session-wide caps, bytes/s (0 = none)
  int connections = 0;
  std::uint16_t listen_port = 0;
  DhtState dht_state = DhtState::off;
  int dht_nodes = 0;            // nodes in the DHT's routing table
  std::string dht_problem;      // why the DHT is off or stuck, one line (empty when fine)
  std::string lsd_problem;      // why local discovery is not working, one line (empty when fine)
  std::chrono::steady_clock::time_point taken_at{};
};

struct SessionEvent {
  // state_damaged: a file in the state folder could not be used (the torrent it held is not
  // restored; the file is left where it was); `name` is the file, `message` what is wrong. id 0.
  // stopped_at_ratio: a seeding torrent reached its share-ratio limit and was paused.
  // metadata_received: a magnet link's metadata is in; the torrent now has its files (same id).
  enum class Kind : std::uint8_t {
    added,
    checked,
    finished,
    error,
    removed,
    state_damaged,
    stopped_at_ratio,
    metadata_received
  };
  Kind kind;
  TorrentId id;
  std::string name;
  std::string message;
};

}  // namespace tessera
