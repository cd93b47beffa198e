#include "app/torrent_adder.hpp"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include "dialogs/add_torrent_dialog.hpp"

namespace tessera::gui {
namespace {

// The engine refuses larger .torrent files too; real ones are far smaller.
constexpr qint64 kMaxTorrentFile = qint64{32} << 20;

}  // namespace

TorrentAdder::TorrentAdder(SessionClient& session, std::function<const Preferences&()> preferences,
                           QWidget* dialogParent, QObject* parent)
    : QObject(parent), session_(session), preferences_(std::move(preferences)), dialogParent_(dialogParent) {}

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

std::optional<QString> TorrentAdder::alreadyAdded(const TorrentInfo& info) const {
  if (auto snapshot = session_.snapshot()) {
    for (const TorrentStatus& s : snapshot->torrents) {
      if (s.info_hash == info.info_hash) return tr("%1 is already added").arg(QString::fromStdString(s.name));
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

void TorrentAdder::addFiles(const QStringList& paths) {
  QStringList errors;
  const Preferences& prefs = preferences_();
  for (const QString& path : paths) {
    auto loaded = load(path);
    if (!loaded) {
      errors << loaded.error();
      continue;
    }
    const QString name = QString::fromStdString(loaded->info.name);
    if (auto dup = alreadyAdded(loaded->info)) {
      errors << *dup;
      continue;
    }
    if (prefs.showAddDialog) {
      auto submit = [this, name](const AddTorrentParams& params) { return add(params, name); };
      auto* dialog = new AddTorrentDialog(std::move(loaded->info), path, std::move(loaded->data),
                                          prefs.effectiveSavePath(), prefs.startOnAdd, submit, dialogParent_);
      dialog->setAttribute(Qt::WA_DeleteOnClose);
      dialog->show();
      dialog->raise();
      dialog->activateWindow();
      emit dialogOpened(dialog);
      continue;
    }
    AddTorrentParams params;
    params.torrent_file = path.toStdString();
    params.torrent_data = std::move(loaded->data);
    params.save_path = prefs.effectiveSavePath().toStdString();
    params.paused = !prefs.startOnAdd;
    if (auto error = add(params, name)) errors << tr("%1: %2").arg(QFileInfo(path).fileName(), *error);
  }
  if (!errors.isEmpty()) emit failed(errors.join(QLatin1Char('\n')));
}

void TorrentAdder::addMagnets(const QStringList& uris) {
  if (uris.isEmpty()) return;
  emit failed(uris.size() == 1 ? tr("Magnet links are not supported yet: open the .torrent file instead.")
                               : tr("Magnet links are not supported yet (%1 given): open the .torrent files instead.")
                                     .arg(uris.size()));
}

}  // namespace tessera::gui
