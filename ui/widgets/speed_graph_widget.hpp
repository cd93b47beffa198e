// The Speed tab: the session's and the selected torrent's download and upload rates over the last
// five minutes, with the caps in force drawn as dashed horizontal lines.
#pragma once

#include <QWidget>

#include <cstdint>

#include <tessera/status.hpp>

namespace tessera::gui {

class SpeedHistory;

class SpeedGraphWidget : public QWidget {
  Q_OBJECT

 public:
  explicit SpeedGraphWidget(QWidget* parent = nullptr);

  void setHistory(const SpeedHistory* history) { history_ = history; }
  // 0: no torrent series.
  void setTorrent(TorrentId id) { torrent_ = id; }
  // bytes/s, 0 = none.
  void setCaps(std::int64_t sessionDown, std::int64_t sessionUp, std::int64_t torrentDown, std::int64_t torrentUp);

  QSize sizeHint() const override { return {600, 260}; }
  QSize minimumSizeHint() const override { return {320, 160}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  const SpeedHistory* history_ = nullptr;
  TorrentId torrent_ = 0;
  std::int64_t capSessionDown_ = 0, capSessionUp_ = 0, capTorrentDown_ = 0, capTorrentUp_ = 0;
};

// The smallest 1/2/5 × 10^k multiple of 1 KiB/s at least `value`: a readable axis maximum.
std::int64_t niceAxisMaximum(std::int64_t value);

}  // namespace tessera::gui
