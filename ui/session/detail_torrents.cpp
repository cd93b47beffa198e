#include "session/detail_torrents.hpp"

#include <vector>

#include "session/session_client.hpp"

namespace tessera::gui {

void DetailTorrents::setShown(TorrentId id) {
  shown_ = id;
  push();
}

void DetailTorrents::hold(TorrentId id) {
  if (held_.insert(id).second) push();
}

void DetailTorrents::release(TorrentId id) {
  if (held_.erase(id) > 0) push();
}

void DetailTorrents::push() {
  std::vector<TorrentId> ids(held_.begin(), held_.end());
  if (shown_ != 0 && !held_.contains(shown_)) ids.push_back(shown_);
  session_.setDetailTorrents(std::move(ids));
}

}  // namespace tessera::gui
