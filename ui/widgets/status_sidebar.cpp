#include "widgets/status_sidebar.hpp"

#include "util/icons.hpp"

namespace tessera::gui {

QString statusFilterName(StatusFilter filter) {
  switch (filter) {
    case StatusFilter::all: return StatusSidebar::tr("All");
    case StatusFilter::downloading: return StatusSidebar::tr("Downloading");
    case StatusFilter::seeding: return StatusSidebar::tr("Seeding");
    case StatusFilter::completed: return StatusSidebar::tr("Completed");
    case StatusFilter::paused: return StatusSidebar::tr("Paused");
    case StatusFilter::errored: return StatusSidebar::tr("Errored");
  }
  return {};
}

namespace {

QString iconName(StatusFilter filter) {
  switch (filter) {
    case StatusFilter::all: return QStringLiteral("filter-all");
    case StatusFilter::downloading: return QStringLiteral("state-downloading");
    case StatusFilter::seeding: return QStringLiteral("state-seeding");
    case StatusFilter::completed: return QStringLiteral("state-completed");
    case StatusFilter::paused: return QStringLiteral("state-paused");
    case StatusFilter::errored: return QStringLiteral("state-error");
  }
  return {};
}

}  // namespace

StatusSidebar::StatusSidebar(QWidget* parent) : QListWidget(parent) {
  setSelectionMode(QAbstractItemView::SingleSelection);
  setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setIconSize(QSize(16, 16));
  setSpacing(1);
  for (int f = 0; f < kStatusFilterCount; ++f) {
    auto* item = new QListWidgetItem(ownIcon(iconName(static_cast<StatusFilter>(f))), labelFor(static_cast<StatusFilter>(f)), this);
    item->setData(Qt::UserRole, f);
  }
  setCurrentRow(0);
  connect(this, &QListWidget::currentRowChanged, this, [this](int row) {
    if (row >= 0) emit filterChanged(static_cast<StatusFilter>(row));
  });
}

QString StatusSidebar::labelFor(StatusFilter filter) const {
  return QStringLiteral("%1 (%2)").arg(statusFilterName(filter)).arg(counts_[static_cast<std::size_t>(filter)]);
}

void StatusSidebar::updateCounts(const TorrentListModel& model) {
  for (int f = 0; f < kStatusFilterCount; ++f) {
    counts_[static_cast<std::size_t>(f)] = model.countFor(static_cast<StatusFilter>(f));
    if (QListWidgetItem* it = item(f)) {
      const QString text = labelFor(static_cast<StatusFilter>(f));
      if (it->text() != text) it->setText(text);
    }
  }
}

StatusFilter StatusSidebar::current() const { return static_cast<StatusFilter>(std::max(0, currentRow())); }

void StatusSidebar::setCurrent(StatusFilter filter) { setCurrentRow(static_cast<int>(filter)); }

QSize StatusSidebar::sizeHint() const {
  // Wide enough for the longest label with a four-digit count.
  int widest = 0;
  for (int f = 0; f < kStatusFilterCount; ++f) {
    widest = std::max(widest, fontMetrics().horizontalAdvance(
                                  QStringLiteral("%1 (8888)").arg(statusFilterName(static_cast<StatusFilter>(f)))));
  }
  return {widest + iconSize().width() + 36, QListWidget::sizeHint().height()};
}

}  // namespace tessera::gui
