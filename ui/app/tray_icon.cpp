#include "app/tray_icon.hpp"

#include <QMenu>
#include <QSystemTrayIcon>
#include <QWidget>

#include "util/icons.hpp"
#include "widgets/transfer_status_bar.hpp"

namespace tessera::gui {

TrayIcon::TrayIcon(QWidget& window, QList<QAction*> menuActions, QObject* parent)
    : QObject(parent), window_(window), menuActions_(std::move(menuActions)) {}

void TrayIcon::setWanted(bool wanted) {
  if (!wanted || !QSystemTrayIcon::isSystemTrayAvailable()) {
    if (tray_ != nullptr) tray_->hide();
    return;
  }
  if (tray_ == nullptr) create();
  tray_->show();
}

void TrayIcon::create() {
  tray_ = new QSystemTrayIcon(appIcon(), this);
  menu_ = new QMenu(&window_);
  QAction* show = menu_->addAction(tr("Show Tessera"));
  connect(show, &QAction::triggered, this, &TrayIcon::showRequested);
  menu_->addSeparator();
  for (QAction* a : menuActions_) {
    if (a == nullptr) {
      menu_->addSeparator();
    } else {
      menu_->addAction(a);
    }
  }
  tray_->setContextMenu(menu_);
  tray_->setToolTip(QStringLiteral("Tessera"));
  connect(tray_, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
    if (reason != QSystemTrayIcon::Trigger) return;
    if (window_.isVisible() && !window_.isMinimized()) {
      window_.hide();
    } else {
      emit showRequested();
    }
  });
}

bool TrayIcon::isShown() const { return tray_ != nullptr && tray_->isVisible(); }

void TrayIcon::showRates(const SessionSnapshot& s) {
  if (tray_ == nullptr) return;
  tray_->setToolTip(tr("Tessera\nDown: %1\nUp: %2")
                        .arg(rateWithCap(s.down_rate, s.download_limit), rateWithCap(s.up_rate, s.upload_limit)));
}

void TrayIcon::notify(const QString& title, const QString& text) {
  if (isShown()) tray_->showMessage(title, text, QSystemTrayIcon::Information, 8000);
}

bool TrayIcon::hideInsteadOfClose(bool closeToTray) {
  if (!closeToTray || !isShown()) return false;
  window_.hide();
  if (!toldAboutTray_) {
    toldAboutTray_ = true;
    tray_->showMessage(tr("Tessera is still running"), tr("Torrents keep going. Quit from this icon's menu."),
                       QSystemTrayIcon::Information, 5000);
  }
  return true;
}

}  // namespace tessera::gui
