#include "widgets/speed_graph_widget.hpp"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>

#include "models/speed_history.hpp"
#include "util/format.hpp"
#include "widgets/palette_colors.hpp"

namespace tessera::gui {
namespace {

struct Series {
  const std::deque<SpeedSample>* samples;
  bool down;
  QColor color;
  qreal width;
  QString label;
  bool area = false;  // the session's rates are filled areas; the torrent's, lines drawn over them
};

}  // namespace

std::int64_t niceAxisMaximum(std::int64_t value) {
  // In the unit the labels will use (KiB/s, MiB/s, ...), a quarter of the axis is 1, 2, 2.5 or 5
  // times a power of ten, so every grid line reads as a round number.
  std::int64_t unit = 1024;
  while (value / unit >= 1024 && unit < (std::int64_t{1} << 40)) unit *= 1024;
  const double quarter = static_cast<double>(value) / static_cast<double>(unit) / 4.0;
  double magnitude = std::pow(10.0, std::floor(std::log10(std::max(quarter, 1e-3))));
  for (;;) {
    for (double m : {1.0, 2.0, 2.5, 5.0}) {
      if (m * magnitude >= quarter) return std::llround(m * magnitude * static_cast<double>(unit)) * 4;
    }
    magnitude *= 10;
  }
}

SpeedGraphWidget::SpeedGraphWidget(QWidget* parent) : QWidget(parent) {
  setAutoFillBackground(true);
  setBackgroundRole(QPalette::Base);
}

void SpeedGraphWidget::setCaps(std::int64_t sessionDown, std::int64_t sessionUp, std::int64_t torrentDown,
                               std::int64_t torrentUp) {
  if (sessionDown == capSessionDown_ && sessionUp == capSessionUp_ && torrentDown == capTorrentDown_ &&
      torrentUp == capTorrentUp_) {
    return;
  }
  capSessionDown_ = sessionDown;
  capSessionUp_ = sessionUp;
  capTorrentDown_ = torrentDown;
  capTorrentUp_ = torrentUp;
  update();
}

void SpeedGraphWidget::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing, true);
  const QFontMetrics fm = fontMetrics();
  const QColor text = palette().color(QPalette::Text);
  const QColor grid = palette().color(QPalette::Mid);

  std::vector<Series> series;
  const std::deque<SpeedSample> none;
  const auto* session = history_ != nullptr ? &history_->session() : &none;
  series.push_back({session, true, colors::downloading(), 1.5, tr("Session download"), true});
  series.push_back({session, false, colors::seeding(), 1.5, tr("Session upload"), true});
  const std::deque<SpeedSample>* torrent = history_ != nullptr && torrent_ != 0 ? history_->torrent(torrent_) : nullptr;
  if (torrent != nullptr) {
    series.push_back({torrent, true, colors::torrentDown(), 2.0, tr("Torrent download")});
    series.push_back({torrent, false, colors::torrentUp(), 2.0, tr("Torrent upload")});
  }
  const double now = history_ != nullptr ? history_->now() : 0;
  // Show the last minute, two, or five, whichever the history fills: a fresh start is not a thin
  // sliver at the right edge.
  const double elapsed = session->empty() ? 0 : now - session->front().t;
  const double window = elapsed <= 60 ? 60 : (elapsed <= 120 ? 120 : SpeedHistory::kWindowSeconds);
  const double tick = window / (window >= SpeedHistory::kWindowSeconds ? 5 : 4);

  // Scale: the data, and the caps unless one is far above the data (it would flatten the lines).
  std::int64_t dataMax = 0;
  for (const Series& s : series) {
    for (const SpeedSample& sample : *s.samples) {
      if (sample.t >= now - window) dataMax = std::max(dataMax, s.down ? sample.down : sample.up);
    }
  }
  struct Cap {
    std::int64_t value;
    QColor color;
    QString label;
  };
  std::vector<Cap> caps;
  if (capSessionDown_ > 0) caps.push_back({capSessionDown_, colors::downloading(), tr("↓ cap %1")});
  if (capSessionUp_ > 0) caps.push_back({capSessionUp_, colors::seeding(), tr("↑ cap %1")});
  if (torrent != nullptr && capTorrentDown_ > 0) {
    caps.push_back({capTorrentDown_, colors::torrentDown(), tr("torrent ↓ cap %1")});
  }
  if (torrent != nullptr && capTorrentUp_ > 0) caps.push_back({capTorrentUp_, colors::torrentUp(), tr("torrent ↑ cap %1")});
  std::int64_t scaleMax = dataMax;
  QStringList offScale;
  for (const Cap& c : caps) {
    if (dataMax < 1024 || c.value <= dataMax * 3) {
      scaleMax = std::max(scaleMax, c.value);
    }
  }
  const std::int64_t axisMax = niceAxisMaximum(std::max<std::int64_t>(scaleMax + scaleMax / 10, 10 * 1024));
  for (const Cap& c : caps) {
    if (c.value > axisMax) offScale << c.label.arg(formatRate(c.value));
  }

  // Layout: legend on top, rate labels on the left, time labels below.
  const int lineHeight = fm.height();
  const int legendHeight = lineHeight + 8;
  int labelWidth = fm.horizontalAdvance(formatRate(axisMax));
  labelWidth = std::max(labelWidth, fm.horizontalAdvance(formatRate(axisMax / 4 * 3)));
  const QRect plot(labelWidth + 14, legendHeight + 6, width() - labelWidth - 14 - 12,
                   height() - legendHeight - 6 - lineHeight - 10);
  if (plot.width() < 20 || plot.height() < 20) return;

  // Legend: a colour swatch, the series name and its latest value.
  int x = plot.left();
  const int legendY = 4;
  for (const Series& s : series) {
    const std::int64_t latest = s.samples->empty() ? 0 : (s.down ? s.samples->back().down : s.samples->back().up);
    const QString label = QStringLiteral("%1 %2").arg(s.label, formatRate(latest));
    if (s.area) {
      QColor fill = s.color;
      fill.setAlpha(70);
      p.fillRect(QRectF(x, legendY + 3, 18, lineHeight - 6), fill);
      p.setPen(QPen(s.color, 1.5));
      p.drawLine(QPointF(x, legendY + 3), QPointF(x + 18, legendY + 3));
    } else {
      p.setPen(QPen(s.color, 2.5));
      p.drawLine(x, legendY + lineHeight / 2, x + 18, legendY + lineHeight / 2);
    }
    p.setPen(text);
    p.drawText(x + 22, legendY, fm.horizontalAdvance(label) + 2, lineHeight, Qt::AlignVCenter, label);
    x += 22 + fm.horizontalAdvance(label) + 18;
  }
  if (!offScale.isEmpty()) {
    const QString note = offScale.join(QStringLiteral(", ")) + tr(" (above the graph)");
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(QRect(plot.left(), plot.top() + 2, plot.width() - 4, lineHeight), Qt::AlignRight, note);
  }

  // Grid and rate labels.
  p.setPen(QPen(grid, 1));
  for (int i = 0; i <= 4; ++i) {
    const double y = plot.bottom() - plot.height() * i / 4.0;
    p.setPen(QPen(grid, 1, i == 0 ? Qt::SolidLine : Qt::DotLine));
    p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
    p.setPen(text);
    p.drawText(QRectF(0, y - lineHeight / 2.0, labelWidth + 8, lineHeight), Qt::AlignRight | Qt::AlignVCenter,
               formatRate(axisMax / 4 * i));
  }
  // Time labels at every tick.
  const int ticks = static_cast<int>(std::lround(window / tick));
  for (int m = 0; m <= ticks; ++m) {
    const double ago = m * tick;
    const double xm = plot.right() - plot.width() * ago / window;
    p.setPen(QPen(grid, 1, Qt::DotLine));
    if (m > 0 && m < ticks) p.drawLine(QPointF(xm, plot.top()), QPointF(xm, plot.bottom()));
    p.setPen(text);
    const auto seconds = static_cast<int>(std::lround(ago));
    const QString label = m == 0 ? tr("now")
                                 : (seconds % 60 == 0 ? tr("%1 min ago").arg(seconds / 60) : tr("%1 s ago").arg(seconds));
    const int w = fm.horizontalAdvance(label);
    const double left = m == 0 ? xm - w : (m == ticks ? xm : xm - w / 2.0);
    p.drawText(QRectF(left, plot.bottom() + 4, w + 2, lineHeight), Qt::AlignLeft, label);
  }

  auto toPoint = [&](double t, std::int64_t v) {
    const double px = plot.right() - (now - t) / window * plot.width();
    const double py = plot.bottom() - static_cast<double>(v) / static_cast<double>(axisMax) * plot.height();
    return QPointF(std::max<double>(px, plot.left()), std::max<double>(py, plot.top()));
  };

  // Series: the session's as translucent areas with an edge, the torrent's as lines on top.
  p.save();
  p.setClipRect(plot.adjusted(0, -1, 1, 1));
  for (const Series& s : series) {
    if (s.samples->size() < 2) continue;
    QPainterPath path;
    bool first = true;
    for (const SpeedSample& sample : *s.samples) {
      const QPointF pt = toPoint(sample.t, s.down ? sample.down : sample.up);
      if (first) {
        path.moveTo(pt);
        first = false;
      } else {
        path.lineTo(pt);
      }
    }
    QColor line = s.color;
    if (s.area) {
      QPainterPath area = path;
      area.lineTo(toPoint(s.samples->back().t, 0));
      area.lineTo(toPoint(s.samples->front().t, 0));
      area.closeSubpath();
      QColor fill = s.color;
      fill.setAlpha(45);
      p.fillPath(area, fill);
      line.setAlpha(170);
    }
    p.setPen(QPen(line, s.width, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    p.drawPath(path);
  }
  // Caps: dashed lines with their value.
  for (std::size_t i = 0; i < caps.size(); ++i) {
    const Cap& c = caps[i];
    if (c.value > axisMax) continue;
    const double y = toPoint(now, c.value).y();
    QPen pen(c.color, 1.5);
    pen.setDashPattern({6, 4});
    p.setPen(pen);
    p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
    // Labels alternate between the left and right ends, so caps close together stay readable.
    const QString label = c.label.arg(formatRate(c.value));
    const int w = fm.horizontalAdvance(label) + 4;
    const double left = i % 2 == 0 ? plot.left() + 6 : plot.right() - 6 - w;
    p.setPen(c.color.darker(120));
    p.drawText(QRectF(left, y - lineHeight - 1, w, lineHeight), Qt::AlignLeft, label);
  }
  p.restore();
  if (history_ == nullptr || history_->session().size() < 2) {
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(plot, Qt::AlignCenter, tr("Collecting rates…"));
  }
}

}  // namespace tessera::gui
