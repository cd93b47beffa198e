// Speed caps for the selected torrents (on top of the global caps).
#pragma once

#include <QDialog>

#include <cstdint>

class QSpinBox;

namespace tessera::gui {

class TorrentLimitsDialog : public QDialog {
  Q_OBJECT

 public:
  // Caps in bytes/s (0 = none); `what` names the torrents ("ubuntu.iso", "3 torrents").
  TorrentLimitsDialog(const QString& what, std::int64_t download, std::int64_t upload, QWidget* parent = nullptr);

  std::int64_t downloadLimit() const;  // bytes/s
  std::int64_t uploadLimit() const;

 private:
  QSpinBox* down_;
  QSpinBox* up_;
};

}  // namespace tessera::gui
