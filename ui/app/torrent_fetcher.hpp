// Downloads a .torrent from an http(s) address (File ▸ Add Magnet or URL…). Bounded: the body is
// cut off past the size a .torrent may have, redirects are followed a few times and only to
// http(s) — or to a magnet link, which is handed on as one. Failures are one line naming the address.
#pragma once

#include <QByteArray>
#include <QObject>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace tessera::gui {

class TorrentFetcher : public QObject {
  Q_OBJECT

 public:
  explicit TorrentFetcher(QObject* parent = nullptr);

  void fetch(const QUrl& url);
  // How many fetches are under way.
  int pending() const { return pending_; }

  static constexpr int kMaxRedirects = 5;

 signals:
  // `name`: the file name the address ends in, for messages.
  void fetched(const QByteArray& data, const QString& name);
  void magnetFound(const QString& uri);
  void failed(const QString& message);

 private:
  void get(const QUrl& url, const QUrl& original, int redirects);
  void finish(QNetworkReply* reply, const QUrl& original, int redirects);

  QNetworkAccessManager* network_;
  int pending_ = 0;
};

}  // namespace tessera::gui
