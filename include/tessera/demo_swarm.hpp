// A small live swarm on loopback, so a newcomer with no internet sees Tessera work: a sample
// payload, a torrent for it, and a few in-process seeds and leechers on 127.0.0.x that trade
// with each other and with whoever adds the torrent with `peers()`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tessera/expected.hpp"

namespace tessera {

struct DemoSwarmOptions {
  std::filesystem::path work_dir;            // payload, torrent and the peers' folders go here
  int seeds = 2;
  int leechers = 3;
  std::int64_t payload_size = std::int64_t{48} << 20;
  std::int64_t seed_upload_limit = 768 * 1024;     // bytes/s per seed, so the transfer is watchable
  std::int64_t leecher_upload_limit = 384 * 1024;  // bytes/s per leecher
  std::string first_address = "127.0.0.2";   // peers take consecutive addresses from here
};

class DemoSwarm {
 public:
  static expected<std::unique_ptr<DemoSwarm>, std::string> start(const DemoSwarmOptions& options);
  ~DemoSwarm();
  DemoSwarm(const DemoSwarm&) = delete;
  DemoSwarm& operator=(const DemoSwarm&) = delete;

  const std::filesystem::path& torrent_path() const;
  const std::string& torrent_data() const;
  std::vector<std::string> peers() const;  // "127.0.0.x:port" of every demo peer
  void stop();

  class Impl;

 private:
  explicit DemoSwarm(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera
