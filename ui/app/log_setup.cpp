#include "app/log_setup.hpp"

#include <QObject>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <vector>

#include "tessera/logging.hpp"

namespace tessera::gui {

QString setUpLogging(const QString& level, const QString& file) {
  std::vector<spdlog::sink_ptr> sinks;
  sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  QString error;
  if (!file.isEmpty()) {
    try {
      sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(file.toStdString()));
    } catch (const spdlog::spdlog_ex& e) {
      error = QObject::tr("Cannot open the log file %1: %2").arg(file, QString::fromUtf8(e.what()));
    }
  }
  auto logger = std::make_shared<spdlog::logger>("tessera", sinks.begin(), sinks.end());
  spdlog::set_default_logger(logger);
  applyLogLevel(level);
  return error;
}

void applyLogLevel(const QString& level) {
  // Unknown names (a hand-edited settings file) fall back to warn.
  if (!tessera::set_log_level(level.toStdString())) tessera::set_log_level("warn");
}

}  // namespace tessera::gui
