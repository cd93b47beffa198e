// Limits for the selected torrents: speed caps (on top of the session's) and the share-ratio rule
// (follow the session's, never stop, or stop seeding at a ratio of its own).
#pragma once

#include <QDialog>

#include <cstdint>
#include <optional>

class QDoubleSpinBox;
class QRadioButton;
class QSpinBox;

namespace tessera::gui {

class TorrentLimitsDialog : public QDialog {
  Q_OBJECT

 public:
  // Caps in bytes/s (0 = none); `what` names the torrents ("ubuntu.iso", "3 torrents").
  // `ratioLimit` is the torrent's own rule as the dialog opens (see ratioLimit()), and
  // `sessionRatio` the session's stop_at_ratio (0: never), to say what following it means.
  TorrentLimitsDialog(const QString& what, std::int64_t download, std::int64_t upload,
                      std::optional<double> ratioLimit, double sessionRatio, QWidget* parent = nullptr);

  std::int64_t downloadLimit() const;  // bytes/s
  std::int64_t uploadLimit() const;
  // nullopt: follow the session; 0: never stop; else stop seeding at this ratio.
  std::optional<double> ratioLimit() const;
  void setRatioLimit(std::optional<double> limit);
  // Whether the ratio choice differs from the one the dialog opened with (only then is it sent:
  // sending it again would re-arm the rule for a torrent the user let seed on).
  bool ratioChanged() const;

  // The rule a snapshot suggests: the limit in effect against the session's. The snapshot does

 private:
  QSpinBox* down_;
  QSpinBox* up_;
  QRadioButton* follow_;
  QRadioButton* never_;
  QRadioButton* atRatio_;
  QDoubleSpinBox* ratio_;
  std::optional<double> initialRatio_;
};

}  // namespace tessera::gui
