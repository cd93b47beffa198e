#include "widgets/pieces_bar.hpp"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>

#include "widgets/palette_colors.hpp"

namespace tessera::gui {
namespace {

QColor mix(const QColor& a, const QColor& b, double t) {
  t = std::clamp(t, 0.0, 1.0);
  return QColor::fromRgbF(static_cast<float>(a.redF() + (b.redF() - a.redF()) * t),
                          static_cast<float>(a.greenF() + (b.greenF() - a.greenF()) * t),
                          static_cast<float>(a.blueF() + (b.blueF() - a.blueF()) * t));
}

}  // namespace

PiecesBar::PiecesBar(Mode mode, QWidget* parent) : QWidget(parent), mode_(mode) {
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

QSize PiecesBar::sizeHint() const { return {300, fontMetrics().height() + 4}; }
QSize PiecesBar::minimumSizeHint() const { return {50, fontMetrics().height() + 4}; }

void PiecesBar::setPieces(std::uint32_t pieceCount, const std::string& bitfield,
                          const std::vector<std::uint32_t>& partial) {
  std::vector<float> have(pieceCount, 0.0F);
  for (std::uint32_t i = 0; i < pieceCount; ++i) {
    const std::size_t byte = i / 8;
    if (byte < bitfield.size() && (static_cast<unsigned char>(bitfield[byte]) & (0x80U >> (i % 8))) != 0) {
      have[i] = 1.0F;
    }
  }
  for (std::uint32_t p : partial) {
    if (p < pieceCount && have[p] == 0.0F) have[p] = 0.5F;
  }
  if (have == have_ && pieceCount == pieceCount_) return;
  have_ = std::move(have);
  pieceCount_ = pieceCount;
  render();
  update();
}

void PiecesBar::setAvailability(const std::vector<std::uint16_t>& availability) {
  if (availability == availability_) return;
  availability_ = availability;
  pieceCount_ = static_cast<std::uint32_t>(availability.size());
  render();
  update();
}

void PiecesBar::clear() {
  have_.clear();
  availability_.clear();
  pieceCount_ = 0;
  render();
  update();
}

void PiecesBar::resizeEvent(QResizeEvent*) { render(); }

void PiecesBar::render() {
  const int width = std::max(1, this->width() - 2);
  image_ = QImage(width, 1, QImage::Format_RGB32);
  const QColor empty = palette().color(QPalette::Base);
  image_.fill(empty);
  if (pieceCount_ == 0) return;
  std::uint16_t maxAvail = 1;
  for (std::uint16_t a : availability_) maxAvail = std::max(maxAvail, a);
  for (int x = 0; x < width; ++x) {
    // Pieces under this pixel column; at least one, so small torrents show wide blocks.
    const auto first = static_cast<std::uint32_t>(std::uint64_t{pieceCount_} * static_cast<std::uint64_t>(x) /
                                                  static_cast<std::uint64_t>(width));
    auto last = static_cast<std::uint32_t>(std::uint64_t{pieceCount_} * static_cast<std::uint64_t>(x + 1) /
                                           static_cast<std::uint64_t>(width));
    last = std::max(last, first + 1);
    double sum = 0;
    bool anyPartial = false;
    for (std::uint32_t p = first; p < last && p < pieceCount_; ++p) {
      if (mode_ == Mode::have) {
        sum += have_[p] >= 1.0F ? 1.0 : 0.0;
        anyPartial = anyPartial || (have_[p] > 0.0F && have_[p] < 1.0F);
      } else {
        sum += availability_[p];
      }
    }
    const double n = static_cast<double>(last - first);
    QColor c;
    if (mode_ == Mode::have) {
      c = mix(empty, colors::downloading(), sum / n);
      if (anyPartial && sum / n < 0.5) c = colors::partial();
    } else {
      const double avg = sum / n;
      // No peer has it: red; then paler to deeper blue as more peers have it.
      c = avg <= 0.0 ? colors::error().lighter(150)
                     : mix(colors::partial().lighter(115), colors::downloading().darker(130), avg / maxAvail);
    }
    image_.setPixel(x, 0, c.rgb());
  }
}

void PiecesBar::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  const QRect inner = rect().adjusted(1, 1, -1, -1);
  painter.drawImage(inner, image_);
  painter.setPen(palette().color(QPalette::Mid));
  painter.drawRect(rect().adjusted(0, 0, -1, -1));
  if (pieceCount_ == 0) {
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(inner, Qt::AlignCenter, tr("no data yet"));
  }
}

}  // namespace tessera::gui
