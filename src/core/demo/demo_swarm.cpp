// The demo swarm (tessera/demo_swarm.hpp): sample payload, its torrent, and in-process peers.
#include "tessera/demo_swarm.hpp"

#include <boost/asio/ip/address_v4.hpp>

#include <fstream>
#include <random>
#include <system_error>

#include "tessera/session.hpp"
#include "tessera/torrent_info.hpp"

namespace tessera {

namespace fs = std::filesystem;

class DemoSwarm::Impl {
 public:
  fs::path torrent_path;
  std::string torrent_data;
  std::vector<std::unique_ptr<Session>> sessions;
  std::vector<std::string> peers;
};

namespace {

constexpr const char* kPayloadName = "Tessera demo";

// Deterministic bytes, so a payload left from an earlier run is reused as it is.
expected<void, std::string> write_file(const fs::path& path, std::int64_t size, std::uint64_t seed) {
  std::error_code ec;
  if (fs::exists(path, ec) && static_cast<std::int64_t>(fs::file_size(path, ec)) == size && !ec) return {};
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return unexpected("cannot write " + path.string());
  std::mt19937_64 rng(seed);
  std::vector<std::uint64_t> chunk(128 * 1024);
  for (std::int64_t left = size; left > 0;) {
    for (auto& w : chunk) w = rng();
    const auto n = std::min<std::int64_t>(left, static_cast<std::int64_t>(chunk.size() * sizeof(std::uint64_t)));
    out.write(reinterpret_cast<const char*>(chunk.data()), static_cast<std::streamsize>(n));
    left -= n;
  }
  if (!out.flush()) return unexpected("cannot write " + path.string() + " (disk full?)");
  return {};
}

expected<void, std::string> make_payload(const fs::path& folder, std::int64_t size) {
  std::error_code ec;
  fs::create_directories(folder / "extras", ec);
  if (ec) return unexpected("cannot create " + folder.string() + ": " + ec.message());
  const std::string readme =
      "This folder was made by Tessera's demo mode: a few peers on this machine share it with each other.\n";
  {
    std::ofstream out(folder / "README.txt", std::ios::binary | std::ios::trunc);
    out << readme;
    if (!out) return unexpected("cannot write " + (folder / "README.txt").string());
  }
  const std::int64_t big = size * 6 / 10;
  const std::int64_t medium = size * 3 / 10;
  if (auto r = write_file(folder / "landscape.raw", big, 1); !r) return r;
  if (auto r = write_file(folder / "extras" / "soundtrack.raw", medium, 2); !r) return r;
  return write_file(folder / "extras" / "notes.raw", size - big - medium, 3);
}

}  // namespace

expected<std::unique_ptr<DemoSwarm>, std::string> DemoSwarm::start(const DemoSwarmOptions& options) {
  auto impl = std::make_unique<Impl>();
  std::error_code ec;
  const fs::path work = fs::absolute(options.work_dir, ec);
  const fs::path source_root = work / "source";
  if (auto r = make_payload(source_root / kPayloadName, std::max<std::int64_t>(options.payload_size, 1 << 20)); !r) {
    return unexpected(r.error());
  }
  CreateTorrentParams create;
  create.source = (source_root / kPayloadName).string();
  create.piece_length = 256 * 1024;
  create.comment = "Tessera demo swarm: peers on 127.0.0.x, made on this machine";
  auto data = create_torrent(create);
  if (!data) return unexpected(data.error());
  impl->torrent_data = std::move(*data);
  impl->torrent_path = work / "tessera-demo.torrent";
  {
    std::ofstream out(impl->torrent_path, std::ios::binary | std::ios::trunc);
    out << impl->torrent_data;
    if (!out) return unexpected("cannot write " + impl->torrent_path.string());
  }

  boost::system::error_code bec;
  const auto first = boost::asio::ip::make_address_v4(options.first_address, bec);
  if (bec) return unexpected("invalid demo address " + options.first_address);
  const int total = options.seeds + options.leechers;
  for (int i = 0; i < total; ++i) {
    const bool seed = i < options.seeds;
    SessionSettings s;
    s.enable_dht = false;
    s.enable_lsd = false;
    s.listen_address = boost::asio::ip::address_v4(first.to_uint() + static_cast<std::uint32_t>(i)).to_string();
    s.listen_port = 0;
    s.use_trackers = false;
    s.disk_threads = 1;
    s.upload_limit = seed ? options.seed_upload_limit : options.leecher_upload_limit;
    s.snapshot_interval = std::chrono::milliseconds(1000);
    auto session = Session::create(s);
    if (!session) return unexpected("demo peer: " + session.error());
    AddTorrentParams add;
    add.torrent_data = impl->torrent_data;
    if (seed) {
      add.save_path = source_root.string();
    } else {
      // Leechers start empty every time, so there is always something to watch.
      const fs::path folder = work / ("leecher-" + std::to_string(i - options.seeds + 1));
      fs::remove_all(folder, ec);
      fs::create_directories(folder, ec);
      add.save_path = folder.string();
      add.peers = impl->peers;
    }
    if (auto id = (*session)->add_torrent(add); !id) return unexpected("demo peer: " + id.error());
    impl->peers.push_back(s.listen_address + ":" + std::to_string((*session)->listen_port()));
    impl->sessions.push_back(std::move(*session));
  }
  return std::unique_ptr<DemoSwarm>(new DemoSwarm(std::move(impl)));
}

DemoSwarm::DemoSwarm(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DemoSwarm::~DemoSwarm() { stop(); }

const fs::path& DemoSwarm::torrent_path() const { return impl_->torrent_path; }
const std::string& DemoSwarm::torrent_data() const { return impl_->torrent_data; }
std::vector<std::string> DemoSwarm::peers() const { return impl_->peers; }

void DemoSwarm::stop() {
  for (auto& s : impl_->sessions) s->shutdown(std::chrono::milliseconds(200));
  impl_->sessions.clear();
}

}  // namespace tessera
