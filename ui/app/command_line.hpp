// tessera [--state-dir DIR] [--demo] [--screenshot FILE] [FILE.torrent | magnet:...]...
#pragma once

#include <QString>
#include <QStringList>

namespace tessera::gui {

struct LaunchOptions {
  QString stateDir;       // absolute; empty: the default (QStandardPaths::AppDataLocation)
  bool demo = false;
  QString screenshot;     // absolute PNG path; empty: none
  QStringList torrents;   // absolute paths
  QStringList magnets;

  // What a second launch hands to the running instance (paths already absolute).
  QStringList forwardedArguments() const;
};

struct ParsedCommandLine {
  LaunchOptions options;
  bool ok = true;
  bool help = false;
  bool version = false;
  QString message;  // the error, or the help text
};

// arguments[0] is the program. Relative paths are made absolute against the current folder.
ParsedCommandLine parseCommandLine(const QStringList& arguments);

}  // namespace tessera::gui
