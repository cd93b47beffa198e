#include "app/command_line.hpp"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QUrl>

namespace tessera::gui {

QStringList LaunchOptions::forwardedArguments() const {
  QStringList args;
  if (demo) args << QStringLiteral("--demo");
  args << torrents << magnets;
  return args;
}

ParsedCommandLine parseCommandLine(const QStringList& arguments) {
  ParsedCommandLine result;
  QCommandLineParser parser;
  parser.setApplicationDescription(QObject::tr("Tessera, a BitTorrent client."));
  const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")}, QObject::tr("Show this help."));
  const QCommandLineOption version(QStringLiteral("version"), QObject::tr("Show the version."));
  const QCommandLineOption stateDir(QStringLiteral("state-dir"),
                                    QObject::tr("Keep torrents, resume data and settings in DIR."), QStringLiteral("DIR"));
  const QCommandLineOption demo(QStringLiteral("demo"),
                                QObject::tr("Start a demo swarm on 127.0.0.x and download from it."));
  const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                      QObject::tr("Start the demo, and once peers are trading save the window "
                                                  "to FILE (its tabs and Preferences to FILE-*.png), then quit."),
                                      QStringLiteral("FILE"));
  parser.addOptions({help, version, stateDir, demo, screenshot});
  parser.addPositionalArgument(QStringLiteral("torrents"), QObject::tr(".torrent files or magnet links to add."),
                               QStringLiteral("[FILE.torrent | magnet:?...]..."));
  if (!parser.parse(arguments)) {
    result.ok = false;
    result.message = parser.errorText();
    return result;
  }
  if (parser.isSet(help)) {
    result.help = true;
    result.message = parser.helpText();
    return result;
  }
  result.version = parser.isSet(version);
  LaunchOptions& o = result.options;
  if (parser.isSet(stateDir)) {
    const QString dir = parser.value(stateDir);
    if (dir.isEmpty()) {
      result.ok = false;
      result.message = QObject::tr("--state-dir needs a folder");
      return result;
    }
    o.stateDir = QDir::cleanPath(QFileInfo(dir).absoluteFilePath());
  }
  o.demo = parser.isSet(demo);
  if (parser.isSet(screenshot)) o.screenshot = QFileInfo(parser.value(screenshot)).absoluteFilePath();
  for (const QString& arg : parser.positionalArguments()) {
    if (arg.startsWith(QLatin1String("magnet:"), Qt::CaseInsensitive)) {
      o.magnets << arg;
    } else if (arg.startsWith(QLatin1String("file:"), Qt::CaseInsensitive)) {
      // Desktop launchers may pass file:// URLs (%U in the .desktop file).
      o.torrents << QUrl(arg).toLocalFile();
    } else {
      o.torrents << QFileInfo(arg).absoluteFilePath();
    }
  }
  return result;
}

}  // namespace tessera::gui
