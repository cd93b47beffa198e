#include "widgets/hint_tree_view.hpp"

#include <QHeaderView>
#include <QMenu>
#include <QPainter>

namespace tessera::gui {

HintTreeView::HintTreeView(QWidget* parent) : QTreeView(parent) {}

void HintTreeView::setEmptyHint(const QString& hint) {
  if (hint == hint_) return;
  hint_ = hint;
  viewport()->update();
}

void HintTreeView::paintEvent(QPaintEvent* event) {
  QTreeView::paintEvent(event);
  if (hint_.isEmpty() || model() == nullptr || model()->rowCount(rootIndex()) > 0) return;
  QPainter painter(viewport());
  painter.setPen(palette().color(QPalette::PlaceholderText));
  painter.drawText(viewport()->rect().adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap, hint_);
}

void installColumnChooser(QHeaderView* header) {
  header->setContextMenuPolicy(Qt::CustomContextMenu);
  QObject::connect(header, &QHeaderView::customContextMenuRequested, header, [header](const QPoint& pos) {
    QMenu menu(header);
    const QAbstractItemModel* model = header->model();
    if (model == nullptr) return;
    int visible = 0;
    for (int i = 0; i < header->count(); ++i) visible += header->isSectionHidden(i) ? 0 : 1;
    for (int i = 0; i < header->count(); ++i) {
      QAction* a = menu.addAction(model->headerData(i, Qt::Horizontal, Qt::DisplayRole).toString());
      a->setCheckable(true);
      a->setChecked(!header->isSectionHidden(i));
      // The last visible column stays: a table with no columns cannot be brought back.
      a->setEnabled(header->isSectionHidden(i) || visible > 1);
      QObject::connect(a, &QAction::toggled, header, [header, i](bool on) { header->setSectionHidden(i, !on); });
    }
    menu.exec(header->mapToGlobal(pos));
  });
}

HintTreeView* makeListView(QWidget* parent) {
  auto* view = new HintTreeView(parent);
  view->setRootIsDecorated(false);
  view->setUniformRowHeights(true);
  view->setAlternatingRowColors(true);
  view->setSelectionMode(QAbstractItemView::ExtendedSelection);
  view->setSelectionBehavior(QAbstractItemView::SelectRows);
  view->header()->setStretchLastSection(true);
  installColumnChooser(view->header());
  return view;
}

void sizeColumns(QTreeView* view, const std::vector<std::pair<int, QString>>& samples) {
  const QFontMetrics fm = view->fontMetrics();
  for (const auto& [column, sample] : samples) {
    const int header = fm.horizontalAdvance(view->model()->headerData(column, Qt::Horizontal).toString()) + 28;
    view->setColumnWidth(column, std::max(header, fm.horizontalAdvance(sample) + 24));
  }
}

}  // namespace tessera::gui
