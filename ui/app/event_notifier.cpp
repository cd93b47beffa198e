#include "app/event_notifier.hpp"

#include "app/tray_icon.hpp"

namespace tessera::gui {

EventNotifier::EventNotifier(TrayIcon& tray, std::function<bool()> notifyOnFinish, QObject* parent)
    : QObject(parent), tray_(tray), notifyOnFinish_(std::move(notifyOnFinish)) {}

void EventNotifier::onSnapshot(const SessionSnapshot& snapshot) {
  for (const TorrentStatus& t : snapshot.torrents) {
    if (t.state == TorrentState::downloading) seenDownloading_.insert(t.id);
  }
}

void EventNotifier::onEvent(const SessionEvent& event) {
  const QString name = QString::fromStdString(event.name);
  switch (event.kind) {
    case SessionEvent::Kind::finished:
      emit message(tr("Download finished: %1").arg(name));
      if (seenDownloading_.contains(event.id) && notifyOnFinish_()) tray_.notify(tr("Download finished"), name);
      break;
    case SessionEvent::Kind::error:
      emit message(tr("%1: %2").arg(name, QString::fromStdString(event.message)));
      break;
    case SessionEvent::Kind::checked:
      emit message(tr("%1: checked, %2").arg(name, QString::fromStdString(event.message)));
      break;
    case SessionEvent::Kind::removed:
      emit message(tr("Removed %1").arg(name));
      seenDownloading_.erase(event.id);
      break;
    case SessionEvent::Kind::state_damaged:
      emit error(tr("A saved torrent could not be restored.\n%1: %2\nThe file was left where it is.")
                     .arg(name, QString::fromStdString(event.message)));
      break;
    case SessionEvent::Kind::stopped_at_ratio:
      emit message(tr("%1 reached its share ratio and was stopped").arg(name));
      break;
    case SessionEvent::Kind::metadata_received:
      emit message(tr("Metadata received: %1").arg(name));
      break;
    case SessionEvent::Kind::added: break;
  }
}

}  // namespace tessera::gui
