#include "widgets/progress_bar_delegate.hpp"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>

#include <tessera/status.hpp>

#include "widgets/palette_colors.hpp"

namespace tessera::gui {

ProgressBarDelegate::ProgressBarDelegate(int progressRole, int stateRole, QObject* parent)
    : QStyledItemDelegate(parent), progressRole_(progressRole), stateRole_(stateRole) {}

void ProgressBarDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                                const QModelIndex& index) const {
  // The cell's background and selection as the style draws them, without text.
  QStyleOptionViewItem cell = option;
  initStyleOption(&cell, index);
  cell.text.clear();
  const QWidget* widget = option.widget;
  QStyle* style = widget != nullptr ? widget->style() : QApplication::style();
  style->drawControl(QStyle::CE_ItemViewItem, &cell, painter, widget);

  const double progress = std::clamp(index.data(progressRole_).toDouble(), 0.0, 1.0);
  QColor fill = colors::downloading();
  if (stateRole_ >= 0) {
    switch (static_cast<TorrentState>(index.data(stateRole_).toInt())) {
      case TorrentState::checking:
      case TorrentState::fetching_metadata: fill = colors::checking(); break;
      case TorrentState::downloading: fill = colors::downloading(); break;
      case TorrentState::seeding: fill = colors::seeding(); break;
      case TorrentState::paused: fill = progress >= 1.0 ? colors::seeding().lighter(125) : colors::paused(); break;
      case TorrentState::error: fill = colors::error(); break;
    }
  }
  const QRect bar = option.rect.adjusted(3, 2, -3, -2);
  if (bar.width() < 4 || bar.height() < 4) return;
  painter->save();
  painter->setRenderHint(QPainter::Antialiasing, true);
  const QRectF outer = QRectF(bar).adjusted(0.5, 0.5, -0.5, -0.5);
  QPainterPath frame;
  frame.addRoundedRect(outer, 3, 3);
  painter->fillPath(frame, option.palette.color(QPalette::Base));
  if (progress > 0) {
    painter->save();
    painter->setClipPath(frame);
    painter->fillRect(QRectF(outer.left(), outer.top(), outer.width() * progress, outer.height()), fill);
    painter->restore();
  }
  painter->setPen(option.palette.color(QPalette::Mid));
  painter->drawPath(frame);
  // The text is drawn twice, clipped: dark over the empty part, light over the filled part.
  const QString text = index.data(Qt::DisplayRole).toString();
  painter->setFont(option.font);
  const QRectF filled(outer.left(), outer.top(), outer.width() * progress, outer.height());
  painter->setClipRect(filled);
  painter->setPen(Qt::white);
  painter->drawText(bar, Qt::AlignCenter, text);
  painter->setClipRect(QRectF(filled.right(), outer.top(), outer.width() - filled.width(), outer.height()));
  painter->setPen(option.palette.color(QPalette::Text));
  painter->drawText(bar, Qt::AlignCenter, text);
  painter->restore();
}

QSize ProgressBarDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const {
  QSize size = QStyledItemDelegate::sizeHint(option, index);
  size.setWidth(std::max(size.width(), option.fontMetrics.horizontalAdvance(QStringLiteral("100.0%")) + 40));
  // Room for the text inside the bar's frame: this sets the row height of uniform-height views.
  size.setHeight(std::max(size.height(), option.fontMetrics.height() + 8));
  return size;
}

}  // namespace tessera::gui
