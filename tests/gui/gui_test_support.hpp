// Shared by the GUI tests: a scripted fake session, snapshot builders, small torrents made on the
// spot, and a main() that keeps every test off the user's real folders.
#pragma once

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <tessera/session.hpp>
#include <tessera/torrent_info.hpp>

#include "app/app_controller.hpp"
#include "session/session_client.hpp"

namespace tessera::gui::test {

// Records every command; publishes whatever snapshot the test scripts.
class FakeSessionClient : public SessionClient {
 public:
  struct Call {
    std::string what;
    TorrentId id = 0;
    std::int64_t a = 0, b = 0;
  };

  expected<TorrentId, std::string> addTorrent(const AddTorrentParams& params) override {
    added.push_back(params);
    return nextId++;
  }
  void pause(TorrentId id) override { calls.push_back({"pause", id}); }
  void resume(TorrentId id) override { calls.push_back({"resume", id}); }
  void remove(TorrentId id, bool deleteFiles) override { calls.push_back({"remove", id, deleteFiles ? 1 : 0}); }
  void setRateLimits(std::int64_t d, std::int64_t u) override { calls.push_back({"rate_limits", 0, d, u}); }
  void setTorrentRateLimits(TorrentId id, std::int64_t d, std::int64_t u) override {
    calls.push_back({"torrent_rate_limits", id, d, u});
  }
  void setFilePriority(TorrentId id, std::uint32_t file, FilePriority p) override {
    calls.push_back({"file_priority", id, file, static_cast<std::int64_t>(p)});
  }
  // b: the limit in thousandths; -1 for "follow the session".
  void setTorrentRatioLimit(TorrentId id, std::optional<double> limit) override {
    calls.push_back({"ratio_limit", id, 0, limit ? static_cast<std::int64_t>(*limit * 1000.0 + 0.5) : -1});
  }
  void forceRecheck(TorrentId id) override { calls.push_back({"recheck", id}); }
  void setDetailTorrents(std::vector<TorrentId> ids) override { detail = std::move(ids); }
  void applySettings(const SessionSettings& s) override {
    applied.push_back(s);
    calls.push_back({"apply_settings", 0, s.download_limit, s.upload_limit});
  }
  std::shared_ptr<const SessionSnapshot> snapshot() const override { return current; }
  std::vector<SessionEvent> takeEvents() override { return std::exchange(events, {}); }
  void setNotify(std::function<void()> n) override { notify = std::move(n); }
  std::uint16_t listenPort() const override { return 6881; }

  void publish(SessionSnapshot s) {
    current = std::make_shared<const SessionSnapshot>(std::move(s));
    if (notify) notify();
  }
  std::size_t count(const std::string& what) const {
    std::size_t n = 0;
    for (const Call& c : calls) n += c.what == what ? 1U : 0U;
    return n;
  }

  std::vector<Call> calls;
  std::vector<AddTorrentParams> added;
  std::vector<SessionSettings> applied;
  std::vector<TorrentId> detail;
  std::vector<SessionEvent> events;
  std::shared_ptr<const SessionSnapshot> current;
  std::function<void()> notify;
  TorrentId nextId = 100;
};

inline TorrentStatus torrent(TorrentId id, const std::string& name, TorrentState state = TorrentState::downloading,
                             double progress = 0.5, std::int64_t down = 0, std::int64_t up = 0) {
  TorrentStatus t;
  t.id = id;
  t.name = name;
  t.info_hash = std::string(40, static_cast<char>('0' + id % 10));
  t.save_path = "/downloads";
  t.state = state;
  t.progress = progress;
  t.total_size = t.wanted_size = std::int64_t{100} << 20;
  t.have_bytes = static_cast<std::int64_t>(progress * static_cast<double>(t.total_size));
  t.down_rate = down;
  t.up_rate = up;
  t.piece_count = 400;
  t.piece_length = 256 * 1024;
  return t;
}

inline PeerInfo peer(const std::string& address, std::int64_t down = 0, std::int64_t up = 0) {
  PeerInfo p;
  p.address = address;
  p.client = "Tessera 0.1.0";
  p.down_rate = down;
  p.up_rate = up;
  p.progress = 0.25;
  return p;
}

// A folder with a few files and a .torrent for it (no trackers). Returns the .torrent's path.
inline QString makeTorrent(const QString& dir, const QString& name, std::int64_t bytes = 256 * 1024) {
  const QString source = QDir(dir).filePath(name);
  QDir().mkpath(source + QStringLiteral("/sub"));
  const std::vector<std::pair<QString, std::int64_t>> files = {
      {QStringLiteral("a.bin"), bytes}, {QStringLiteral("sub/b.bin"), bytes / 2}, {QStringLiteral("sub/c.txt"), 100}};
  int seed = 1;
  for (const auto& [file, size] : files) {
    std::ofstream out(QDir(source).filePath(file).toStdString(), std::ios::binary);
    std::string chunk(static_cast<std::size_t>(size), '\0');
    const auto salt = static_cast<std::size_t>(seed * 7 + static_cast<int>(name.size()));
    for (std::size_t i = 0; i < chunk.size(); ++i) chunk[i] = static_cast<char>((i * 31 + salt) & 0xffU);
    out << chunk;
    ++seed;
  }
  CreateTorrentParams params;
  params.source = source.toStdString();
  params.piece_length = 16 * 1024;
  auto data = create_torrent(params);
  if (!data) qFatal("create_torrent: %s", data.error().c_str());
  const QString path = QDir(dir).filePath(name + QStringLiteral(".torrent"));
  std::ofstream(path.toStdString(), std::ios::binary) << *data;
  return path;
}

// A real session for tests: loopback, any port, no trackers, quick snapshots.
inline AppOverrides loopbackOverrides() {
  AppOverrides o;
  o.session = [](SessionSettings& s) {
    s.listen_address = "127.0.0.1";
    s.listen_port = 0;
    s.use_trackers = false;
    s.enable_dht = false;
    s.enable_lsd = false;
    s.snapshot_interval = std::chrono::milliseconds(100);
  };
  return o;
}

// Writes preferences into a state folder's settings file before the app starts.
inline void writeSetting(const QString& stateDir, const QString& key, const QVariant& value) {
  QDir().mkpath(stateDir);
  QSettings settings(QDir(stateDir).filePath(QStringLiteral("tessera.conf")), QSettings::IniFormat);
  settings.setValue(key, value);
  settings.sync();
}

}  // namespace tessera::gui::test

// Like QTEST_MAIN, but offscreen by default and with every XDG folder in a temporary directory, so
// no test reads or writes the user's settings, state or cache.
#define TESSERA_GUI_TEST_MAIN(TestClass)                                                  \
  int main(int argc, char** argv) {                                                       \
    QTemporaryDir home;                                                                   \
    for (const char* var : {"XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"}) {     \
      qputenv(var, (home.path() + QLatin1Char('/') + QLatin1String(var)).toUtf8());       \
    }                                                                                     \
    qputenv("XDG_RUNTIME_DIR", home.path().toUtf8()); /* 0700, as Qt wants */         \
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen"); \
    QApplication app(argc, argv);                                                         \
    QApplication::setApplicationName(QStringLiteral("tessera-test"));                     \
    TestClass test;                                                                       \
    return QTest::qExec(&test, argc, argv);                                               \
  }
