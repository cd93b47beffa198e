// The engine's log level, for front ends. The engine logs through spdlog with a logger per
// subsystem; the sinks are the default logger's at the time a subsystem first logs.
#pragma once

#include <string_view>

namespace tessera {

// Sets the level of every engine logger, those that exist and those created later. Takes
// spdlog's names: trace, debug, info, warn, error, critical, off. False (and no change) for any
// other name.
bool set_log_level(std::string_view level);

}  // namespace tessera
