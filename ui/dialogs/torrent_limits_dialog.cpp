#include "dialogs/torrent_limits_dialog.hpp"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

namespace tessera::gui {
namespace {

QSpinBox* capSpin(QWidget* parent, std::int64_t bytes) {
  auto* spin = new QSpinBox(parent);
  spin->setRange(0, 10'000'000);
  spin->setSuffix(QObject::tr(" KiB/s"));
  spin->setSpecialValueText(QObject::tr("Unlimited"));
  spin->setSingleStep(50);
  spin->setAccelerated(true);
  spin->setValue(static_cast<int>((bytes + 1023) / 1024));
  return spin;
}

}  // namespace

TorrentLimitsDialog::TorrentLimitsDialog(const QString& what, std::int64_t download, std::int64_t upload,
                                         QWidget* parent)
    : QDialog(parent) {
  setWindowTitle(tr("Torrent Speed Caps"));
  auto* layout = new QVBoxLayout(this);
  auto* title = new QLabel(tr("Speed caps for %1:").arg(what), this);
  title->setWordWrap(true);
  layout->addWidget(title);
  auto* form = new QFormLayout();
  down_ = capSpin(this, download);
  up_ = capSpin(this, upload);
  form->addRow(tr("Download:"), down_);
  form->addRow(tr("Upload:"), up_);
  layout->addLayout(form);
  auto* hint = new QLabel(tr("These come on top of the global caps in Preferences."), this);
  hint->setForegroundRole(QPalette::PlaceholderText);
  hint->setWordWrap(true);
  layout->addWidget(hint);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  layout->addWidget(buttons);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  setMinimumWidth(360);
}

std::int64_t TorrentLimitsDialog::downloadLimit() const { return std::int64_t{down_->value()} * 1024; }
std::int64_t TorrentLimitsDialog::uploadLimit() const { return std::int64_t{up_->value()} * 1024; }

}  // namespace tessera::gui
