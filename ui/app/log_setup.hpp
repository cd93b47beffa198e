// Where the engine's spdlog output goes and how much of it. The engine exposes no logging API, so
// this configures spdlog itself: the default logger's sinks (the engine's loggers copy them when
// created) and the level of every registered logger.
#pragma once

#include <QString>

namespace tessera::gui {

// stderr, plus `file` when given. Returns an error line when the file cannot be opened (logging
// then goes to stderr only). Call before the session starts.
QString setUpLogging(const QString& level, const QString& file);

// Sets the level of every logger registered so far (cheap; also catches loggers created since).
void applyLogLevel(const QString& level);

}  // namespace tessera::gui
