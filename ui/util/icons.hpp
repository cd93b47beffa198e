// Icons: the desktop theme's where it has one, else Tessera's own SVGs (resources/icons).
#pragma once

#include <QIcon>

#include <tessera/status.hpp>

namespace tessera::gui {

// Registers the compiled-in resources (icons); call once before using any icon.
void initResources();

QIcon appIcon();
// The theme's `themeName`, falling back to :/icons/<resource>.svg.
QIcon themedIcon(const QString& themeName, const QString& resource);
// Tessera's own SVG, never themed (colours carry meaning: states, filters).
QIcon ownIcon(const QString& resource);
// A torrent's state, for the table's name column; cached.
const QIcon& stateIcon(TorrentState state, bool complete);

}  // namespace tessera::gui
