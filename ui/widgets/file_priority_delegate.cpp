#include "widgets/file_priority_delegate.hpp"

#include <QComboBox>

#include "models/file_tree_model.hpp"

namespace tessera::gui {

QWidget* FilePriorityDelegate::createEditor(QWidget* parent, const QStyleOptionViewItem&, const QModelIndex&) const {
  auto* combo = new QComboBox(parent);
  for (FilePriority p : {FilePriority::skip, FilePriority::normal, FilePriority::high}) {
    combo->addItem(priorityText(static_cast<int>(p)), static_cast<int>(p));
  }
  // A choice applies at once, like a menu, rather than when focus leaves the editor.
  connect(combo, &QComboBox::activated, this, [this, combo] {
    auto* self = const_cast<FilePriorityDelegate*>(this);
    emit self->commitData(combo);
    emit self->closeEditor(combo);
  });
  return combo;
}

void FilePriorityDelegate::setEditorData(QWidget* editor, const QModelIndex& index) const {
  auto* combo = static_cast<QComboBox*>(editor);
  const int i = combo->findData(index.data(FileTreeModel::PriorityRole).toInt());
  combo->setCurrentIndex(i >= 0 ? i : 1);
}

void FilePriorityDelegate::setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const {
  auto* combo = static_cast<QComboBox*>(editor);
  model->setData(index, combo->currentData(), Qt::EditRole);
}

}  // namespace tessera::gui
