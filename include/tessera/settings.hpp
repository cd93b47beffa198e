// Session-wide settings. Plain data; the GUI binds its preferences to these fields.
// Session::apply_settings() changes the caps, connection limits and slots of a running session;
// the listen address and port, thread count and trackers switch are fixed at creation.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace tessera {

struct SessionSettings {
  // Address to listen on. When it is a specific address (not 0.0.0.0 / ::), it is also the
  // source address of every outgoing connection, peers and trackers alike, so several clients
  // can share one machine on 127.0.0.x.
  std::string listen_address = "0.0.0.0";
  std::uint16_t listen_port = 6881;  // 0: any free port
  std::size_t disk_threads = 2;      // disk and SHA-1 pool
  // Speed caps in bytes/s over the whole session; 0 = unlimited. Per-torrent caps come on top.
  std::int64_t download_limit = 0;
  std::int64_t upload_limit = 0;
  // Connection limits. Soft: no new outgoing connections, and the least useful peers are pruned
  // down to it. Hard: even incoming connections are refused.
  int max_connections = 200;
  int max_connections_hard = 250;
  int max_peers_per_torrent = 60;
  int max_peers_per_torrent_hard = 80;
  int max_connecting = 10;           // outgoing connection attempts in flight per torrent
  int upload_slots = 4;              // regular unchoke slots, plus one optimistic
  bool rate_based_slots = false;     // with an upload cap: cap / 20 KiB/s slots (2..50) instead
  bool use_trackers = true;
  // The peer list, per torrent (everything a tracker or a peer hands us is bounded by these).
  int max_peer_list_size = 4000;     // known peers kept; the least promising go first when full
  int max_connections_per_address = 1;  // connections to one IP address (several ports count)
  int max_connect_failures = 3;      // failed attempts in a row before a peer is forgotten
  // Stop seeding a torrent when uploaded / downloaded reaches this (0: never). Per torrent, a
  // limit of its own overrides it (Session::set_torrent_ratio_limit).
  double stop_at_ratio = 0;
  // Finding peers without a tracker; private torrents (BEP 27) never use any of the three.
  bool enable_dht = true;  // BEP 5, on the listen address and port over UDP (fixed at creation)
  bool enable_pex = true;  // BEP 11, peer exchange with connected peers (fixed at creation)
  bool enable_lsd = true;  // BEP 14, multicast on the listen interface (fixed at creation)
  // Where the DHT starts, "host:port"; the public routers by default. Nodes saved in the state
  // folder at the last shutdown are used too. Given a loopback listen address, only nodes given here.
  std::vector<std::string> dht_bootstrap_nodes = {"router.bittorrent.com:6881", "router.utorrent.com:6881",
                                                  "dht.transmissionbt.com:6881", "dht.libtorrent.org:25401"};
  // How often a torrent announces itself on the DHT (and looks up peers when it has few).
  std::chrono::seconds dht_announce_interval{15 * 60};
  // Magnet links: the largest info dictionary we fetch from peers (a hostile peer could claim any size).
  std::int64_t max_metadata_size = std::int64_t{8} << 20;
  // Where the session keeps its torrents and their resume data. When set, create() brings back
  // every torrent saved there (paused state, caps, priorities, verified pieces) and the session
  // keeps it up to date. Empty: nothing persists.
  std::string state_dir;
  // With a state folder: whether create() brings back every torrent saved there (the GUI), or
  // only torrents added again pick up their saved state (the CLI, given torrents one by one).
  bool restore_torrents = true;
  std::uint64_t random_seed = 0;     // 0: seeded from the system; tests fix it
  std::chrono::milliseconds snapshot_interval{500};
  std::chrono::milliseconds tracker_timeout{30000};
};

}  // namespace tessera
