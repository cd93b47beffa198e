#include "app/screenshot_driver.hpp"

#include <QCoreApplication>
#include <QFileInfo>
#include <QDir>
#include <QPixmap>

#include <cstdio>

#include "app/demo_controller.hpp"
#include "app/main_window.hpp"
#include "models/peer_list_model.hpp"
#include "models/torrent_list_model.hpp"
#include "widgets/details_panel.hpp"

namespace tessera::gui {

ScreenshotDriver::ScreenshotDriver(MainWindow& window, QString path, int timeoutMs, QObject* parent)
    : QObject(parent), window_(window), path_(std::move(path)), timeoutMs_(timeoutMs) {
  poll_.setInterval(250);
  connect(&poll_, &QTimer::timeout, this, &ScreenshotDriver::poll);
  deadline_.setSingleShot(true);
  connect(&deadline_, &QTimer::timeout, this, [this] { capture(true); });
}

QString ScreenshotDriver::preferencesPath(const QString& path) { return siblingPath(path, QStringLiteral("preferences")); }

void ScreenshotDriver::watchDemo(DemoController* demo) {
  connect(demo, &DemoController::torrentAdded, this, [this](TorrentId id) {
    torrent_ = id;
    window_.details().setCurrentIndex(DetailsPanel::PeersTabIndex);
  });
  connect(demo, &DemoController::failed, this, [this](const QString& message) {
    std::fprintf(stderr, "screenshot: %s\n", qPrintable(message));
    capture(true);
  });
}

void ScreenshotDriver::start() {
  poll_.start();
  deadline_.start(timeoutMs_);
}

bool ScreenshotDriver::ready() const {
  if (!torrent_ || window_.details().torrent() != *torrent_) return false;
  if (window_.details().currentIndex() != DetailsPanel::PeersTabIndex) return false;
  const TorrentRow* row = window_.torrentModel().find(*torrent_);
  if (row == nullptr || row->state != TorrentState::downloading || row->downRate <= 0) return false;
  // Mid-download: far enough for a filled pieces bar, not so far that it is nearly over.
  if (row->progress < 0.12 || row->progress > 0.85) return false;
  return window_.details().peerModel().rowCount() >= 2;
}

void ScreenshotDriver::poll() {
  // Ready for a few polls in a row: the rates and choker reasons have settled.
  readyPolls_ = ready() ? readyPolls_ + 1 : 0;
  if (readyPolls_ >= 4) capture(false);
}

void ScreenshotDriver::capture(bool timedOut) {
  if (capturing_) return;
  capturing_ = true;
  poll_.stop();
  deadline_.stop();
  if (timedOut) std::fprintf(stderr, "screenshot: the demo did not reach mid-download in time\n");
  QDir().mkpath(QFileInfo(path_).absolutePath());
  bool ok = save(window_.grab(), path_);
  // The other tabs too, each after a moment to lay out and paint: FILE-general.png and so on.
  const QList<std::pair<int, QString>> tabs = {{DetailsPanel::GeneralTabIndex, QStringLiteral("general")},
                                               {DetailsPanel::FilesTabIndex, QStringLiteral("files")},
                                               {DetailsPanel::SpeedTabIndex, QStringLiteral("speed")}};
  int delay = 0;
  for (const auto& [tab, name] : tabs) {
    delay += 300;
    QTimer::singleShot(delay, this, [this, tab, name] {
      window_.details().setCurrentIndex(tab);
      QTimer::singleShot(150, this, [this, name] { save(window_.grab(), siblingPath(path_, name)); });
    });
  }
  delay += 600;
  QTimer::singleShot(delay, this, [this, timedOut, ok] {
    window_.details().setCurrentIndex(DetailsPanel::PeersTabIndex);
    PreferencesDialog* dialog = window_.showPreferences(PreferencesDialog::SpeedPage);
    // Let the dialog lay itself out and paint before it is grabbed.
    QTimer::singleShot(500, this, [this, dialog, timedOut, ok] {
      const bool saved = save(dialog->grab(), preferencesPath(path_));
      dialog->close();
      QCoreApplication::exit(timedOut || !saved || !ok ? 1 : 0);
    });
  });
}

bool ScreenshotDriver::save(const QPixmap& pixmap, const QString& path) {
  const bool saved = pixmap.save(path, "PNG");
  std::fprintf(stdout, "screenshot: %s %s\n", qPrintable(path), saved ? "saved" : "NOT saved");
  std::fflush(stdout);
  return saved;
}

QString ScreenshotDriver::siblingPath(const QString& path, const QString& suffix) {
  const QFileInfo info(path);
  return info.dir().filePath(info.completeBaseName() + QLatin1Char('-') + suffix + QStringLiteral(".png"));
}

}  // namespace tessera::gui
