// A torrent added by magnet link, before its metadata is in (BEP 9). It finds peers (the link's
// trackers and x.pe peers, peers the user gives, incoming ones), talks to them only through the
// extension protocol, and fetches the info dictionary with a MetadataFetch. Once that is verified
// it hands the session the bytes and the peers it knows; the session then replaces it with a
// Torrent under the same id, which dials those peers again as full peers.
//
// Peers' piece-set messages mean nothing yet (the piece count is unknown) and are ignored; we
// tell fast peers we have nothing, reject their metadata requests (we have none) and never
// request blocks. Peer exchange (BEP 11) works both ways when the setting is on: whether the
// torrent is private (BEP 27) is unknown until the metadata is in, so it counts as public until
// then, as in libtorrent; a private torrent that follows drops the peers PEX found.
// Lives on the network thread.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "magnet/magnet_uri.hpp"
#include "metadata/metadata_fetch.hpp"
#include "net/peer_connection.hpp"
#include "peers/peer_extensions.hpp"
#include "peers/peer_list.hpp"
#include "peers/pex_state.hpp"
#include "session/torrent.hpp"
#include "session/torrent_trackers.hpp"

namespace tessera {

class MagnetTorrent : public PeerConnection::Owner, public std::enable_shared_from_this<MagnetTorrent> {
 public:
  using tcp = boost::asio::ip::tcp;
  // Runs once, posted, with the verified info dictionary.
  using OnMetadata = std::function<void(std::string info_dict)>;

  // `persist`: kept in the state folder (a .magnet record) until the metadata is in.
  MagnetTorrent(TorrentContext& ctx, TorrentId id, magnet::Magnet link, std::string save_path, bool paused,
                bool persist, bool pause_after_metadata, std::int64_t added_at, OnMetadata on_metadata);
  ~MagnetTorrent() override;

  void start();
  void pause();
  void resume();
  // Sends `stopped` to trackers and closes peers; `done` runs when the announces finished.
  void stop(std::function<void()> done);
  // The metadata was taken over: close every peer (the torrent dials them again) and go quiet.
  void hand_over();
  // The metadata verified but cannot be used (a hostile or broken torrent): the error state.
  void fail(const std::string& message);
  // Removed: the state folder's record goes.
  void forget_state();

  void add_peer(const tcp::endpoint& ep, PeerSource source);
  void attach_incoming(std::shared_ptr<PeerConnection> conn, const wire::Handshake& theirs);
  void tick(Clock::time_point now);
  TorrentStatus status(Clock::time_point now) const;
  // Every peer we know and could dial, with where we heard of it.
  std::vector<std::pair<tcp::endpoint, PeerSource>> candidates() const;

  TorrentId id() const { return id_; }
  const Sha1Digest& info_hash() const { return link_.info_hash; }
  const magnet::Magnet& link() const { return link_; }
  std::string name() const;
  bool paused() const { return paused_; }
  int peer_count() const { return static_cast<int>(peers_.size()); }

  // PeerConnection::Owner
  void on_peer_message(PeerConnection& c, wire::Message&& m) override;
  void on_peer_closed(PeerConnection& c, const std::string& reason) override;
  void on_peer_drained(PeerConnection&) override {}
  void on_peer_read_done(PeerConnection&) override {}

 private:
  struct Peer {
    std::shared_ptr<PeerConnection> conn;
    tcp::endpoint endpoint;
    bool incoming = false;
    bool fast = false;
    PeerSource source = PeerSource::tracker;
    std::array<std::uint8_t, 20> peer_id{};
    std::string client;
    PeerExtensions extensions;
    std::optional<PexState> pex;               // when PEX is on
    std::optional<std::uint16_t> listen_port;  // an incoming peer's, from its extension handshake
  };

  bool running() const { return !paused_ && !stopping_ && !handed_over_ && error_.empty(); }
  void save_record();
  void connect_peers(Clock::time_point now);
  void on_connected(std::shared_ptr<PeerConnection> conn, const wire::Handshake& theirs, bool incoming,
                    const tcp::endpoint& ep);
  void on_extended(PeerKey key, const wire::Extended& m);
  void on_metadata_message(PeerKey key, const wire::MetadataMessage& m);
  void ask(Peer& p, PeerKey key, Clock::time_point now);
  void take_pex(Peer& p, const wire::PexMessage& m, Clock::time_point now);
  void exchange_peers(Clock::time_point now);
  void drop_peer(PeerKey key, DepartureReason reason, const std::string& detail);
  void drop_all_peers(const std::string& detail);
  wire::Handshake our_handshake() const;
  PeerListConfig peer_list_config() const;
  TorrentTrackers::Totals totals() const;
  void diagnose(TorrentStatus& s) const;

  TorrentContext& ctx_;
  TorrentId id_;
  magnet::Magnet link_;
  std::string save_path_;
  OnMetadata on_metadata_;
  bool pex_;  // the setting at creation
  MetadataFetch fetch_;
  PeerList peer_list_;
  std::shared_ptr<TorrentTrackers> trackers_;
  bool paused_;
  bool persist_;
  bool pause_after_metadata_;
  std::int64_t added_at_;
  bool stopping_ = false;
  bool handed_over_ = false;
  std::string error_;
  std::map<PeerKey, Peer> peers_;
  std::unordered_map<PeerConnection*, PeerKey> by_conn_;
  PeerKey next_key_ = 1;
};

}  // namespace tessera
