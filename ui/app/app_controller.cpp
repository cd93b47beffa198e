#include "app/app_controller.hpp"

#include <QApplication>
#include <QDir>
#include <QMessageBox>
#include <QStandardPaths>

#include "app/demo_controller.hpp"
#include "app/log_setup.hpp"
#include "app/main_window.hpp"
#include "app/preferences.hpp"
#include "app/screenshot_driver.hpp"
#include "app/single_instance.hpp"
#include "app/torrent_intake.hpp"
#include "session/engine_session_client.hpp"
#include "session/session_bridge.hpp"
#include "util/icons.hpp"

namespace tessera::gui {

AppController::AppController(LaunchOptions options, AppOverrides overrides, QObject* parent)
    : QObject(parent), options_(std::move(options)), overrides_(std::move(overrides)) {}

AppController::~AppController() {
  screenshot_.reset();
  // The demo peers go first: our session's peers would otherwise be cut off one by one.
  demo_.reset();
  if (window_) window_->saveWindowState();
  window_.reset();
  bridge_.reset();
  if (session_) session_->shutdown(std::chrono::milliseconds(2000));
  session_.reset();
}

QString AppController::defaultStateDir() {
  return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

SessionClient* AppController::session() const { return session_.get(); }

bool AppController::start() {
  initResources();
  QApplication::setWindowIcon(appIcon());
  // The main window quits the app itself: closing it may only hide it to the tray, and closing a
  // dialog while it is hidden must not end everything.
  QApplication::setQuitOnLastWindowClosed(false);
  stateDir_ = options_.stateDir.isEmpty() ? defaultStateDir() : options_.stateDir;
  QDir().mkpath(stateDir_);
  // With --state-dir the settings live there too: the folder is a whole profile.
  const QString settingsFile =
      options_.stateDir.isEmpty()
          ? QDir(QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation)).filePath(QStringLiteral("tessera.conf"))
          : QDir(stateDir_).filePath(QStringLiteral("tessera.conf"));
  settings_ = std::make_unique<QSettings>(settingsFile, QSettings::IniFormat);
  const Preferences prefs = loadPreferences(*settings_);
  const QString logError = setUpLogging(prefs.logLevel, prefs.logFile);

  SessionSettings base;
  base.state_dir = stateDir_.toStdString();
  SessionSettings settings = toSessionSettings(prefs, base);
  if (overrides_.session) overrides_.session(settings);
  auto session = Session::create(settings);
  QString portNote;
  if (!session && settings.listen_port != 0) {
    // Another program has the port: a random one still lets us connect out and be reached.
    const std::string first = session.error();
    settings.listen_port = 0;
    session = Session::create(settings);
    if (session) {
      portNote = tr("Port %1 is in use (%2); listening on port %3 for now.")
                     .arg(prefs.listenPort)
                     .arg(QString::fromStdString(first))
                     .arg((*session)->listen_port());
    }
  }
  if (!session) {
    error_ = tr("Tessera cannot start: %1").arg(QString::fromStdString(session.error()));
    QMessageBox::critical(nullptr, tr("Tessera"), error_);
    return false;
  }
  session_ = std::make_unique<EngineSessionClient>(std::move(*session));
  bridge_ = std::make_unique<SessionBridge>(*session_);
  bridge_->poll();
  window_ = std::make_unique<MainWindow>(*session_, *bridge_, *settings_, prefs, stateDir_);
  connect(window_.get(), &MainWindow::demoRequested, this, &AppController::startDemo);
  if (!options_.screenshot.isEmpty()) {
    // A fixed, tidy size for pictures, whatever the saved geometry says.
    window_->resize(1280, 800);
  }
  window_->show();
  if (!portNote.isEmpty()) window_->setListenPortNote(portNote);
  if (!logError.isEmpty()) window_->showError(logError);

  window_->intake().addLaunchTorrents(options_);
  if (!options_.screenshot.isEmpty()) screenshot_ = std::make_unique<ScreenshotDriver>(*window_, options_.screenshot);
  if (options_.demo || screenshot_) startDemo();
  if (screenshot_) screenshot_->start();
  return true;
}

void AppController::listenForOtherInstances(InstanceServer* server) {
  connect(server, &InstanceServer::argumentsReceived, this, [this](const QStringList& arguments) {
    if (window_) window_->intake().handleArguments(arguments);
  });
}

void AppController::startDemo() {
  if (!demo_) {
    DemoSwarmOptions options;
    if (overrides_.demo) overrides_.demo(options);
    const QString workDir =
        QDir(QStandardPaths::writableLocation(QStandardPaths::CacheLocation)).filePath(QStringLiteral("demo"));
    demo_ = std::make_unique<DemoController>(*session_, workDir, options);
    connect(bridge_.get(), &SessionBridge::snapshotChanged, demo_.get(), &DemoController::onSnapshot);
    connect(demo_.get(), &DemoController::message, window_.get(), &MainWindow::showMessage);
    connect(demo_.get(), &DemoController::failed, window_.get(), &MainWindow::showError);
    connect(demo_.get(), &DemoController::torrentAdded, window_.get(), &MainWindow::selectTorrent);
    if (screenshot_) screenshot_->watchDemo(demo_.get());
  }
  demo_->start();
}

}  // namespace tessera::gui
