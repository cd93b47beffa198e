#include "util/disk_of.hpp"

#include <QDir>
#include <QFileInfo>

namespace tessera::gui {

QStorageInfo diskOf(const QString& folder) {
  QString probe = QDir::fromNativeSeparators(folder.trimmed());
  while (!probe.isEmpty() && !QFileInfo::exists(probe)) {
    const QString up = QFileInfo(probe).path();
    if (up == probe) break;
    probe = up;
  }
  return QStorageInfo(probe);
}

}  // namespace tessera::gui
