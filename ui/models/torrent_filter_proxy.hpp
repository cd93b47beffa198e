// Sorting and filtering for the torrent table: the sidebar's status category and the search box.
#pragma once

#include <QSortFilterProxyModel>

#include "models/torrent_list_model.hpp"

namespace tessera::gui {

class TorrentFilterProxy : public QSortFilterProxyModel {
  Q_OBJECT

 public:
  explicit TorrentFilterProxy(QObject* parent = nullptr);

  void setStatusFilter(StatusFilter filter);
  StatusFilter statusFilter() const { return status_; }
  void setNameFilter(const QString& text);

 protected:
  bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
  bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

 private:
  StatusFilter status_ = StatusFilter::all;
  QString name_;
};

}  // namespace tessera::gui
