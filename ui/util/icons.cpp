#include "util/icons.hpp"

#include <QHash>

// Q_INIT_RESOURCE must be used outside any namespace.
static void initTesseraResources() { Q_INIT_RESOURCE(tessera); }

namespace tessera::gui {

void initResources() { initTesseraResources(); }

QIcon appIcon() { return themedIcon(QStringLiteral("tessera"), QStringLiteral("tessera")); }

QIcon ownIcon(const QString& resource) { return QIcon(QStringLiteral(":/icons/%1.svg").arg(resource)); }

QIcon themedIcon(const QString& themeName, const QString& resource) {
  return QIcon::fromTheme(themeName, ownIcon(resource));
}

const QIcon& stateIcon(TorrentState state, bool complete) {
  static QHash<int, QIcon> cache;
  const int key = static_cast<int>(state) * 2 + (complete ? 1 : 0);
  auto it = cache.find(key);
  if (it != cache.end()) return *it;
  QString name;
  switch (state) {
    case TorrentState::checking: name = QStringLiteral("state-checking"); break;
    case TorrentState::fetching_metadata: name = QStringLiteral("state-downloading"); break;
    case TorrentState::downloading: name = QStringLiteral("state-downloading"); break;
    case TorrentState::seeding: name = QStringLiteral("state-seeding"); break;
    case TorrentState::paused: name = complete ? QStringLiteral("state-completed") : QStringLiteral("state-paused"); break;
    case TorrentState::error: name = QStringLiteral("state-error"); break;
  }
  return *cache.insert(key, ownIcon(name));
}

}  // namespace tessera::gui
