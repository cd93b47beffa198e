#include "dialogs/torrent_limits_dialog.hpp"

#include <QButtonGroup>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QRadioButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>

#include "util/format.hpp"

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

QLabel* hint(const QString& text, QWidget* parent) {
  auto* label = new QLabel(text, parent);
  label->setForegroundRole(QPalette::PlaceholderText);
  label->setWordWrap(true);
  return label;
}

// Ratios are compared as shown: two decimals.
bool sameRatio(double a, double b) { return std::llround(a * 100.0) == std::llround(b * 100.0); }

}  // namespace

TorrentLimitsDialog::TorrentLimitsDialog(const QString& what, std::int64_t download, std::int64_t upload,
                                         std::optional<double> ratioLimit, double sessionRatio, QWidget* parent)
    : QDialog(parent) {
  setWindowTitle(tr("Torrent Limits"));
  auto* layout = new QVBoxLayout(this);
  auto* title = new QLabel(tr("Limits for %1:").arg(what), this);
  title->setWordWrap(true);
  layout->addWidget(title);

  auto* caps = new QGroupBox(tr("Speed caps"), this);
  auto* form = new QFormLayout(caps);
  down_ = capSpin(caps, download);
  up_ = capSpin(caps, upload);
  form->addRow(tr("Download:"), down_);
  form->addRow(tr("Upload:"), up_);
  form->addRow(hint(tr("These come on top of the global caps in Preferences."), caps));
  layout->addWidget(caps);

  auto* share = new QGroupBox(tr("Share ratio"), this);
  auto* slayout = new QVBoxLayout(share);
  follow_ = new QRadioButton(sessionRatio > 0
                                 ? tr("As in Preferences (stop seeding at ratio %1)").arg(formatRatio(sessionRatio))
                                 : tr("As in Preferences (keep seeding)"),
                             share);
  follow_->setObjectName(QStringLiteral("ratio_follow"));
  never_ = new QRadioButton(tr("Never stop seeding"), share);
  never_->setObjectName(QStringLiteral("ratio_never"));
  atRatio_ = new QRadioButton(tr("Stop seeding at ratio"), share);
  atRatio_->setObjectName(QStringLiteral("ratio_at"));
  ratio_ = new QDoubleSpinBox(share);
  ratio_->setObjectName(QStringLiteral("ratio_value"));
  ratio_->setRange(0.1, 100);
  ratio_->setDecimals(2);
  ratio_->setSingleStep(0.1);
  ratio_->setValue(sessionRatio > 0 ? sessionRatio : 2.0);
  auto* group = new QButtonGroup(share);
  for (QRadioButton* b : {follow_, never_, atRatio_}) group->addButton(b);
  auto* atRow = new QHBoxLayout();
  atRow->addWidget(atRatio_);
  atRow->addWidget(ratio_);
  atRow->addStretch(1);
  slayout->addWidget(follow_);
  slayout->addWidget(never_);
  slayout->addLayout(atRow);
  slayout->addWidget(hint(tr("The ratio is uploaded over downloaded. A torrent you start again after it was "
                             "stopped seeds on."),
                          share));
  layout->addWidget(share);
  connect(atRatio_, &QRadioButton::toggled, ratio_, &QWidget::setEnabled);
  setRatioLimit(ratioLimit);
  initialRatio_ = this->ratioLimit();

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  layout->addWidget(buttons);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  setMinimumWidth(400);
}

std::int64_t TorrentLimitsDialog::downloadLimit() const { return std::int64_t{down_->value()} * 1024; }
std::int64_t TorrentLimitsDialog::uploadLimit() const { return std::int64_t{up_->value()} * 1024; }

std::optional<double> TorrentLimitsDialog::ratioLimit() const {
  if (never_->isChecked()) return 0.0;
  if (atRatio_->isChecked()) return ratio_->value();
  return std::nullopt;
}

void TorrentLimitsDialog::setRatioLimit(std::optional<double> limit) {
  if (!limit) {
    follow_->setChecked(true);
  } else if (*limit <= 0) {
    never_->setChecked(true);
  } else {
    atRatio_->setChecked(true);
    ratio_->setValue(*limit);
  }
  ratio_->setEnabled(atRatio_->isChecked());
}

bool TorrentLimitsDialog::ratioChanged() const {
  const std::optional<double> now = ratioLimit();
  if (now.has_value() != initialRatio_.has_value()) return true;
  return now && !sameRatio(*now, *initialRatio_);
}


}  // namespace tessera::gui
