// The disk a folder is on, or will be on once created (its nearest existing parent's).
#pragma once

#include <QStorageInfo>
#include <QString>

namespace tessera::gui {

QStorageInfo diskOf(const QString& folder);

}  // namespace tessera::gui
