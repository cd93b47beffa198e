#include "util/format.hpp"

#include <QDateTime>
#include <QLocale>

#include <array>
#include <cmath>
#include <limits>

namespace tessera::gui {

QString formatSize(std::int64_t bytes) {
  static const std::array<QString, 5> units = {QStringLiteral("KiB"), QStringLiteral("MiB"),
                                               QStringLiteral("GiB"), QStringLiteral("TiB"),
                                               QStringLiteral("PiB")};
  QLocale locale;
  locale.setNumberOptions(QLocale::OmitGroupSeparator);
  if (bytes < 0) bytes = 0;
  if (bytes < 1024) return QStringLiteral("%1 B").arg(bytes);
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  value /= 1024.0;
  while (value >= 1024.0 && unit + 1 < units.size()) {
    value /= 1024.0;
    ++unit;
  }
  // Three significant digits at most: 1.21 GiB, 12.3 MiB, 512 KiB.
  const int decimals = value < 10.0 ? 2 : (value < 100.0 ? 1 : 0);
  // Truncate rather than round up, so 1023.99 KiB never prints as "1024 KiB".
  const double scale = std::pow(10.0, decimals);
  value = std::floor(value * scale) / scale;
  return locale.toString(value, 'f', decimals) + QLatin1Char(' ') + units[unit];
}

QString formatRate(std::int64_t bytesPerSecond) { return formatSize(bytesPerSecond) + QStringLiteral("/s"); }

QString formatRateOrBlank(std::int64_t bytesPerSecond) {
  return bytesPerSecond > 0 ? formatRate(bytesPerSecond) : QString();
}

QString formatCap(std::int64_t bytesPerSecond) {
  return bytesPerSecond > 0 ? formatRate(bytesPerSecond) : QObject::tr("unlimited");
}

QString formatDuration(std::int64_t s) {
  if (s < 0) s = 0;
  if (s < 60) return QStringLiteral("%1s").arg(s);
  if (s < 3600) return QStringLiteral("%1m %2s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
  if (s < 86400) return QStringLiteral("%1h %2m").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
  return QStringLiteral("%1d %2h").arg(s / 86400).arg((s % 86400) / 3600);
}

QString formatEta(std::optional<std::int64_t> seconds) {
  constexpr std::int64_t kHundredDays = 100LL * 86400;
  if (!seconds || *seconds < 0 || *seconds >= kHundredDays) return QStringLiteral("∞");
  return formatDuration(*seconds);
}

QString formatRatio(double ratio) {
  if (std::isinf(ratio)) return QStringLiteral("∞");
  if (std::isnan(ratio) || ratio < 0) ratio = 0;
  if (ratio > 9999) ratio = 9999;
  return QLocale().toString(std::floor(ratio * 100.0) / 100.0, 'f', 2);
}

QString formatPercent(double fraction) {
  if (std::isnan(fraction) || fraction < 0) fraction = 0;
  if (fraction > 1) fraction = 1;
  const double tenths = std::floor(fraction * 1000.0) / 10.0;
  return QLocale().toString(tenths, 'f', tenths >= 100.0 ? 0 : 1) + QLatin1Char('%');
}

QString formatDateTime(std::int64_t secondsSinceEpoch) {
  if (secondsSinceEpoch <= 0) return {};
  return QLocale().toString(QDateTime::fromSecsSinceEpoch(secondsSinceEpoch), QLocale::ShortFormat);
}

double shareRatio(std::int64_t uploaded, std::int64_t downloaded, std::int64_t have) {
  const std::int64_t base = downloaded > 0 ? downloaded : have;
  if (base <= 0) return uploaded > 0 ? std::numeric_limits<double>::infinity() : 0.0;
  return static_cast<double>(uploaded) / static_cast<double>(base);
}

QString wrappedToolTip(const QString& plain) {
  // Qt wraps a rich-text tooltip into a narrow column; breaking lines here keeps it wide and tidy.
  constexpr qsizetype kWidth = 72;
  QString out;
  qsizetype lineStart = 0;
  for (const QString& word : plain.split(QLatin1Char(' '))) {
    if (out.size() > lineStart && out.size() - lineStart + 1 + word.size() > kWidth) {
      out += QLatin1Char('\n');
      lineStart = out.size();
    } else if (out.size() > lineStart) {
      out += QLatin1Char(' ');
    }
    out += word;
  }
  return out;
}

}  // namespace tessera::gui
