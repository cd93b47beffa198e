// The user's preferences: one plain struct, and one table mapping each member to its QSettings
// key (with the range an int may take). Loading, saving and the Preferences dialog's widgets all go
// through the table, so a new setting is one member and one table line.
#pragma once

#include <QSettings>
#include <QString>

#include <cstdint>
#include <span>
#include <variant>

#include <tessera/settings.hpp>

namespace tessera::gui {

struct Preferences {
  // Speed, KiB/s (0 = unlimited). The alternative caps replace the normal ones while enabled.
  int downloadLimitKiB = 0;
  int uploadLimitKiB = 0;
  int altDownloadLimitKiB = 500;
  int altUploadLimitKiB = 100;
  bool altLimitsEnabled = false;
  // Connection. The listen port applies at the next start.
  int listenPort = 6881;
  int maxConnections = 200;
  int maxPeersPerTorrent = 60;
  int uploadSlots = 4;
  // Finding peers without trackers; like the port, they apply at the next start.
  bool enableDht = true;
  bool enablePex = true;
  bool enableLsd = true;
  // Downloads.
  QString savePath;  // empty: the user's Downloads folder
  bool startOnAdd = true;
  bool showAddDialog = true;
  bool stopAtRatio = false;
  double ratioLimit = 2.0;
  // Behaviour.
  bool showTrayIcon = true;
  bool closeToTray = false;
  bool notifyOnFinish = true;
  // Advanced.
  QString logLevel = QStringLiteral("warn");  // spdlog level names: trace debug info warn error off
  QString logFile;                            // empty: log to stderr only

  bool operator==(const Preferences&) const = default;

  // The caps in force (bytes/s), depending on the alternative-caps toggle.
  std::int64_t downloadLimit() const;
  std::int64_t uploadLimit() const;
  QString effectiveSavePath() const;
};

using PreferenceMember =
    std::variant<int Preferences::*, bool Preferences::*, double Preferences::*, QString Preferences::*>;

struct PreferenceKey {
  const char* key;  // QSettings key
  PreferenceMember member;
  double min = 0;   // for numbers
  double max = 0;
};

std::span<const PreferenceKey> preferenceKeys();
const PreferenceKey* findPreference(const QString& key);

Preferences loadPreferences(QSettings& settings);
void savePreferences(const Preferences& prefs, QSettings& settings);

// The engine settings that follow from the preferences, on top of `base` (address, state folder...).
SessionSettings toSessionSettings(const Preferences& prefs, SessionSettings base);

}  // namespace tessera::gui
