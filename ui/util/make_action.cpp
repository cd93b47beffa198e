#include "util/make_action.hpp"

namespace tessera::gui {

QAction* makeAction(QObject* parent, const QString& name, const QString& text, const QIcon& icon,
                    const QKeySequence& shortcut) {
  auto* a = new QAction(icon, text, parent);
  a->setObjectName(name);
  if (!shortcut.isEmpty()) a->setShortcut(shortcut);
  return a;
}

}  // namespace tessera::gui
