// Shared by the integration tests: a torrent built from random files, and engines on 127.0.0.x.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <thread>

#include "bencode/value.hpp"
#include "hash/sha1.hpp"
#include "tessera/session.hpp"

namespace tessera::testing_support {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct PayloadFile {
  std::string path;  // relative to the torrent's folder
  std::size_t size;
};

// Writes random files under dir/name and returns the bytes of a v1 torrent describing them
// (`is_private`: with BEP 27's private flag).
inline std::string make_torrent(const fs::path& dir, const std::string& name, const std::vector<PayloadFile>& files,
                         std::int64_t piece_length, std::uint64_t seed, bool is_private = false) {
  std::mt19937_64 rng(seed);
  std::string stream;
  bencode::Value::List list;
  for (const PayloadFile& f : files) {
    std::string data(f.size, '\0');
    for (char& c : data) c = static_cast<char>(rng());
    const fs::path p = dir / name / f.path;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary).write(data.data(), static_cast<std::streamsize>(data.size()));
    stream += data;
    bencode::Value::List parts;
    for (const auto& part : fs::path(f.path)) parts.emplace_back(part.string());
    list.push_back(bencode::Value::dict({{"length", static_cast<std::int64_t>(f.size)}, {"path", bencode::Value(parts)}}));
  }
  std::string pieces;
  for (std::size_t off = 0; off < stream.size(); off += static_cast<std::size_t>(piece_length)) {
    pieces += std::string(sha1(std::string_view(stream).substr(off, static_cast<std::size_t>(piece_length))).view());
  }
  bencode::Value info = bencode::Value::dict(
      {{"name", name}, {"files", bencode::Value(list)}, {"piece length", piece_length}, {"pieces", pieces}});
  if (is_private) info.as_dict()["private"] = std::int64_t{1};
  return bencode::encode(bencode::Value::dict({{"info", info}}));
}

inline std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

class SwarmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("tessera-swarm-" + std::to_string(::getpid()) + "-" +
                                          ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  // `discovery`: keep the settings' DHT and LSD switches; otherwise only the peers a test names
  // (no DHT, no multicast between parallel tests).
  std::unique_ptr<Session> start(const std::string& address, SessionSettings s = {}, bool discovery = false) {
    s.listen_address = address;
    s.listen_port = 0;
    s.use_trackers = false;
    if (!discovery) {
      s.enable_dht = false;
      s.enable_lsd = false;
    }
    s.random_seed = std::hash<std::string>{}(address);
    s.snapshot_interval = 100ms;
    auto session = Session::create(s);
    EXPECT_TRUE(session) << (session ? "" : session.error());
    return session ? std::move(*session) : nullptr;
  }

  static std::optional<TorrentStatus> status_of(Session& s, TorrentId id) {
    auto snap = s.snapshot();
    for (const auto& t : snap->torrents) {
      if (t.id == id) return t;
    }
    return std::nullopt;
  }

  static bool wait_for(const std::function<bool()>& pred, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred()) return true;
      std::this_thread::sleep_for(50ms);
    }
    return pred();
  }

  fs::path root_;
};

}  // namespace tessera::testing_support
