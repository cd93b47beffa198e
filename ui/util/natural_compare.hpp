// Natural order for names, as file managers sort: "part 2" before "part 10", case ignored.
// (QCollator's numeric mode is not available with every Qt build, Debian's included.)
#pragma once

#include <QString>

namespace tessera::gui {

// <0, 0, >0 like strcmp.
int naturalCompare(const QString& a, const QString& b);

}  // namespace tessera::gui
