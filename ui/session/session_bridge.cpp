#include "session/session_bridge.hpp"

#include <QCoreApplication>
#include <QPointer>

namespace tessera::gui {

SessionBridge::SessionBridge(SessionClient& client, QObject* parent) : QObject(parent), client_(client) {
  qRegisterMetaType<std::shared_ptr<const tessera::SessionSnapshot>>();
  qRegisterMetaType<tessera::SessionEvent>();
  QPointer<SessionBridge> self(this);
  client_.setNotify([self, pending = pending_] {
    // Network thread: one wake-up in flight at a time. The functor runs on the GUI thread (it is
    // queued to the application object, which outlives the bridge), where the QPointer is safe.
    if (pending->exchange(true)) return;
    QMetaObject::invokeMethod(
        QCoreApplication::instance(),
        [self, pending] {
          pending->store(false);
          if (self) self->poll();
        },
        Qt::QueuedConnection);
  });
}

SessionBridge::~SessionBridge() { client_.setNotify({}); }

void SessionBridge::poll() {
  auto snapshot = client_.snapshot();
  if (snapshot && snapshot != latest_) {
    latest_ = snapshot;
    emit snapshotChanged(latest_);
  }
  for (const SessionEvent& event : client_.takeEvents()) emit eventReceived(event);
}

}  // namespace tessera::gui
