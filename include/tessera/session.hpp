// tessera::Session — the engine's one public face: commands in, snapshots and events out.
//
// A Session runs its own network thread (all protocol state) and a disk/hash pool. Every method
// here is thread-safe and returns at once: commands are posted to the network thread, and state
// comes back as immutable snapshots published every `snapshot_interval`.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tessera/expected.hpp"
#include "tessera/settings.hpp"
#include "tessera/status.hpp"

namespace tessera {

struct AddTorrentParams {
  std::string torrent_file;     // path of a .torrent, or
  std::string torrent_data;     // its bytes (used when not empty), or
  std::string magnet_uri;       // a magnet link: the metadata is fetched from peers first
  // Magnet links: once the metadata is in, the torrent waits paused (say, for the user to choose
  // its files) instead of starting at once; SessionEvent::metadata_received tells when.
  bool pause_after_metadata = false;
  std::string save_path;        // folder the torrent's files go into
  bool paused = false;
  std::vector<std::string> peers;  // extra peers to dial, "host:port"
  std::int64_t download_limit = 0;  // this torrent's caps, bytes/s (0 = none)
  std::int64_t upload_limit = 0;
  // By file index (the torrent's file list, pad files included); missing entries are normal.
  std::vector<FilePriority> file_priorities;
  // This torrent's own share-ratio limit: unset follows the session's stop_at_ratio, 0 = never stop.
  std::optional<double> ratio_limit;
  // Not kept in the state folder: gone after a restart (the demo's torrent).
  bool ephemeral = false;
};

class Session {
 public:
  // Starts listening and the engine threads; fails with a one-line reason (e.g. port in use).
  static expected<std::unique_ptr<Session>, std::string> create(const SessionSettings& settings);
  ~Session();  // shutdown() if not done
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Validates the torrent and the save folder, then adds it (data already on disk is checked).
  expected<TorrentId, std::string> add_torrent(const AddTorrentParams& params);
  void pause(TorrentId id);
  void resume(TorrentId id);
  void remove(TorrentId id, bool delete_files);
  void add_peer(TorrentId id, const std::string& host_port);
  // Caps in bytes/s, 0 = unlimited; effective at once. Session-wide, and per torrent.
  void set_rate_limits(std::int64_t download, std::int64_t upload);
  void set_torrent_rate_limits(TorrentId id, std::int64_t download, std::int64_t upload);
  // Effective at once: the picker stops or starts fetching the file's pieces.
  void set_file_priority(TorrentId id, std::uint32_t file_index, FilePriority priority);
  // This torrent's share-ratio limit (see AddTorrentParams::ratio_limit); persisted.
  void set_torrent_ratio_limit(TorrentId id, std::optional<double> limit);
  // Hashes the data on disk again (pausing transfers meanwhile) and keeps what verifies.
  void force_recheck(TorrentId id);
  // Which torrents' snapshots carry files and piece availability (say, the one the GUI shows).
  void set_detail_torrents(std::vector<TorrentId> ids);
  // The live parts of the settings: caps, connection limits, upload slots, peer-list limits,
  // the share-ratio limit.
  void apply_settings(const SessionSettings& settings);

  // The latest published state; never blocks on the engine.
  std::shared_ptr<const SessionSnapshot> snapshot() const;
  // Events since the last call, oldest first.
  std::vector<SessionEvent> take_events();
  // Called on the network thread whenever a snapshot or events are published (keep it cheap:
  // e.g. post a queued signal).
  void set_notify(std::function<void()> notify);

  std::uint16_t listen_port() const;
  // Stops torrents (sending `stopped` to trackers, waiting at most `grace`), closes everything.
  void shutdown(std::chrono::milliseconds grace = std::chrono::milliseconds(3000));

  class Impl;

 private:
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera
