// tessera: the desktop application. Parses the command line, hands the arguments to an instance
// already running for this user and state folder if there is one, else starts the app.
#include <QApplication>

#include <cstdio>

#include <tessera/version.hpp>

#include "app/app_controller.hpp"
#include "app/command_line.hpp"
#include "app/quit_signals.hpp"
#include "app/single_instance.hpp"

int main(int argc, char** argv) {
  using namespace tessera::gui;
  // Parsed before the application exists: --help, --version and mistakes need no display.
  QStringList arguments;
  for (int i = 0; i < argc; ++i) arguments << QString::fromLocal8Bit(argv[i]);
  const ParsedCommandLine parsed = parseCommandLine(arguments);
  if (!parsed.ok) {
    std::fprintf(stderr, "tessera: %s\n", qPrintable(parsed.message));
    return 2;
  }
  if (parsed.help) {
    std::fprintf(stdout, "%s", qPrintable(parsed.message));
    return 0;
  }
  if (parsed.version) {
    std::fprintf(stdout, "tessera %s\n", tessera::kVersion);
    return 0;
  }

  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("tessera"));
  QApplication::setApplicationDisplayName(QStringLiteral("Tessera"));
  QApplication::setApplicationVersion(QString::fromLatin1(tessera::kVersion));
  QApplication::setDesktopFileName(QStringLiteral("tessera"));

  const QString stateDir =
      parsed.options.stateDir.isEmpty() ? AppController::defaultStateDir() : parsed.options.stateDir;
  const QString serverName = instanceServerName(stateDir);
  // A screenshot run is a one-off: it neither joins nor hands over to a running instance.
  const bool screenshot = !parsed.options.screenshot.isEmpty();
  if (!screenshot && forwardToRunningInstance(serverName, parsed.options.forwardedArguments())) return 0;

  AppController controller(parsed.options);
  if (!controller.start()) return 1;
  quitOnTerminationSignals(&controller);
  InstanceServer server;
  if (!screenshot && server.listen(serverName)) controller.listenForOtherInstances(&server);
  return QApplication::exec();
}
