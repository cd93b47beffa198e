// Session-wide settings. Plain data; the GUI binds its preferences to these fields.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace tessera {

struct SessionSettings {
  // Address to listen on. When it is a specific address (not 0.0.0.0 / ::), it is also the
  // source address of every outgoing connection, peers and trackers alike, so several clients
  // can share one machine on 127.0.0.x.
  std::string listen_address = "0.0.0.0";
  std::uint16_t listen_port = 6881;  // 0: any free port
  std::size_t disk_threads = 2;      // disk and SHA-1 pool
  int max_peers_per_torrent = 60;
  int max_connecting = 10;           // outgoing connection attempts in flight per torrent
  int upload_slots = 4;              // regular unchoke slots, plus one optimistic
  bool use_trackers = true;
  std::uint64_t random_seed = 0;     // 0: seeded from the system; tests fix it
  std::chrono::milliseconds snapshot_interval{500};
  std::chrono::milliseconds tracker_timeout{30000};
};

}  // namespace tessera
