// What the window looks like from one run to the next: geometry, toolbar and dock state, the
// splitters, the torrent table's columns (order, widths, hidden, sort), the sidebar filter, the
// details tabs and which panes are shown. A first start gets sizes that fit the screen and the
// user's font, the name column taking the width the others leave.
#pragma once

#include <QObject>

class QAction;
class QMainWindow;
class QSettings;
class QSplitter;
class QTreeView;

namespace tessera::gui {

class DetailsPanel;
class StatusSidebar;

struct WindowParts {
  QMainWindow* window;
  QTreeView* table;       // the torrent table (its model has TorrentListModel's columns)
  QSplitter* sideSplit;   // sidebar | the rest
  QSplitter* mainSplit;   // table over details
  StatusSidebar* sidebar;
  DetailsPanel* details;
  QAction* showSidebar;
  QAction* showDetails;
};

class WindowStateKeeper : public QObject {
  Q_OBJECT

 public:
  WindowStateKeeper(QSettings& settings, WindowParts parts, QObject* parent = nullptr);

  void restore();
  void save();

 protected:
  // The window's first show: the table's width is known only then.
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void sizeColumnsForFirstStart();
  void fitNameColumn();

  QSettings& settings_;
  WindowParts parts_;
  bool fitNameColumn_ = false;
};

}  // namespace tessera::gui
