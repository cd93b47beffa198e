// Human-readable sizes, rates, durations and ratios for every view (one place, one style).
#pragma once

#include <QString>

#include <cstdint>
#include <optional>

namespace tessera::gui {

// 1023 B, 1.50 KiB, 12.3 MiB, 512 MiB, 1.21 GiB (binary units, locale decimal separator).
QString formatSize(std::int64_t bytes);
// formatSize + "/s".
QString formatRate(std::int64_t bytesPerSecond);
// A rate column: empty for 0 so idle rows stay quiet.
QString formatRateOrBlank(std::int64_t bytesPerSecond);
// A cap in bytes/s: "unlimited" for 0.
QString formatCap(std::int64_t bytesPerSecond);
// "42s", "4m 12s", "3h 05m", "2d 4h"; ∞ for none or more than 100 days.
QString formatEta(std::optional<std::int64_t> seconds);
// Elapsed time: like formatEta but never ∞ ("0s" for none).
QString formatDuration(std::int64_t seconds);
// 0.00 .. 9999; ∞ when something was uploaded against nothing.
QString formatRatio(double ratio);
// 45.3% — rounded down so an unfinished torrent never shows 100%.
QString formatPercent(double fraction);
// Locale short date and time; empty for 0 (unknown).
QString formatDateTime(std::int64_t secondsSinceEpoch);

// A long tooltip broken into lines of about 70 characters at spaces (Qt shows plain text on one
// line however long).
QString wrappedToolTip(const QString& plain);

// Upload over download (download falls back to what we have, for torrents seeded from disk);
// infinity when uploaded > 0 against 0.
double shareRatio(std::int64_t uploaded, std::int64_t downloaded, std::int64_t have);

}  // namespace tessera::gui
