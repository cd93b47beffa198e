// Preferences: Speed, Connection, Downloads, Behaviour, Advanced. Every input is bound to one
// Preferences key (app/preferences.hpp); OK and Apply hand the whole struct on, to be saved and
// applied to the running session at once.
#pragma once

#include <QDialog>

#include <vector>

#include "app/preferences.hpp"

class QLabel;
class QListWidget;
class QStackedWidget;

namespace tessera::gui {

class PreferencesDialog : public QDialog {
  Q_OBJECT

 public:
  enum Page : int { SpeedPage, ConnectionPage, DownloadsPage, BehaviourPage, AdvancedPage };

  PreferencesDialog(const Preferences& prefs, QWidget* parent = nullptr);

  void openPage(Page page);
  Page currentPage() const;
  // What the widgets hold now.
  Preferences preferences() const;
  void setPreferences(const Preferences& prefs);
  // Facts shown for information: where torrents are kept, the port in use, tray support.
  void setEnvironment(const QString& stateDir, int listenPort, bool trayAvailable);
  // The input bound to a QSettings key (tests drive the dialog through it).
  QWidget* inputFor(const QString& key) const;

 signals:
  void applied(const tessera::gui::Preferences& prefs);

 private:
  struct Binding {
    QWidget* widget;
    const PreferenceKey* key;
  };
  void bind(QWidget* widget, const char* key);
  QWidget* speedPage();
  QWidget* connectionPage();
  QWidget* downloadsPage();
  QWidget* behaviourPage();
  QWidget* advancedPage();

  std::vector<Binding> bindings_;
  QListWidget* pages_;
  QStackedWidget* stack_;
  QLabel* stateDir_ = nullptr;
  QLabel* port_ = nullptr;
  QLabel* trayNote_ = nullptr;
};

}  // namespace tessera::gui
