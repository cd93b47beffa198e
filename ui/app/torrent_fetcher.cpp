#include "app/torrent_fetcher.hpp"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include "app/torrent_adder.hpp"

namespace tessera::gui {
namespace {

// A stalled server should not leave a fetch hanging for ever; real .torrent files are small.
constexpr int kTransferTimeoutMs = 60'000;

bool isHttp(const QUrl& url) {
  const QString scheme = url.scheme().toLower();
  return scheme == QLatin1String("http") || scheme == QLatin1String("https");
}

}  // namespace

TorrentFetcher::TorrentFetcher(QObject* parent)
    : QObject(parent), network_(new QNetworkAccessManager(this)) {}

void TorrentFetcher::fetch(const QUrl& url) {
  ++pending_;
  get(url, url, 0);
}

void TorrentFetcher::get(const QUrl& url, const QUrl& original, int redirects) {
  QNetworkRequest request(url);
  // Redirects are followed here, so that one to a magnet link can be taken as one.
  request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
  request.setTransferTimeout(kTransferTimeoutMs);
  request.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("Tessera"));
  QNetworkReply* reply = network_->get(request);
  // Cut off a body larger than any .torrent as soon as it shows: by its length, or as it arrives.
  auto tooLarge = [reply](qint64 received, qint64 total) {
    if (received > TorrentAdder::kMaxTorrentFile || total > TorrentAdder::kMaxTorrentFile) {
      reply->setProperty("tessera_too_large", true);
      reply->abort();
    }
  };
  connect(reply, &QNetworkReply::downloadProgress, this, tooLarge);
  connect(reply, &QNetworkReply::finished, this,
          [this, reply, original, redirects] { finish(reply, original, redirects); });
}

void TorrentFetcher::finish(QNetworkReply* reply, const QUrl& original, int redirects) {
  reply->deleteLater();
  const QString shown = original.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery);
  auto fail = [&](const QString& why) {
    --pending_;
    emit failed(tr("%1: %2").arg(shown, why));
  };
  if (reply->property("tessera_too_large").toBool()) {
    fail(tr("larger than a .torrent file can be (%1 MiB)").arg(TorrentAdder::kMaxTorrentFile >> 20));
    return;
  }
  const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  const QVariant location = reply->attribute(QNetworkRequest::RedirectionTargetAttribute);
  if (status >= 300 && status < 400 && location.isValid()) {
    const QUrl target = reply->url().resolved(location.toUrl());
    if (target.scheme().compare(QLatin1String("magnet"), Qt::CaseInsensitive) == 0) {
      --pending_;
      emit magnetFound(target.toString(QUrl::FullyEncoded));
      return;
    }
    if (!isHttp(target)) {
      fail(tr("redirected to an address that is not http(s)"));
      return;
    }
    if (redirects >= kMaxRedirects) {
      fail(tr("too many redirects"));
      return;
    }
    get(target, original, redirects + 1);
    return;
  }
  if (reply->error() != QNetworkReply::NoError) {
    fail(status > 0 ? tr("the server answered %1 %2")
                          .arg(status)
                          .arg(reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString())
                    : reply->errorString());
    return;
  }
  const QByteArray data = reply->readAll();
  if (data.size() > TorrentAdder::kMaxTorrentFile) {
    fail(tr("larger than a .torrent file can be (%1 MiB)").arg(TorrentAdder::kMaxTorrentFile >> 20));
    return;
  }
  QString name = original.fileName();
  if (name.isEmpty()) name = original.host();
  --pending_;
  emit fetched(data, name);
}

}  // namespace tessera::gui
