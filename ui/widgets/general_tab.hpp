// The General tab: what a torrent is (size, pieces, info-hash, folder, comment) and how it is doing
// (transfer totals, ratio and its limit, time active, caps), with a pieces bar, an availability
// bar, and a line saying why it is not moving when the engine knows.
#pragma once

#include <QWidget>

#include <tessera/status.hpp>

class QLabel;
class QGridLayout;

namespace tessera::gui {

class PiecesBar;

class GeneralTab : public QWidget {
  Q_OBJECT

 public:
  explicit GeneralTab(QWidget* parent = nullptr);

  // nullptr: nothing selected.
  void showTorrent(const TorrentStatus* status);

  QString valueText(const QString& field) const;  // for tests: a field's shown text
  QString stallText() const;                      // the "Not moving: ..." line; empty when hidden

 private:
  QLabel* addField(QGridLayout* grid, int row, int column, const QString& name, int span = 1);

  PiecesBar* piecesBar_;
  PiecesBar* availabilityBar_;
  QLabel* piecesPercent_;
  QLabel* availabilityText_;
  QWidget* stallRow_;
  QLabel* stallText_;
  std::vector<std::pair<QString, QLabel*>> fields_;
};

}  // namespace tessera::gui
