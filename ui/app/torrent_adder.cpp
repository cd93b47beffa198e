#include "app/torrent_adder.hpp"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <tessera/magnet.hpp>

#include "app/torrent_fetcher.hpp"
#include "dialogs/add_torrent_dialog.hpp"

namespace tessera::gui {

TorrentAdder::TorrentAdder(SessionClient& session, std::function<const Preferences&()> preferences,
                           QWidget* dialogParent, QObject* parent)
    : QObject(parent),
      session_(session),
      preferences_(std::move(preferences)),
      dialogParent_(dialogParent),
      fetcher_(new TorrentFetcher(this)) {
  connect(fetcher_, &TorrentFetcher::fetched, this, &TorrentAdder::addTorrentData);
  connect(fetcher_, &TorrentFetcher::magnetFound, this, [this](const QString& uri) { addMagnets({uri}); });
  connect(fetcher_, &TorrentFetcher::failed, this, &TorrentAdder::failed);
}

expected<TorrentAdder::Loaded, QString> TorrentAdder::load(const QString& path) {
  const QString shown = QFileInfo(path).fileName();
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return unexpected(tr("%1: cannot open it (%2)").arg(shown, file.errorString()));
  if (file.size() > kMaxTorrentFile) return unexpected(tr("%1: too large for a .torrent file").arg(shown));
  const QByteArray bytes = file.readAll();
  std::string data(bytes.constData(), static_cast<std::size_t>(bytes.size()));
  auto info = parse_torrent_info(data);
  if (!info) return unexpected(tr("%1: not a valid torrent (%2)").arg(shown, QString::fromStdString(info.error())));
  return Loaded{std::move(data), std::move(*info)};
}

std::optional<QString> TorrentAdder::alreadyAdded(const std::string& infoHash) const {
  if (auto snapshot = session_.snapshot()) {
    for (const TorrentStatus& s : snapshot->torrents) {
      if (s.info_hash == infoHash) return tr("%1 is already added").arg(QString::fromStdString(s.name));
    }
  }
  return std::nullopt;
}

std::optional<QString> TorrentAdder::add(const AddTorrentParams& params, const QString& name) {
  // The folder is created here: the engine wants one that exists and is writable.
  QDir().mkpath(QString::fromStdString(params.save_path));
  auto id = session_.addTorrent(params);
  if (!id) return QString::fromStdString(id.error());
  emit torrentAdded(*id, name);
  return std::nullopt;
}

std::optional<QString> TorrentAdder::addLoaded(Loaded loaded, const QString& path, const QString& shown) {
  const QString name = QString::fromStdString(loaded.info.name);
  if (auto dup = alreadyAdded(loaded.info.info_hash)) return dup;
  const Preferences& prefs = preferences_();
  if (prefs.showAddDialog) {
    auto submit = [this, name](const AddTorrentParams& params) { return add(params, name); };
    auto* dialog = new AddTorrentDialog(std::move(loaded.info), path, std::move(loaded.data),
                                        prefs.effectiveSavePath(), prefs.startOnAdd, submit, dialogParent_);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
    emit dialogOpened(dialog);
    return std::nullopt;
  }
  AddTorrentParams params;
  params.torrent_file = path.toStdString();
  params.torrent_data = std::move(loaded.data);
  params.save_path = prefs.effectiveSavePath().toStdString();
  params.paused = !prefs.startOnAdd;
  if (auto error = add(params, name)) return tr("%1: %2").arg(shown, *error);
  return std::nullopt;
}

void TorrentAdder::addFiles(const QStringList& paths) {
  QStringList errors;
  for (const QString& path : paths) {
    auto loaded = load(path);
    if (!loaded) {
      errors << loaded.error();
      continue;
    }
    if (auto error = addLoaded(std::move(*loaded), path, QFileInfo(path).fileName())) errors << *error;
  }
  if (!errors.isEmpty()) emit failed(errors.join(QLatin1Char('\n')));
}

void TorrentAdder::addTorrentData(const QByteArray& data, const QString& name) {
  std::string bytes(data.constData(), static_cast<std::size_t>(data.size()));
  auto info = parse_torrent_info(bytes);
  if (!info) {
    emit failed(tr("%1: not a valid torrent (%2)").arg(name, QString::fromStdString(info.error())));
    return;
  }
  if (auto error = addLoaded(Loaded{std::move(bytes), std::move(*info)}, QString(), name)) emit failed(*error);
}

void TorrentAdder::addUrls(const QList<QUrl>& urls) {
  for (const QUrl& url : urls) fetcher_->fetch(url);
}

void TorrentAdder::addMagnets(const QStringList& uris) {
  QStringList errors;
  const Preferences& prefs = preferences_();
  for (const QString& uri : uris) {
    auto magnet = parse_magnet(uri.trimmed().toStdString());
    if (!magnet) {
      errors << tr("Magnet link: %1").arg(QString::fromStdString(magnet.error()));
      continue;
    }
    const QString name = magnet->name.empty() ? QString::fromStdString(magnet->info_hash)
                                              : QString::fromStdString(magnet->name);
    if (auto dup = alreadyAdded(magnet->info_hash)) {
      errors << *dup;
      continue;
    }
    AddTorrentParams params;
    params.magnet_uri = uri.trimmed().toStdString();
    params.save_path = prefs.effectiveSavePath().toStdString();
    params.paused = !prefs.startOnAdd;
    // The file list is not known yet: with the dialog wanted, the torrent waits for the user's
    // choice once the metadata is in, as the dialog would have let them choose up front.
    params.pause_after_metadata = prefs.showAddDialog;
    QDir().mkpath(QString::fromStdString(params.save_path));
    auto id = session_.addTorrent(params);
    if (!id) {
      errors << tr("%1: %2").arg(name, QString::fromStdString(id.error()));
      continue;
    }
    if (params.pause_after_metadata) emit magnetAwaitsFileChoice(*id);
    emit torrentAdded(*id, name);
  }
  if (!errors.isEmpty()) emit failed(errors.join(QLatin1Char('\n')));
}

}  // namespace tessera::gui
