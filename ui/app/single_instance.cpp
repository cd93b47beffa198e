#include "app/single_instance.hpp"

#include <QCryptographicHash>
#include <QDataStream>
#include <QDir>
#include <QLocalServer>
#include <QLocalSocket>

namespace tessera::gui {
namespace {

constexpr quint32 kMagic = 0x7e55e7a1;  // "tessera", a version of the message format

}  // namespace

QString instanceServerName(const QString& stateDir) {
  // Socket names live in a shared folder (/tmp): the hash keeps users and profiles apart.
  const QByteArray key = (QDir::homePath() + QLatin1Char('\n') + stateDir).toUtf8();
  const QByteArray hash = QCryptographicHash::hash(key, QCryptographicHash::Sha1).toHex().left(16);
  return QStringLiteral("tessera-") + QString::fromLatin1(hash);
}

bool forwardToRunningInstance(const QString& serverName, const QStringList& arguments, int timeoutMs) {
  QLocalSocket socket;
  socket.connectToServer(serverName);
  if (!socket.waitForConnected(timeoutMs)) return false;
  QByteArray message;
  {
    QDataStream out(&message, QIODevice::WriteOnly);
    out << kMagic << arguments;
  }
  QByteArray framed;
  {
    QDataStream out(&framed, QIODevice::WriteOnly);
    out << message;
  }
  socket.write(framed);
  if (!socket.waitForBytesWritten(timeoutMs)) return false;
  // The running instance acknowledges once it has taken the arguments.
  if (!socket.waitForReadyRead(timeoutMs)) return false;
  return socket.read(1) == "1";
}

InstanceServer::InstanceServer(QObject* parent) : QObject(parent), server_(new QLocalServer(this)) {
  server_->setSocketOptions(QLocalServer::UserAccessOption);
  connect(server_, &QLocalServer::newConnection, this, [this] {
    while (QLocalSocket* socket = server_->nextPendingConnection()) {
      connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
      connect(socket, &QLocalSocket::readyRead, this, [this, socket] {
        QDataStream in(socket);
        in.startTransaction();
        QByteArray message;
        in >> message;
        if (!in.commitTransaction()) return;  // more to come
        QDataStream body(message);
        quint32 magic = 0;
        QStringList arguments;
        body >> magic >> arguments;
        if (magic != kMagic || body.status() != QDataStream::Ok) {
          socket->abort();
          return;
        }
        socket->write("1");
        socket->flush();
        emit argumentsReceived(arguments);
      });
    }
  });
}

bool InstanceServer::listen(const QString& serverName) {
  if (server_->listen(serverName)) return true;
  if (server_->serverError() == QAbstractSocket::AddressInUseError) {
    // Nobody answered on it (or we would not be here): a stale socket file.
    QLocalServer::removeServer(serverName);
    return server_->listen(serverName);
  }
  return false;
}

}  // namespace tessera::gui
