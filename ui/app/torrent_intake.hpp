// Where new torrents come from besides File ▸ Add: .torrent files, magnet links and web addresses of
// .torrent files dropped on the window, the command line, and a second launch handing its arguments
// over (the browser's magnet links come that way). Everything goes to the TorrentAdder; --demo,
// from a second launch, asks for the demo swarm.
#pragma once

#include <QObject>
#include <QStringList>

class QWidget;

namespace tessera::gui {

struct LaunchOptions;
class TorrentAdder;

class TorrentIntake : public QObject {
  Q_OBJECT

 public:
  // Accepts drops on `dropTarget` (and on whatever inside it does not take them itself).
  TorrentIntake(TorrentAdder& adder, QWidget& dropTarget, QObject* parent = nullptr);

  // The torrents and magnets this run was started with.
  void addLaunchTorrents(const LaunchOptions& options);
  // Arguments of a second launch (program name left out): torrents to add, --demo.
  void handleArguments(const QStringList& arguments);

 signals:
  void demoRequested();
  void frontRequested();
  void errorOccurred(const QString& message);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  QWidget& dropTarget_;
  TorrentAdder& adder_;
};

}  // namespace tessera::gui
