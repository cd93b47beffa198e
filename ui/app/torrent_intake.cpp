#include "app/torrent_intake.hpp"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMimeData>
#include <QTimer>
#include <QUrl>
#include <QWidget>

#include <algorithm>

#include "app/command_line.hpp"
#include "app/torrent_adder.hpp"

namespace tessera::gui {
namespace {

bool isWebAddress(const QUrl& url) {
  return url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https");
}

// A link dragged from a browser may be a .torrent's address: it is fetched, and refused if it is not one.
bool isTorrentSource(const QUrl& url) {
  return url.isLocalFile() || url.scheme() == QLatin1String("magnet") || isWebAddress(url);
}

}  // namespace

TorrentIntake::TorrentIntake(TorrentAdder& adder, QWidget& dropTarget, QObject* parent)
    : QObject(parent), dropTarget_(dropTarget), adder_(adder) {
  dropTarget_.setAcceptDrops(true);
  dropTarget_.installEventFilter(this);
}

void TorrentIntake::addLaunchTorrents(const LaunchOptions& options) {
  if (!options.torrents.isEmpty()) adder_.addFiles(options.torrents);
  adder_.addMagnets(options.magnets);
}

void TorrentIntake::handleArguments(const QStringList& arguments) {
  const ParsedCommandLine parsed = parseCommandLine(QStringList{QStringLiteral("tessera")} + arguments);
  if (!parsed.ok) {
    emit errorOccurred(parsed.message);
    return;
  }
  emit frontRequested();
  addLaunchTorrents(parsed.options);
  if (parsed.options.demo) emit demoRequested();
}

bool TorrentIntake::eventFilter(QObject* watched, QEvent* event) {
  if (watched != &dropTarget_) return QObject::eventFilter(watched, event);
  if (event->type() == QEvent::DragEnter) {
    auto* enter = static_cast<QDragEnterEvent*>(event);
    const QMimeData* mime = enter->mimeData();
    if (mime->hasUrls() && std::ranges::any_of(mime->urls(), isTorrentSource)) enter->acceptProposedAction();
    return true;
  }
  if (event->type() == QEvent::Drop) {
    auto* drop = static_cast<QDropEvent*>(event);
    QStringList files, magnets;
    QList<QUrl> web;
    for (const QUrl& url : drop->mimeData()->urls()) {
      if (url.isLocalFile()) {
        files << url.toLocalFile();
      } else if (url.scheme() == QLatin1String("magnet")) {
        magnets << url.toString(QUrl::FullyEncoded);
      } else if (isWebAddress(url)) {
        web << url;
      }
    }
    if (files.isEmpty() && magnets.isEmpty() && web.isEmpty()) return true;
    drop->acceptProposedAction();
    // Not from inside the drop handler: the dragging application waits until it returns.
    QTimer::singleShot(0, this, [this, files, magnets, web] {
      adder_.addFiles(files);
      adder_.addMagnets(magnets);
      adder_.addUrls(web);
    });
    return true;
  }
  return QObject::eventFilter(watched, event);
}

}  // namespace tessera::gui
