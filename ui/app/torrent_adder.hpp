// Adding torrents from anywhere (file dialog, drop, command line, a second launch, File ▸ Add
// Magnet or URL…): read and check each .torrent, then show the Add Torrent dialog or add it
// straight away, as the preferences say. Magnet links are added at once; with the dialog wanted they
// wait paused once their metadata is in, for the file choice (MagnetFileChoice). Problems come back
// as one clear line per item; one bad item does not stop the others.
#pragma once

#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <optional>

#include "app/preferences.hpp"
#include "session/session_client.hpp"

#include <tessera/torrent_info.hpp>

class QWidget;

namespace tessera::gui {

class AddTorrentDialog;
class TorrentFetcher;

class TorrentAdder : public QObject {
  Q_OBJECT

 public:
  TorrentAdder(SessionClient& session, std::function<const Preferences&()> preferences, QWidget* dialogParent,
               QObject* parent = nullptr);

  // The engine refuses larger .torrent files too; real ones are far smaller.
  static constexpr qint64 kMaxTorrentFile = qint64{32} << 20;

  void addFiles(const QStringList& paths);
  void addMagnets(const QStringList& uris);
  // Fetches each .torrent, then adds it as a file would be.
  void addUrls(const QList<QUrl>& urls);
  // A .torrent's bytes from elsewhere (fetched); `name` stands for it in messages.
  void addTorrentData(const QByteArray& data, const QString& name);
  TorrentFetcher& fetcher() const { return *fetcher_; }

  // Reads and validates a .torrent: its bytes and what it holds, or a one-line error.
  struct Loaded {
    std::string data;
    TorrentInfo info;
  };
  static expected<Loaded, QString> load(const QString& path);

 signals:
  void torrentAdded(tessera::TorrentId id, const QString& name);
  // A magnet link added with pause_after_metadata: its file choice is due once the metadata is in.
  void magnetAwaitsFileChoice(tessera::TorrentId id);
  // One line per problem.
  void failed(const QString& message);
  void dialogOpened(tessera::gui::AddTorrentDialog* dialog);

 private:
  std::optional<QString> add(const AddTorrentParams& params, const QString& name);
  std::optional<QString> alreadyAdded(const std::string& infoHash) const;
  // Shows the dialog or adds it; an error line when it was not added.
  std::optional<QString> addLoaded(Loaded loaded, const QString& path, const QString& shown);

  SessionClient& session_;
  std::function<const Preferences&()> preferences_;
  QPointer<QWidget> dialogParent_;
  TorrentFetcher* fetcher_;
};

}  // namespace tessera::gui
