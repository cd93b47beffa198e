#include "app/preferences.hpp"

#include <QDir>
#include <QStandardPaths>

#include <algorithm>
#include <array>
#include <cmath>

namespace tessera::gui {
namespace {

using P = Preferences;

// One line per setting: key, member, and the range numbers may take.
const std::array kKeys = {
    PreferenceKey{"speed/download_limit_kib", &P::downloadLimitKiB, 0, 10'000'000},
    PreferenceKey{"speed/upload_limit_kib", &P::uploadLimitKiB, 0, 10'000'000},
    PreferenceKey{"speed/alt_download_limit_kib", &P::altDownloadLimitKiB, 0, 10'000'000},
    PreferenceKey{"speed/alt_upload_limit_kib", &P::altUploadLimitKiB, 0, 10'000'000},
    PreferenceKey{"speed/alt_enabled", &P::altLimitsEnabled},
    PreferenceKey{"connection/listen_port", &P::listenPort, 0, 65535},
    PreferenceKey{"connection/max_connections", &P::maxConnections, 1, 5000},
    PreferenceKey{"connection/max_peers_per_torrent", &P::maxPeersPerTorrent, 1, 1000},
    PreferenceKey{"connection/upload_slots", &P::uploadSlots, 1, 100},
    PreferenceKey{"connection/dht", &P::enableDht},
    PreferenceKey{"connection/pex", &P::enablePex},
    PreferenceKey{"connection/lsd", &P::enableLsd},
    PreferenceKey{"downloads/save_path", &P::savePath},
    PreferenceKey{"downloads/start_on_add", &P::startOnAdd},
    PreferenceKey{"downloads/show_add_dialog", &P::showAddDialog},
    PreferenceKey{"downloads/stop_at_ratio", &P::stopAtRatio},
    PreferenceKey{"downloads/ratio_limit", &P::ratioLimit, 0.1, 100},
    PreferenceKey{"behaviour/tray_icon", &P::showTrayIcon},
    PreferenceKey{"behaviour/close_to_tray", &P::closeToTray},
    PreferenceKey{"behaviour/notify_finished", &P::notifyOnFinish},
    PreferenceKey{"advanced/log_level", &P::logLevel},
    PreferenceKey{"advanced/log_file", &P::logFile},
};

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

std::int64_t kib(int value) { return std::int64_t{std::max(0, value)} * 1024; }

}  // namespace

std::span<const PreferenceKey> preferenceKeys() { return kKeys; }

const PreferenceKey* findPreference(const QString& key) {
  for (const PreferenceKey& k : kKeys) {
    if (key == QLatin1String(k.key)) return &k;
  }
  return nullptr;
}

std::int64_t Preferences::downloadLimit() const { return kib(altLimitsEnabled ? altDownloadLimitKiB : downloadLimitKiB); }
std::int64_t Preferences::uploadLimit() const { return kib(altLimitsEnabled ? altUploadLimitKiB : uploadLimitKiB); }

QString Preferences::effectiveSavePath() const {
  if (!savePath.isEmpty()) return savePath;
  const QString downloads = QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
  return downloads.isEmpty() ? QDir::homePath() : downloads;
}

Preferences loadPreferences(QSettings& settings) {
  Preferences prefs;
  const Preferences defaults;
  for (const PreferenceKey& k : kKeys) {
    const QString key = QLatin1String(k.key);
    std::visit(Overloaded{
                   [&](int P::*m) {
                     bool ok = false;
                     const int v = settings.value(key, defaults.*m).toInt(&ok);
                     prefs.*m = ok ? std::clamp(v, static_cast<int>(k.min), static_cast<int>(k.max)) : defaults.*m;
                   },
                   [&](bool P::*m) { prefs.*m = settings.value(key, defaults.*m).toBool(); },
                   [&](double P::*m) {
                     bool ok = false;
                     const double v = settings.value(key, defaults.*m).toDouble(&ok);
                     prefs.*m = ok && std::isfinite(v) ? std::clamp(v, k.min, k.max) : defaults.*m;
                   },
                   [&](QString P::*m) { prefs.*m = settings.value(key, defaults.*m).toString(); },
               },
               k.member);
  }
  return prefs;
}

void savePreferences(const Preferences& prefs, QSettings& settings) {
  for (const PreferenceKey& k : kKeys) {
    std::visit([&](auto m) { settings.setValue(QLatin1String(k.key), prefs.*m); }, k.member);
  }
  settings.sync();
}

SessionSettings toSessionSettings(const Preferences& prefs, SessionSettings base) {
  base.listen_port = static_cast<std::uint16_t>(std::clamp(prefs.listenPort, 0, 65535));
  base.download_limit = prefs.downloadLimit();
  base.upload_limit = prefs.uploadLimit();
  // The hard limits leave a quarter of headroom above the soft ones, as the engine's defaults do.
  base.max_connections = prefs.maxConnections;
  base.max_connections_hard = prefs.maxConnections + std::max(1, prefs.maxConnections / 4);
  base.max_peers_per_torrent = prefs.maxPeersPerTorrent;
  base.max_peers_per_torrent_hard = prefs.maxPeersPerTorrent + std::max(1, prefs.maxPeersPerTorrent / 3);
  base.upload_slots = prefs.uploadSlots;
  base.enable_dht = prefs.enableDht;
  base.enable_pex = prefs.enablePex;
  base.enable_lsd = prefs.enableLsd;
  // The engine stops seeding torrents at the ratio (0: never); the box only switches the rule.
  base.stop_at_ratio = prefs.stopAtRatio ? prefs.ratioLimit : 0.0;
  return base;
}

}  // namespace tessera::gui
