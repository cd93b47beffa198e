// Paints a progress bar (with its percentage) in a view's progress column, coloured by state when
// the model gives one: blue downloading, green seeding, grey paused, red error, amber checking.
#pragma once

#include <QStyledItemDelegate>

namespace tessera::gui {

class ProgressBarDelegate : public QStyledItemDelegate {
  Q_OBJECT

 public:
  // progressRole: double 0..1. stateRole: int(TorrentState), or -1 for a single colour.
  ProgressBarDelegate(int progressRole, int stateRole, QObject* parent = nullptr);

  void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

 private:
  int progressRole_;
  int stateRole_;
};

}  // namespace tessera::gui
