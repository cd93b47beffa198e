// Adding a magnet link to the session, and turning it into a torrent once its metadata is in.
#include "bencode/value.hpp"
#include "session/session_impl.hpp"

namespace tessera {
namespace {

// A .torrent for the fetched info dictionary, carrying the link's trackers and web seeds, so
// the state folder's copy (and a restart) knows them too. Keys in bencode order.
std::string torrent_file_for(const magnet::Magnet& link, const std::string& info_dict) {
  std::string out = "d";
  if (!link.trackers.empty()) {
    out += bencode::encode(bencode::Value("announce")) + bencode::encode(bencode::Value(link.trackers.front()));
    bencode::Value::List tiers;
    for (const std::string& url : link.trackers) {
      bencode::Value::List tier;
      tier.emplace_back(url);
      tiers.emplace_back(std::move(tier));
    }
    out += bencode::encode(bencode::Value("announce-list")) + bencode::encode(bencode::Value(std::move(tiers)));
  }
  out += bencode::encode(bencode::Value("info")) + info_dict;
  if (!link.web_seeds.empty()) {
    bencode::Value::List seeds;
    for (const std::string& url : link.web_seeds) seeds.emplace_back(url);
    out += bencode::encode(bencode::Value("url-list")) + bencode::encode(bencode::Value(std::move(seeds)));
  }
  return out + "e";
}

}  // namespace

expected<TorrentId, std::string> Session::Impl::add_magnet(magnet::Magnet link, const AddTorrentParams& params) {
  std::vector<tcp::endpoint> peers;
  for (const std::string& p : params.peers) {
    auto ep = parse_peer_endpoint(p);
    if (!ep) return unexpected(ep.error());
    peers.push_back(*ep);
  }
  if (params.save_path.empty()) return unexpected(std::string("no save folder given"));
  std::error_code ec;
  const std::filesystem::path save = std::filesystem::absolute(params.save_path, ec);
  TorrentId id = 0;
  {
    std::lock_guard lock(mutex);
    if (stopped) return unexpected(std::string("session is shut down"));
    if (!info_hashes.insert(link.info_hash).second) {
      return unexpected("torrent already added: " + (link.name.empty() ? link.info_hash.hex() : link.name));
    }
    id = next_id++;
  }
  boost::asio::post(io, [this, id, link = std::move(link), save, params, peers]() mutable {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    auto m = std::make_shared<MagnetTorrent>(*ctx, id, std::move(link), save.string(), params.paused,
                                             !params.ephemeral, params.pause_after_metadata, now,
                                             [this, id](std::string info) { metadata_received(id, std::move(info)); });
    magnets.emplace(id, MagnetEntry{m, params});
    m->start();
    for (const auto& ep : peers) m->add_peer(ep, PeerSource::manual);
  });
  return id;
}

void Session::Impl::metadata_received(TorrentId id, std::string info_dict) {
  auto it = magnets.find(id);
  if (it == magnets.end()) return;
  MagnetEntry& entry = it->second;
  const magnet::Magnet& link = entry.torrent->link();
  std::string data = torrent_file_for(link, info_dict);
  auto meta = parse_metainfo(std::string_view(data));
  if (!meta) {
    // It matched the info-hash, so this is the torrent itself: no peer can give a better one.
    const std::string why = "the metadata is not a usable torrent: " + meta.error().message;
    entry.torrent->fail(why);
    emit(SessionEvent{SessionEvent::Kind::error, id, entry.torrent->name(), why});
    return;
  }
  AddTorrentParams params = entry.params;
  params.paused = entry.torrent->paused() || params.pause_after_metadata;
  if (!link.selected_files.empty() && params.file_priorities.empty()) {
    // BEP 53: only the files the link selects.
    params.file_priorities.assign(meta->files.size(), FilePriority::skip);
    for (const magnet::FileRange& r : link.selected_files) {
      for (std::uint64_t f = r.first; f <= r.last && f < meta->files.size(); ++f) {
        params.file_priorities[f] = FilePriority::normal;
      }
    }
  }
  const std::filesystem::path save(entry.torrent->status(Clock::now()).save_path);
  TorrentFiles probe(save, *meta);
  if (auto w = probe.check_writable(); !w) {
    entry.torrent->fail(w.error().message);
    emit(SessionEvent{SessionEvent::Kind::error, id, meta->name, w.error().message});
    return;
  }
  const Candidates peers = entry.torrent->candidates();
  entry.torrent->hand_over();
  const std::string name = meta->name;
  magnets.erase(it);
  const Sha1Digest hash = meta->info_hash;
  start_torrent(id, std::move(*meta), save, params, peers, std::nullopt, false, std::move(data));
  // After the .torrent and resume files (the same strand, in order): a crash in between leaves
  // both, and a restart prefers the .torrent.
  if (!params.ephemeral) state->remove_magnet(hash, id);
  emit(SessionEvent{SessionEvent::Kind::metadata_received, id, name, {}});
}

}  // namespace tessera
