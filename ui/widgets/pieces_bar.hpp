// A one-line picture of a torrent's pieces, squeezed to the widget's width: either which pieces we
// have (and which are partly downloaded), or how many connected peers have each piece.
#pragma once

#include <QImage>
#include <QWidget>

#include <cstdint>
#include <string>
#include <vector>

namespace tessera::gui {

class PiecesBar : public QWidget {
  Q_OBJECT

 public:
  enum class Mode { have, availability };
  explicit PiecesBar(Mode mode, QWidget* parent = nullptr);

  // have: wire-order bitfield (one bit per piece) and the pieces in progress.
  void setPieces(std::uint32_t pieceCount, const std::string& haveBitfield,
                 const std::vector<std::uint32_t>& partial);
  // availability: connected peers having each piece.
  void setAvailability(const std::vector<std::uint16_t>& availability);
  void clear();

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  void render();

  Mode mode_;
  std::uint32_t pieceCount_ = 0;
  std::vector<float> have_;     // per piece: 1 have, 0.5 partial, 0 missing
  std::vector<std::uint16_t> availability_;
  QImage image_;                // one row, the widget's width
};

}  // namespace tessera::gui
