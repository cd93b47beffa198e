#include "widgets/transfer_status_bar.hpp"

#include <QLabel>
#include <QStringList>
#include <QStatusBar>
#include <QToolButton>

#include "util/disk_of.hpp"
#include "util/format.hpp"
#include "util/icons.hpp"

namespace tessera::gui {

QString rateWithCap(std::int64_t rate, std::int64_t cap) {
  if (cap <= 0) return formatRate(rate);
  return TransferStatusBar::tr("%1 (cap %2)").arg(formatRate(rate), formatRate(cap));
}

QString dhtStatusText(const SessionSnapshot& s) {
  switch (s.dht_state) {
    case DhtState::off: return TransferStatusBar::tr("DHT: off");
    case DhtState::bootstrapping: return TransferStatusBar::tr("DHT: starting");
    case DhtState::ready:
      return s.dht_nodes == 1 ? TransferStatusBar::tr("DHT: 1 node") : TransferStatusBar::tr("DHT: %1 nodes").arg(s.dht_nodes);
  }
  return {};
}

QString dhtStatusToolTip(const SessionSnapshot& s) {
  QStringList lines;
  switch (s.dht_state) {
    case DhtState::off: lines << TransferStatusBar::tr("The DHT (peers without trackers) is off."); break;
    case DhtState::bootstrapping: lines << TransferStatusBar::tr("The DHT is joining the network."); break;
    case DhtState::ready:
      lines << TransferStatusBar::tr("The DHT finds peers without trackers: %1 nodes in its table.").arg(s.dht_nodes);
      break;
  }
  if (!s.dht_problem.empty()) lines << TransferStatusBar::tr("DHT: %1").arg(QString::fromStdString(s.dht_problem));
  if (!s.lsd_problem.empty()) {
    lines << TransferStatusBar::tr("Local peer discovery: %1").arg(QString::fromStdString(s.lsd_problem));
  }
  lines << TransferStatusBar::tr("Switch them in Preferences ▸ Connection.");
  return lines.join(QLatin1Char('\n'));
}

namespace {

QToolButton* flatButton(QWidget* parent, const QIcon& icon, const QString& tip) {
  auto* b = new QToolButton(parent);
  b->setAutoRaise(true);
  b->setIcon(icon);
  b->setIconSize(QSize(16, 16));
  b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  b->setToolTip(tip);
  b->setFocusPolicy(Qt::NoFocus);
  return b;
}

}  // namespace

TransferStatusBar::TransferStatusBar(QStatusBar* bar, QObject* parent) : QObject(parent), bar_(bar) {
  freeSpace_ = new QLabel(bar);
  freeSpace_->setToolTip(tr("Free space in the default save folder"));
  peers_ = new QLabel(bar);
  peers_->setToolTip(tr("Peers connected, over all torrents"));
  dht_ = new QLabel(bar);
  down_ = flatButton(bar, ownIcon(QStringLiteral("download")), tr("Total download rate (click to set the caps)"));
  up_ = flatButton(bar, ownIcon(QStringLiteral("upload")), tr("Total upload rate (click to set the caps)"));
  alt_ = flatButton(bar, ownIcon(QStringLiteral("alt-speed")),
                    tr("Alternative speed caps (click to switch them on or off)"));
  alt_->setCheckable(true);
  alt_->setToolButtonStyle(Qt::ToolButtonIconOnly);
  bar->addPermanentWidget(freeSpace_);
  bar->addPermanentWidget(peers_);
  bar->addPermanentWidget(dht_);
  bar->addPermanentWidget(down_);
  bar->addPermanentWidget(up_);
  bar->addPermanentWidget(alt_);
  connect(down_, &QToolButton::clicked, this, &TransferStatusBar::speedClicked);
  connect(up_, &QToolButton::clicked, this, &TransferStatusBar::speedClicked);
  connect(alt_, &QToolButton::toggled, this, &TransferStatusBar::altSpeedToggled);
  down_->setText(rateWithCap(0, 0));
  up_->setText(rateWithCap(0, 0));
  peers_->setText(tr("Peers: %1").arg(0));
  dht_->setText(dhtStatusText(SessionSnapshot{}));
}

void TransferStatusBar::showSnapshot(const SessionSnapshot& s) {
  // Each as wide as its widest possible text, so the bar does not jump as the rates change.
  auto fit = [this](QToolButton* button, std::int64_t cap) {
    const QString widest = cap > 0 ? tr("%1 (cap %2)").arg(QStringLiteral("1023 KiB/s"), QStringLiteral("1023 KiB/s"))
                                   : QStringLiteral("1023 KiB/s");
    button->setMinimumWidth(bar_->fontMetrics().horizontalAdvance(widest) + button->iconSize().width() + 20);
  };
  fit(down_, s.download_limit);
  fit(up_, s.upload_limit);
  down_->setText(rateWithCap(s.down_rate, s.download_limit));
  up_->setText(rateWithCap(s.up_rate, s.upload_limit));
  peers_->setText(tr("Peers: %1").arg(s.connections));
  dht_->setText(dhtStatusText(s));
  dht_->setToolTip(dhtStatusToolTip(s));
}

void TransferStatusBar::setFreeSpaceFolder(const QString& folder) {
  folder_ = folder;
  refreshFreeSpace();
}

void TransferStatusBar::refreshFreeSpace() {
  const QStorageInfo storage = diskOf(folder_);
  if (storage.isValid() && storage.isReady()) {
    freeSpace_->setText(tr("Free space: %1").arg(formatSize(storage.bytesAvailable())));
    freeSpace_->setToolTip(tr("Free space in %1").arg(folder_));
  } else {
    freeSpace_->setText(tr("Free space: unknown"));
  }
}

void TransferStatusBar::setAltSpeedEnabled(bool enabled) {
  const QSignalBlocker block(alt_);
  alt_->setChecked(enabled);
}

QString TransferStatusBar::downText() const { return down_->text(); }
QString TransferStatusBar::upText() const { return up_->text(); }
QString TransferStatusBar::peersText() const { return peers_->text(); }
QString TransferStatusBar::freeSpaceText() const { return freeSpace_->text(); }
QString TransferStatusBar::dhtText() const { return dht_->text(); }
QString TransferStatusBar::dhtToolTip() const { return dht_->toolTip(); }

}  // namespace tessera::gui
