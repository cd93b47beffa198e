// Puts the application together from the command line: preferences, logging, the engine session
// (with its state folder, so torrents come back on the next start), the main window, the demo
// swarm, the single-instance server and the screenshot mode.
#pragma once

#include <QObject>
#include <QSettings>

#include <functional>
#include <memory>

#include <tessera/demo_swarm.hpp>
#include <tessera/settings.hpp>

#include "app/command_line.hpp"

namespace tessera::gui {

class DemoController;
class EngineSessionClient;
class InstanceServer;
class MainWindow;
class ScreenshotDriver;
class SessionBridge;
class SessionClient;

// Tests put the session on loopback and shrink the demo; the app leaves these empty.
struct AppOverrides {
  std::function<void(SessionSettings&)> session;
  std::function<void(DemoSwarmOptions&)> demo;
};

class AppController : public QObject {
  Q_OBJECT

 public:
  explicit AppController(LaunchOptions options, AppOverrides overrides = {}, QObject* parent = nullptr);
  ~AppController() override;

  // Creates the session and shows the window. False when the session cannot start (the reason is
  // shown in a message box and returned by error()).
  bool start();
  QString error() const { return error_; }

  // Takes arguments handed over by a second launch (listening for them is main()'s business).
  void listenForOtherInstances(InstanceServer* server);
  void startDemo();

  MainWindow* window() const { return window_.get(); }
  SessionClient* session() const;
  SessionBridge* bridge() const { return bridge_.get(); }
  DemoController* demo() const { return demo_.get(); }
  QString stateDir() const { return stateDir_; }
  QString settingsPath() const { return settings_ ? settings_->fileName() : QString(); }

  // Where the state folder goes without --state-dir.
  static QString defaultStateDir();

 private:
  LaunchOptions options_;
  AppOverrides overrides_;
  QString stateDir_;
  QString error_;
  std::unique_ptr<QSettings> settings_;
  std::unique_ptr<EngineSessionClient> session_;
  std::unique_ptr<SessionBridge> bridge_;
  std::unique_ptr<MainWindow> window_;
  std::unique_ptr<DemoController> demo_;
  std::unique_ptr<ScreenshotDriver> screenshot_;
};

}  // namespace tessera::gui
