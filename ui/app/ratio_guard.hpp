// "Stop seeding at ratio R": picks the seeding torrents that reached R, to be paused. A torrent the
// user resumes after that keeps seeding (the user overrides the rule for it).
#pragma once

#include <set>
#include <vector>

#include <tessera/status.hpp>

namespace tessera::gui {

class RatioGuard {
 public:
  // The torrents to pause now (each once).
  std::vector<TorrentId> check(const SessionSnapshot& snapshot, bool enabled, double limit);
  // A resume by the user: if we had stopped this torrent, leave it alone from now on.
  void resumedByUser(TorrentId id);

 private:
  std::set<TorrentId> stopped_;
  std::set<TorrentId> exempt_;
};

}  // namespace tessera::gui
