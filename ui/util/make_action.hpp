// One line per action in the menus: named (object name, for lookups and tests), with an icon and
// an optional shortcut.
#pragma once

#include <QAction>
#include <QKeySequence>

namespace tessera::gui {

QAction* makeAction(QObject* parent, const QString& name, const QString& text, const QIcon& icon,
                    const QKeySequence& shortcut = {});

}  // namespace tessera::gui
