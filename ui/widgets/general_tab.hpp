// The General tab: what a torrent is (size, pieces, info-hash, folder, comment) and how it is doing
// (transfer totals, ratio, time active, caps), with a pieces bar and an availability bar.
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

 private:
  QLabel* addField(QGridLayout* grid, int row, int column, const QString& name, int span = 1);

  PiecesBar* piecesBar_;
  PiecesBar* availabilityBar_;
  QLabel* piecesPercent_;
  QLabel* availabilityText_;
  std::vector<std::pair<QString, QLabel*>> fields_;
};

}  // namespace tessera::gui
