// The sidebar: All, Downloading, Seeding, Completed, Paused, Errored, each with its count.
#pragma once

#include <QListWidget>

#include "models/torrent_list_model.hpp"

namespace tessera::gui {

class StatusSidebar : public QListWidget {
  Q_OBJECT

 public:
  explicit StatusSidebar(QWidget* parent = nullptr);

  void updateCounts(const TorrentListModel& model);
  StatusFilter current() const;
  void setCurrent(StatusFilter filter);
  QString labelFor(StatusFilter filter) const;  // the item's text, e.g. "Seeding (3)"

  QSize sizeHint() const override;

 signals:
  void filterChanged(tessera::gui::StatusFilter filter);

 private:
  std::array<int, kStatusFilterCount> counts_{};
};

QString statusFilterName(StatusFilter filter);

}  // namespace tessera::gui
