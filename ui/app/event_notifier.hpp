// What the user is told of the engine's events: a line in the status bar for most, a message box
// for what needs attention (a saved torrent that could not be restored), and a tray balloon when
// a download this session watched finishes.
#pragma once

#include <QObject>

#include <functional>
#include <set>

#include <tessera/status.hpp>

namespace tessera::gui {

class TrayIcon;

class EventNotifier : public QObject {
  Q_OBJECT

 public:
  // `notifyOnFinish` reads the preference at the moment of each event.
  EventNotifier(TrayIcon& tray, std::function<bool()> notifyOnFinish, QObject* parent = nullptr);

  void onSnapshot(const SessionSnapshot& snapshot);
  void onEvent(const SessionEvent& event);

 signals:
  void message(const QString& text);
  void error(const QString& text);

 private:
  TrayIcon& tray_;
  std::function<bool()> notifyOnFinish_;
  // Finished torrents that were restored or added complete are not news.
  std::set<TorrentId> seenDownloading_;
};

}  // namespace tessera::gui
