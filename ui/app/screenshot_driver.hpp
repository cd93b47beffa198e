// --screenshot FILE: waits until the demo torrent is mid-download with peers in its Peers tab,
// saves the main window to FILE (and its General, Files and Speed tabs to FILE-general.png, ...)
// and the Preferences dialog to FILE-preferences.png, then quits (exit status 1 if that moment did not come within the time limit).
#pragma once

#include <QObject>
#include <QString>
#include <QTimer>

class QPixmap;

#include <optional>

#include <tessera/status.hpp>

namespace tessera::gui {

class DemoController;
class MainWindow;

class ScreenshotDriver : public QObject {
  Q_OBJECT

 public:
  ScreenshotDriver(MainWindow& window, QString path, int timeoutMs = 90'000, QObject* parent = nullptr);

  void watchDemo(DemoController* demo);
  void start();
  static QString preferencesPath(const QString& path);
  // FILE.png -> FILE-suffix.png
  static QString siblingPath(const QString& path, const QString& suffix);

 private:
  bool ready() const;
  void poll();
  void capture(bool timedOut);
  static bool save(const QPixmap& pixmap, const QString& path);

  MainWindow& window_;
  QString path_;
  int timeoutMs_;
  QTimer poll_;
  QTimer deadline_;
  std::optional<TorrentId> torrent_;
  int readyPolls_ = 0;
  bool capturing_ = false;
};

}  // namespace tessera::gui
