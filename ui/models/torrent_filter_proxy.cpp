#include "models/torrent_filter_proxy.hpp"

#include "util/natural_compare.hpp"

namespace tessera::gui {

TorrentFilterProxy::TorrentFilterProxy(QObject* parent) : QSortFilterProxyModel(parent) {
  setSortRole(TorrentListModel::SortRole);
  setDynamicSortFilter(true);
  // Re-filter on a change in any column: a torrent changes category when its state does.
  setFilterKeyColumn(-1);
  setSortCaseSensitivity(Qt::CaseInsensitive);
  setSortLocaleAware(true);
}

void TorrentFilterProxy::setStatusFilter(StatusFilter filter) {
  if (filter == status_) return;
  status_ = filter;
  invalidateRowsFilter();
}

void TorrentFilterProxy::setNameFilter(const QString& text) {
  const QString trimmed = text.trimmed();
  if (trimmed == name_) return;
  name_ = trimmed;
  invalidateRowsFilter();
}

bool TorrentFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex&) const {
  const auto* model = static_cast<const TorrentListModel*>(sourceModel());
  const TorrentRow* row = model->rowAt(sourceRow);
  if (row == nullptr || !row->matches(status_)) return false;
  return name_.isEmpty() || row->name.contains(name_, Qt::CaseInsensitive);
}

bool TorrentFilterProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const {
  const QVariant l = left.data(sortRole());
  const QVariant r = right.data(sortRole());
  if (left.column() == TorrentListModel::NameColumn) {
    return naturalCompare(l.toString(), r.toString()) < 0;
  }
  if (l == r) {
    // Ties broken by name, so equal values keep a stable, sensible order.
    return QString::localeAwareCompare(left.sibling(left.row(), 0).data().toString(),
                                       right.sibling(right.row(), 0).data().toString()) < 0;
  }
  return QSortFilterProxyModel::lessThan(left, right);
}

}  // namespace tessera::gui
