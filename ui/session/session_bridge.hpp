// Carries the engine's state onto the GUI thread. The engine's notify callback (network thread)
// only posts one coalesced wake-up; the GUI thread then reads the latest snapshot and the events.
// So however often the engine publishes, the GUI handles at most one update per turn of its loop.
#pragma once

#include <QObject>

#include <atomic>
#include <memory>

#include "session/session_client.hpp"

namespace tessera::gui {

class SessionBridge : public QObject {
  Q_OBJECT

 public:
  explicit SessionBridge(SessionClient& client, QObject* parent = nullptr);
  ~SessionBridge() override;

  SessionClient& client() const { return client_; }
  const std::shared_ptr<const SessionSnapshot>& latest() const { return latest_; }

 public slots:
  // Reads what the engine published since the last call (called by the wake-up; tests call it).
  void poll();

 signals:
  void snapshotChanged(const std::shared_ptr<const tessera::SessionSnapshot>& snapshot);
  void eventReceived(const tessera::SessionEvent& event);

 private:
  SessionClient& client_;
  std::shared_ptr<std::atomic<bool>> pending_ = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<const SessionSnapshot> latest_;
};

}  // namespace tessera::gui
