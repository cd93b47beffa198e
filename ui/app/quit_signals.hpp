// SIGINT and SIGTERM (Ctrl-C in a terminal, logging out) quit the app the normal way, so the
// session shuts down cleanly: trackers are told, state is saved, the window's layout is kept.
#pragma once

#include <QObject>

namespace tessera::gui {

// Installs the handlers; on a signal, QCoreApplication::quit() runs on the GUI thread.
void quitOnTerminationSignals(QObject* parent);

}  // namespace tessera::gui
