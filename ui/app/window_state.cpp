#include "app/window_state.hpp"

#include <QDateTime>
#include <QEvent>
#include <QHeaderView>
#include <QLocale>
#include <QMainWindow>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QTimer>
#include <QTreeView>

#include <algorithm>

#include "models/torrent_list_model.hpp"
#include "widgets/details_panel.hpp"
#include "widgets/status_sidebar.hpp"

namespace tessera::gui {

WindowStateKeeper::WindowStateKeeper(QSettings& settings, WindowParts parts, QObject* parent)
    : QObject(parent), settings_(settings), parts_(parts) {
  parts_.window->installEventFilter(this);
}

void WindowStateKeeper::restore() {
  QMainWindow& window = *parts_.window;
  if (!window.restoreGeometry(settings_.value(QStringLiteral("ui/geometry")).toByteArray())) {
    // First start: 1280×800, or nine tenths of a smaller screen.
    const QRect screen = window.screen() != nullptr ? window.screen()->availableGeometry() : QRect(0, 0, 1280, 800);
    window.resize(std::min(1280, screen.width() * 9 / 10), std::min(800, screen.height() * 9 / 10));
  }
  window.restoreState(settings_.value(QStringLiteral("ui/window_state")).toByteArray());
  const QByteArray header = settings_.value(QStringLiteral("ui/torrent_header")).toByteArray();
  if (header.isEmpty() || !parts_.table->header()->restoreState(header)) sizeColumnsForFirstStart();
  if (!parts_.sideSplit->restoreState(settings_.value(QStringLiteral("ui/h_splitter")).toByteArray())) {
    const int sidebar = parts_.sidebar->sizeHint().width();
    parts_.sideSplit->setSizes({sidebar, window.width() - sidebar});
  }
  if (!parts_.mainSplit->restoreState(settings_.value(QStringLiteral("ui/v_splitter")).toByteArray())) {
    parts_.mainSplit->setSizes({window.height() * 45 / 100, window.height() * 55 / 100});
  }
  parts_.sidebar->setCurrent(static_cast<StatusFilter>(
      std::clamp(settings_.value(QStringLiteral("ui/status_filter"), 0).toInt(), 0, kStatusFilterCount - 1)));
  parts_.details->restoreState(settings_);
  parts_.showSidebar->setChecked(settings_.value(QStringLiteral("ui/show_sidebar"), true).toBool());
  parts_.showDetails->setChecked(settings_.value(QStringLiteral("ui/show_details"), true).toBool());
}

void WindowStateKeeper::sizeColumnsForFirstStart() {
  // Widths from sample text, so nothing is clipped at the user's font.
  QTreeView& table = *parts_.table;
  const QFontMetrics fm = table.fontMetrics();
  auto width = [&](const QString& sample, int column) {
    const QString title = table.model()->headerData(column, Qt::Horizontal, Qt::DisplayRole).toString();
    return std::max(fm.horizontalAdvance(sample), fm.horizontalAdvance(title) + 16) + 20;
  };
  using M = TorrentListModel;
  table.setColumnWidth(M::NameColumn, fm.horizontalAdvance(QString(34, QLatin1Char('n'))));
  fitNameColumn_ = true;
  table.setColumnWidth(M::SizeColumn, width(QStringLiteral("999.9 MiB"), M::SizeColumn));
  table.setColumnWidth(M::ProgressColumn, width(QStringLiteral("100.0%    "), M::ProgressColumn));
  table.setColumnWidth(M::StatusColumn, width(QStringLiteral("Fetching metadata"), M::StatusColumn) - 10);
  table.setColumnWidth(M::SeedsColumn, width(QStringLiteral("99 (999)"), M::SeedsColumn));
  table.setColumnWidth(M::PeersColumn, width(QStringLiteral("99 (999)"), M::PeersColumn));
  table.setColumnWidth(M::DownRateColumn, width(QStringLiteral("999.9 KiB/s"), M::DownRateColumn));
  table.setColumnWidth(M::UpRateColumn, width(QStringLiteral("999.9 KiB/s"), M::UpRateColumn));
  table.setColumnWidth(M::EtaColumn, width(QStringLiteral("23h 59m"), M::EtaColumn));
  table.setColumnWidth(M::RatioColumn, width(QStringLiteral("99.99"), M::RatioColumn));
  table.setColumnWidth(M::AddedOnColumn,
                       width(QLocale().toString(QDateTime(QDate(2024, 12, 30), QTime(23, 59)), QLocale::ShortFormat),
                             M::AddedOnColumn));
  table.sortByColumn(M::AddedOnColumn, Qt::AscendingOrder);
}

void WindowStateKeeper::save() {
  settings_.setValue(QStringLiteral("ui/geometry"), parts_.window->saveGeometry());
  settings_.setValue(QStringLiteral("ui/window_state"), parts_.window->saveState());
  settings_.setValue(QStringLiteral("ui/torrent_header"), parts_.table->header()->saveState());
  settings_.setValue(QStringLiteral("ui/h_splitter"), parts_.sideSplit->saveState());
  settings_.setValue(QStringLiteral("ui/v_splitter"), parts_.mainSplit->saveState());
  settings_.setValue(QStringLiteral("ui/status_filter"), static_cast<int>(parts_.sidebar->current()));
  settings_.setValue(QStringLiteral("ui/show_sidebar"), parts_.showSidebar->isChecked());
  settings_.setValue(QStringLiteral("ui/show_details"), parts_.showDetails->isChecked());
  parts_.details->saveState(settings_);
  settings_.sync();
}

bool WindowStateKeeper::eventFilter(QObject* watched, QEvent* event) {
  if (watched == parts_.window && event->type() == QEvent::Show && fitNameColumn_) {
    fitNameColumn_ = false;
    // After layout, when the table's width is known.
    QTimer::singleShot(0, this, &WindowStateKeeper::fitNameColumn);
  }
  return QObject::eventFilter(watched, event);
}

void WindowStateKeeper::fitNameColumn() {
  QTreeView& table = *parts_.table;
  int others = 0;
  for (int c = 1; c < TorrentListModel::ColumnCount; ++c) {
    if (!table.isColumnHidden(c)) others += table.columnWidth(c);
  }
  const int available = table.viewport()->width() - others - 2;
  table.setColumnWidth(TorrentListModel::NameColumn,
                       std::max(table.fontMetrics().horizontalAdvance(QString(24, QLatin1Char('n'))), available));
}

}  // namespace tessera::gui
