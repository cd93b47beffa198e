// One Tessera per user and state folder: a second launch hands its arguments (torrents, --demo) to
// the running one over a local socket, and exits.
#pragma once

#include <QObject>
#include <QStringList>

class QLocalServer;

namespace tessera::gui {

// Per user and per state folder, so separate profiles (--state-dir) run side by side.
QString instanceServerName(const QString& stateDir);

// True when a running instance took the arguments (it acknowledges within `timeoutMs`).
bool forwardToRunningInstance(const QString& serverName, const QStringList& arguments, int timeoutMs = 3000);

class InstanceServer : public QObject {
  Q_OBJECT

 public:
  explicit InstanceServer(QObject* parent = nullptr);
  // Listens under `serverName`, clearing a socket a crashed instance left behind.
  bool listen(const QString& serverName);

 signals:
  void argumentsReceived(const QStringList& arguments);

 private:
  QLocalServer* server_;
};

}  // namespace tessera::gui
