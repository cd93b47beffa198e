// What the engine shows the outside world: immutable snapshots, published a few times a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tessera {

using TorrentId = std::uint32_t;

enum class TorrentState : std::uint8_t { checking, downloading, seeding, paused, error };
const char* to_string(TorrentState s);

// What to download of one file. Pieces shared with a wanted file are still fetched whole, but
// a skipped file is only created on disk if such a shared piece needs it.
enum class FilePriority : std::uint8_t { skip = 0, normal = 1, high = 2 };
const char* to_string(FilePriority p);

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
  std::vector<TrackerInfo> trackers;
  std::vector<PeerInfo> peers;
  // Filled only for the torrents named in Session::set_detail_torrents (they cost a pass over
  // the pieces): its files (pad files left out) and, per piece, how many connected peers have it.
  bool has_details = false;
  std::vector<FileStatus> files;
  std::vector<std::uint16_t> availability;
};

struct SessionSnapshot {
  std::vector<TorrentStatus> torrents;
  std::int64_t down_rate = 0, up_rate = 0;              // payload bytes/s
  std::int64_t down_rate_total = 0, up_rate_total = 0;  // all bytes/s on the wire
  std::int64_t download_limit = 0, upload_limit = 0;    // session-wide caps, bytes/s (0 = none)
  int connections = 0;
  std::uint16_t listen_port = 0;
  std::chrono::steady_clock::time_point taken_at{};
};

struct SessionEvent {
  enum class Kind : std::uint8_t { added, checked, finished, error, removed };
  Kind kind;
  TorrentId id;
  std::string name;
  std::string message;
};

}  // namespace tessera
