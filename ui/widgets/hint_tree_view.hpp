// A tree view that says why it is empty ("No peers connected yet") instead of showing a blank pane.
#pragma once

#include <QTreeView>

#include <utility>
#include <vector>

namespace tessera::gui {

class HintTreeView : public QTreeView {
  Q_OBJECT

 public:
  explicit HintTreeView(QWidget* parent = nullptr);
  void setEmptyHint(const QString& hint);

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  QString hint_;
};

// Right-clicking the header offers a checkable list of columns to show or hide.
void installColumnChooser(QHeaderView* header);

// A flat list (peers, trackers): no tree decoration, whole rows selected, a column chooser.
HintTreeView* makeListView(QWidget* parent);
// Column widths from sample text, so nothing is clipped at the user's font.
void sizeColumns(QTreeView* view, const std::vector<std::pair<int, QString>>& samples);

}  // namespace tessera::gui
