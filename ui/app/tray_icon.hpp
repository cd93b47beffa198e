// The icon in the notification area: a menu (show the window, start or pause everything, the
// alternative caps, quit), the rates in its tooltip, a click that hides or shows the window, and
// balloons for what the user should hear of while the window is away.
#pragma once

#include <QList>
#include <QObject>

#include <tessera/status.hpp>

class QAction;
class QMenu;
class QSystemTrayIcon;
class QWidget;

namespace tessera::gui {

class TrayIcon : public QObject {
  Q_OBJECT

 public:
  // `menuActions` go under "Show Tessera" in the icon's menu; nullptr entries are separators.
  TrayIcon(QWidget& window, QList<QAction*> menuActions, QObject* parent = nullptr);

  // Shown when wanted and the desktop has a notification area; created on first need.
  void setWanted(bool wanted);
  bool isShown() const;
  void showRates(const SessionSnapshot& snapshot);
  void notify(const QString& title, const QString& text);
  // Closing the window with "close to tray" on: true when it should only hide (and, the first
  // time, a balloon says that Tessera still runs).
  bool hideInsteadOfClose(bool closeToTray);

 signals:
  void showRequested();

 private:
  void create();

  QWidget& window_;
  QList<QAction*> menuActions_;
  QSystemTrayIcon* tray_ = nullptr;
  QMenu* menu_ = nullptr;
  bool toldAboutTray_ = false;
};

}  // namespace tessera::gui
