// Named spdlog loggers, one per subsystem ("bencode", "tracker", "peer", ...). The engine logs
// only through these; front ends choose the sinks and the level.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace tessera::log {

// Returns the logger for a subsystem, creating it (sharing the default logger's sinks) on first use.
std::shared_ptr<spdlog::logger> get(const std::string& subsystem);

// Sets the level of every Tessera logger, present and future ("trace" ... "off").
void set_level(spdlog::level::level_enum level);

}  // namespace tessera::log
