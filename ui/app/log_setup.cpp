#include "app/log_setup.hpp"

#include <QObject>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <vector>

namespace tessera::gui {

namespace {

spdlog::level::level_enum levelOf(const QString& name) {
  const auto level = spdlog::level::from_str(name.toStdString());
  // from_str gives "off" for unknown names; a typo in a settings file should not silence errors.
  if (level == spdlog::level::off && name != QLatin1String("off")) return spdlog::level::warn;
  return level;
}

}  // namespace

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
  const auto l = levelOf(level);
  spdlog::set_level(l);
  spdlog::apply_all([l](const std::shared_ptr<spdlog::logger>& logger) { logger->set_level(l); });
}

}  // namespace tessera::gui
