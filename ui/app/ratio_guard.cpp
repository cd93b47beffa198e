#include "app/ratio_guard.hpp"

#include <algorithm>

#include "util/format.hpp"

namespace tessera::gui {

std::vector<TorrentId> RatioGuard::check(const SessionSnapshot& snapshot, bool enabled, double limit) {
  std::vector<TorrentId> pause;
  std::set<TorrentId> present;
  for (const TorrentStatus& s : snapshot.torrents) {
    present.insert(s.id);
    if (!enabled || s.state != TorrentState::seeding || exempt_.contains(s.id) || stopped_.contains(s.id)) continue;
    const double ratio = shareRatio(std::max(s.all_time_uploaded, s.uploaded),
                                    std::max(s.all_time_downloaded, s.downloaded), s.have_bytes);
    if (ratio >= limit) {
      stopped_.insert(s.id);
      pause.push_back(s.id);
    }
  }
  std::erase_if(stopped_, [&](TorrentId id) { return !present.contains(id); });
  std::erase_if(exempt_, [&](TorrentId id) { return !present.contains(id); });
  return pause;
}

void RatioGuard::resumedByUser(TorrentId id) {
  if (stopped_.erase(id) > 0) exempt_.insert(id);
}

}  // namespace tessera::gui
