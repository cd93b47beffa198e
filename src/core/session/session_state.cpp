// Adding torrents to the session, and restoring those saved in its state folder.
#include <algorithm>

#include "metainfo/read_torrent_file.hpp"
#include "storage/magnet_record.hpp"
#include "session/session_impl.hpp"
#include "tessera/host_port.hpp"

namespace tessera {
namespace {

constexpr std::uint64_t kMaxResumeFile = std::uint64_t{64} << 20;

// A torrent's saved resume data, checked to be this torrent's (its info-hash, pieces and files).
expected<ResumeData, std::string> read_resume_for(const Metainfo& meta, const std::filesystem::path& file) {
  auto bytes = read_torrent_file(file.string(), kMaxResumeFile);
  if (!bytes) return unexpected(bytes.error());
  auto r = decode_resume(*bytes, meta.piece_count, meta.files.size());
  if (!r) return r;
  if (r->info_hash != meta.info_hash.hex()) {
    return unexpected("resume data is for another torrent (info-hash " + r->info_hash + ")");
  }
  return r;
}

}  // namespace

expected<boost::asio::ip::tcp::endpoint, std::string> parse_peer_endpoint(const std::string& text) {
  auto hp = parse_host_port(text);
  boost::system::error_code ec;
  const auto addr = hp ? boost::asio::ip::make_address(hp->host, ec) : boost::asio::ip::address();
  if (!hp || ec || hp->port == 0) return unexpected("invalid peer address '" + text + "' (want ADDRESS:PORT)");
  return boost::asio::ip::tcp::endpoint(addr, hp->port);
}

expected<TorrentId, std::string> Session::Impl::add(Metainfo meta, std::string data, const AddTorrentParams& params,
                                                   std::optional<ResumeData> resume) {
  // Peers are checked first: a typo there should not leave a half-added torrent behind.
  std::vector<boost::asio::ip::tcp::endpoint> peers;
  for (const std::string& p : params.peers) {
    auto ep = parse_peer_endpoint(p);
    if (!ep) return unexpected(ep.error());
    peers.push_back(*ep);
  }
  if (params.save_path.empty()) return unexpected(std::string("no save folder given"));
  std::error_code ec;
  const std::filesystem::path save = std::filesystem::absolute(params.save_path, ec);
  const bool restored = resume.has_value();
  if (!restored) {
    // A restored torrent whose folder is gone comes back anyway (and reports the missing files).
    TorrentFiles probe(save, meta);
    if (auto w = probe.check_writable(); !w) return unexpected(w.error().message);
  }
  if (state->enabled() && !restored && !params.ephemeral) {
    // Added again (the CLI does this every run): its saved state counts if it is for the same folder.
    auto r = read_resume_for(meta, state->resume_path(meta.info_hash));
    if (r && r->save_path == save.string()) resume = std::move(*r);
  }
  TorrentId id = 0;
  {
    std::lock_guard lock(mutex);
    if (stopped) return unexpected(std::string("session is shut down"));
    if (!info_hashes.insert(meta.info_hash).second) {
      return unexpected("torrent already added: " + meta.name);
    }
    id = next_id++;
  }
  Candidates candidates;
  for (const auto& ep : peers) candidates.emplace_back(ep, PeerSource::manual);
  boost::asio::post(io, [this, id, m = std::move(meta), save, params, candidates, resume = std::move(resume), restored,
                         data = std::move(data)]() mutable {
    start_torrent(id, std::move(m), save, params, candidates, std::move(resume), restored, std::move(data));
  });
  return id;
}

void Session::Impl::start_torrent(TorrentId id, Metainfo meta, std::filesystem::path save,
                                  const AddTorrentParams& params, const Candidates& peers,
                                  std::optional<ResumeData> resume, bool restored, std::string data) {
  auto t = std::make_shared<Torrent>(*ctx, id, std::move(meta), save, params.paused, !params.ephemeral);
  torrents.emplace(id, t);
  if (resume) t->use_resume(std::move(*resume));
  if (params.download_limit > 0 || params.upload_limit > 0) {
    t->set_rate_limits(params.download_limit, params.upload_limit);
  }
  if (!params.file_priorities.empty()) t->set_file_priorities(params.file_priorities);
  if (params.ratio_limit) t->set_ratio_limit(params.ratio_limit);
  if (!restored) t->save_initial_state(std::move(data));
  t->start();
  for (const auto& [ep, source] : peers) t->add_peer(ep, source);
}

// Every torrent saved in the state folder, oldest first. A damaged file is reported and left
// where it is: nothing is deleted on the way.
void Session::Impl::restore() {
  const std::filesystem::path dir = std::filesystem::path(settings.state_dir) / "torrents";
  auto logger = log::get("session");
  struct Saved {
    Metainfo meta;
    std::string data;
    ResumeData resume;
  };
  std::vector<Saved> loaded;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".torrent") continue;
    // Reported once each (logged, and an event the GUI shows), and left where it is.
    const auto damaged = [&](const std::filesystem::path& file, const std::string& what) {
      logger->error("{}: not restored: {}", file.string(), what);
      emit(SessionEvent{SessionEvent::Kind::state_damaged, 0, file.string(), what});
    };
    auto data = read_torrent_file(entry.path().string(), MetainfoLimits{}.bencode.max_input);
    if (!data) {
      damaged(entry.path(), data.error());
      continue;
    }
    auto meta = parse_metainfo(std::string_view(*data));
    if (!meta) {
      damaged(entry.path(), meta.error().message);
      continue;
    }
    std::filesystem::path resume_file = entry.path();
    resume_file.replace_extension(".resume");
    auto r = read_resume_for(*meta, resume_file);
    if (!r) {
      damaged(resume_file, r.error());
      continue;
    }
    loaded.push_back(Saved{std::move(*meta), std::move(*data), std::move(*r)});
  }
  std::sort(loaded.begin(), loaded.end(),
            [](const Saved& a, const Saved& b) { return a.resume.added_at < b.resume.added_at; });
  for (Saved& saved : loaded) {
    AddTorrentParams params;
    params.save_path = saved.resume.save_path;
    params.paused = saved.resume.paused;
    params.download_limit = saved.resume.download_limit;
    params.upload_limit = saved.resume.upload_limit;
    params.file_priorities = saved.resume.file_priorities;
    const std::string name = saved.meta.name;
    if (auto added = add(std::move(saved.meta), std::move(saved.data), params, std::move(saved.resume)); !added) {
      logger->error("{}: not restored: {}", name, added.error());
    }
  }
  restore_magnets();
}

// Magnet links whose metadata had not come in: they go on fetching. One whose .torrent was
// written already (a crash right after the metadata came) is restored from that instead.
void Session::Impl::restore_magnets() {
  const std::filesystem::path dir = std::filesystem::path(settings.state_dir) / "torrents";
  auto logger = log::get("session");
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".magnet") continue;
    std::filesystem::path torrent_file = entry.path();
    torrent_file.replace_extension(".torrent");
    if (std::filesystem::exists(torrent_file, ec)) continue;
    const auto damaged = [&](const std::string& what) {
      logger->error("{}: not restored: {}", entry.path().string(), what);
      emit(SessionEvent{SessionEvent::Kind::state_damaged, 0, entry.path().string(), what});
    };
    auto bytes = read_torrent_file(entry.path().string(), 256 * 1024);
    if (!bytes) {
      damaged(bytes.error());
      continue;
    }
    auto record = decode_magnet_record(*bytes);
    if (!record) {
      damaged(record.error());
      continue;
    }
    auto link = magnet::parse_magnet_uri(record->uri);
    if (!link) {
      damaged(link.error().message);
      continue;
    }
    AddTorrentParams params;
    params.save_path = record->save_path;
    params.paused = record->paused;
    params.pause_after_metadata = record->pause_after_metadata;
    if (auto added = add_magnet(std::move(*link), params); !added) {
      logger->error("{}: not restored: {}", entry.path().string(), added.error());
    }
  }
}

}  // namespace tessera
