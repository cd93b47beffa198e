#include "log/logging.hpp"

#include <mutex>

namespace tessera::log {
namespace {
std::mutex g_mutex;
spdlog::level::level_enum g_level = spdlog::level::warn;
}  // namespace

std::shared_ptr<spdlog::logger> get(const std::string& subsystem) {
  std::lock_guard lock(g_mutex);
  if (auto existing = spdlog::get(subsystem)) return existing;
  auto base = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>(subsystem, base->sinks().begin(), base->sinks().end());
  logger->set_level(g_level);
  spdlog::register_logger(logger);
  return logger;
}

void set_level(spdlog::level::level_enum level) {
  std::lock_guard lock(g_mutex);
  g_level = level;
  spdlog::set_level(level);
}

}  // namespace tessera::log
