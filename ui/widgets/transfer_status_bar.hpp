// The status bar's permanent part: free space of the save folder, peers connected, the DHT's state
// and node count, the total rates with their caps (clicking them opens the speed preferences) and
// the alternative-caps toggle.
#pragma once

#include <QObject>
#include <QString>

#include <tessera/status.hpp>

class QLabel;
class QStatusBar;
class QToolButton;

namespace tessera::gui {

class TransferStatusBar : public QObject {
  Q_OBJECT

 public:
  TransferStatusBar(QStatusBar* bar, QObject* parent = nullptr);

  void showSnapshot(const SessionSnapshot& snapshot);
  void setFreeSpaceFolder(const QString& folder);
  void refreshFreeSpace();
  void setAltSpeedEnabled(bool enabled);

  QString downText() const;
  QString upText() const;
  QString peersText() const;
  QString freeSpaceText() const;
  QString dhtText() const;
  QString dhtToolTip() const;

 signals:
  void speedClicked();
  void altSpeedToggled(bool enabled);

 private:
  QStatusBar* bar_;
  QLabel* freeSpace_;
  QLabel* peers_;
  QLabel* dht_;
  QToolButton* down_;
  QToolButton* up_;
  QToolButton* alt_;
  QString folder_;
};

// "1.2 MiB/s (cap 2.0 MiB/s)", or just the rate without a cap.
QString rateWithCap(std::int64_t rate, std::int64_t cap);
// "DHT: 312 nodes", "DHT: starting", "DHT: off"; and the tooltip with what is wrong, if anything.
QString dhtStatusText(const SessionSnapshot& snapshot);
QString dhtStatusToolTip(const SessionSnapshot& snapshot);

}  // namespace tessera::gui
