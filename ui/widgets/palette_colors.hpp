// The few colours that carry meaning across the app (states, graph series), in one place.
#pragma once

#include <QColor>

namespace tessera::gui::colors {

inline QColor downloading() { return {0x2f, 0x80, 0xed}; }
inline QColor seeding() { return {0x27, 0xae, 0x60}; }
inline QColor paused() { return {0x95, 0xa5, 0xa6}; }
inline QColor error() { return {0xc0, 0x39, 0x2b}; }
inline QColor checking() { return {0xe6, 0x9b, 0x17}; }
inline QColor partial() { return {0x8e, 0xc5, 0xfc}; }
inline QColor torrentDown() { return {0x8e, 0x44, 0xad}; }
inline QColor torrentUp() { return {0xe6, 0x7e, 0x22}; }

}  // namespace tessera::gui::colors
