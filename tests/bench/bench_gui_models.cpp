// bench_gui_models: how long the GUI thread spends per snapshot with 500 torrents and a torrent with
// 200 peers. Scripted snapshots (rates and progress moving, torrents and peers coming and going)
// go through the torrent model and its sorting/filtering proxy, and the peer model and its sorting
// proxy, each shown in a view. Reports the model update (including the proxies' re-sorting) and the
// views' repaint per tick: median, 95th percentile and maximum over the ticks.
//
//   bench_gui_models [--ticks N] [--torrents N] [--peers N]
#include <QApplication>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QSortFilterProxyModel>
#include <QTreeView>

#include <algorithm>
#include <cstdio>
#include <random>
#include <vector>

#include "models/peer_list_model.hpp"
#include "models/torrent_filter_proxy.hpp"
#include "models/torrent_list_model.hpp"

using namespace tessera;
using namespace tessera::gui;

namespace {

struct Stats {
  double median, p95, max;
};

Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))]; };
  return {at(0.5), at(0.95), v.back()};
}

int argument(int argc, char** argv, const char* name, int fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == name) return std::stoi(argv[i + 1]);
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  const int ticks = argument(argc, argv, "--ticks", 200);
  const int torrentCount = argument(argc, argv, "--torrents", 500);
  const int peerCount = argument(argc, argv, "--peers", 200);

  // The script, made up front so only the GUI's work is timed.
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<SessionSnapshot> script;
  std::vector<TorrentStatus> torrents;
  TorrentId nextId = 1;
  auto newTorrent = [&] {
    TorrentStatus t;
    t.id = nextId++;
    t.name = "Torrent number " + std::to_string(t.id) + " with a reasonably long name.mkv";
    t.info_hash = std::string(40, 'a');
    t.save_path = "/home/user/Downloads";
    t.state = unit(rng) < 0.6 ? TorrentState::downloading : TorrentState::seeding;
    t.total_size = t.wanted_size = static_cast<std::int64_t>(unit(rng) * 4e9) + (1 << 20);
    t.progress = t.state == TorrentState::seeding ? 1.0 : unit(rng);
    t.piece_count = 2000;
    t.piece_length = 1 << 21;
    return t;
  };
  for (int i = 0; i < torrentCount; ++i) torrents.push_back(newTorrent());
  std::vector<PeerInfo> peers;
  int nextPeer = 1;
  auto newPeer = [&] {
    PeerInfo p;
    p.address = "10." + std::to_string(nextPeer / 65536 % 256) + "." + std::to_string(nextPeer / 256 % 256) + "." +
                std::to_string(nextPeer % 256) + ":6881";
    p.client = "qBittorrent 4.5.2";
    ++nextPeer;
    return p;
  };
  for (int i = 0; i < peerCount; ++i) peers.push_back(newPeer());
  for (int tick = 0; tick < ticks; ++tick) {
    for (TorrentStatus& t : torrents) {
      // Most torrents' rates move every tick; progress creeps.
      if (unit(rng) < 0.7) t.down_rate = t.state == TorrentState::downloading ? static_cast<std::int64_t>(unit(rng) * 5e6) : 0;
      if (unit(rng) < 0.7) t.up_rate = static_cast<std::int64_t>(unit(rng) * 1e6);
      if (t.state == TorrentState::downloading) {
        t.progress = std::min(1.0, t.progress + unit(rng) * 0.002);
        t.eta_s = static_cast<std::int64_t>(unit(rng) * 10000);
      }
      t.peers_connected = static_cast<int>(unit(rng) * 50);
    }
    if (tick % 20 == 19) {
      torrents.erase(torrents.begin() + static_cast<long>(unit(rng) * static_cast<double>(torrents.size() - 1)));
      torrents.erase(torrents.begin() + static_cast<long>(unit(rng) * static_cast<double>(torrents.size() - 1)));
      torrents.push_back(newTorrent());
      torrents.push_back(newTorrent());
    }
    for (PeerInfo& p : peers) {
      p.down_rate = static_cast<std::int64_t>(unit(rng) * 3e5);
      p.up_rate = static_cast<std::int64_t>(unit(rng) * 1e5);
      p.downloaded += p.down_rate / 2;
      p.uploaded += p.up_rate / 2;
      p.progress = std::min(1.0, p.progress + unit(rng) * 0.01);
    }
    if (tick % 10 == 9) {
      for (int k = 0; k < 5; ++k) peers.erase(peers.begin() + static_cast<long>(unit(rng) * static_cast<double>(peers.size() - 1)));
      for (int k = 0; k < 5; ++k) peers.push_back(newPeer());
    }
    SessionSnapshot s;
    s.torrents = torrents;
    s.torrents.front().peers = peers;  // the shown torrent
    script.push_back(std::move(s));
  }

  TorrentListModel torrentModel;
  TorrentFilterProxy torrentProxy;
  torrentProxy.setSourceModel(&torrentModel);
  QTreeView torrentView;
  torrentView.setModel(&torrentProxy);
  torrentView.setRootIsDecorated(false);
  torrentView.setUniformRowHeights(true);
  torrentView.setSortingEnabled(true);
  torrentView.sortByColumn(TorrentListModel::DownRateColumn, Qt::DescendingOrder);
  torrentView.resize(1280, 500);
  torrentView.show();

  PeerListModel peerModel;
  QSortFilterProxyModel peerProxy;
  peerProxy.setSourceModel(&peerModel);
  peerProxy.setSortRole(PeerListModel::SortRole);
  peerProxy.setDynamicSortFilter(true);
  QTreeView peerView;
  peerView.setModel(&peerProxy);
  peerView.setRootIsDecorated(false);
  peerView.setUniformRowHeights(true);
  peerView.setSortingEnabled(true);
  peerView.sortByColumn(PeerListModel::DownRateColumn, Qt::DescendingOrder);
  peerView.resize(1280, 400);
  peerView.show();
  QApplication::processEvents();

  std::vector<double> modelMs, paintMs, totalMs;
  QElapsedTimer timer;
  for (const SessionSnapshot& s : script) {
    timer.start();
    torrentModel.applySnapshot(s);
    peerModel.setPeers(s.torrents.front().id, s.torrents.front().peers);
    const double model = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    torrentView.viewport()->repaint();
    peerView.viewport()->repaint();
    QApplication::processEvents();
    const double total = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    modelMs.push_back(model);
    paintMs.push_back(total - model);
    totalMs.push_back(total);
  }
  const Stats m = stats(modelMs), p = stats(paintMs), t = stats(totalMs);
  std::printf("bench_gui_models: %d ticks, %d torrents (sorted by download rate), %d peers (sorted by download rate)\n",
              ticks, torrentCount, peerCount);
  std::printf("  models + proxies : median %.2f ms  p95 %.2f ms  max %.2f ms\n", m.median, m.p95, m.max);
  std::printf("  views repaint    : median %.2f ms  p95 %.2f ms  max %.2f ms\n", p.median, p.p95, p.max);
  std::printf("  whole tick       : median %.2f ms  p95 %.2f ms  max %.2f ms\n", t.median, t.p95, t.max);
  return 0;
}
