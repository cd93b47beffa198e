// Adding .torrent files from anywhere (file dialog, drop, command line, a second launch): read and
// check each one, then show the Add Torrent dialog or add it straight away, as the preferences say.
// Problems come back as one clear line per file; one bad file does not stop the others.
#pragma once

#include <QObject>
#include <QPointer>
#include <QStringList>

#include <functional>
#include <optional>

#include "app/preferences.hpp"
#include "session/session_client.hpp"

#include <tessera/torrent_info.hpp>

class QWidget;

namespace tessera::gui {

class AddTorrentDialog;

class TorrentAdder : public QObject {
  Q_OBJECT

 public:
  TorrentAdder(SessionClient& session, std::function<const Preferences&()> preferences, QWidget* dialogParent,
               QObject* parent = nullptr);

  void addFiles(const QStringList& paths);
  void addMagnets(const QStringList& uris);

  // Reads and validates a .torrent: its bytes and what it holds, or a one-line error.
  struct Loaded {
    std::string data;
    TorrentInfo info;
  };
  static expected<Loaded, QString> load(const QString& path);

 signals:
  void torrentAdded(tessera::TorrentId id, const QString& name);
  // One line per problem.
  void failed(const QString& message);
  void dialogOpened(tessera::gui::AddTorrentDialog* dialog);

 private:
  std::optional<QString> add(const AddTorrentParams& params, const QString& name);
  std::optional<QString> alreadyAdded(const TorrentInfo& info) const;

  SessionClient& session_;
  std::function<const Preferences&()> preferences_;
  QPointer<QWidget> dialogParent_;
};

}  // namespace tessera::gui
