#include "widgets/general_tab.hpp"

#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLocale>
#include <QScrollArea>
#include <QStyle>
#include <QVBoxLayout>

#include <algorithm>

#include "util/engine_words.hpp"
#include "util/format.hpp"
#include "widgets/pieces_bar.hpp"

namespace tessera::gui {
namespace {

const QString kDash = QStringLiteral("–");

}  // namespace

GeneralTab::GeneralTab(QWidget* parent) : QWidget(parent) {
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  auto* scroll = new QScrollArea(this);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  outer->addWidget(scroll);
  auto* content = new QWidget(scroll);
  scroll->setWidget(content);
  auto* layout = new QVBoxLayout(content);
  layout->setContentsMargins(8, 8, 8, 8);

  auto* bars = new QGridLayout();
  bars->setHorizontalSpacing(10);
  piecesBar_ = new PiecesBar(PiecesBar::Mode::have, content);
  availabilityBar_ = new PiecesBar(PiecesBar::Mode::availability, content);
  piecesPercent_ = new QLabel(kDash, content);
  availabilityText_ = new QLabel(kDash, content);
  const int valueWidth = fontMetrics().horizontalAdvance(QStringLiteral("100.0% (9999 peers)"));
  piecesPercent_->setMinimumWidth(valueWidth);
  availabilityText_->setMinimumWidth(valueWidth);
  bars->addWidget(new QLabel(tr("Pieces:"), content), 0, 0);
  bars->addWidget(piecesBar_, 0, 1);
  bars->addWidget(piecesPercent_, 0, 2);
  bars->addWidget(new QLabel(tr("Availability:"), content), 1, 0);
  bars->addWidget(availabilityBar_, 1, 1);
  bars->addWidget(availabilityText_, 1, 2);
  piecesBar_->setToolTip(tr("Dark blue: pieces we have; light blue: pieces being downloaded"));
  availabilityBar_->setToolTip(tr("How many connected peers have each piece: the deeper the blue, the more; red: none"));
  bars->setColumnStretch(1, 1);
  layout->addLayout(bars);

  // Why it is not moving: shown only when the engine names a reason.
  stallRow_ = new QWidget(content);
  auto* stallLayout = new QHBoxLayout(stallRow_);
  stallLayout->setContentsMargins(0, 4, 0, 0);
  auto* stallIcon = new QLabel(stallRow_);
  const int iconSize = style()->pixelMetric(QStyle::PM_SmallIconSize);
  stallIcon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(iconSize, iconSize));
  stallIcon->setAlignment(Qt::AlignTop);
  stallText_ = new QLabel(stallRow_);
  stallText_->setWordWrap(true);
  stallText_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  stallText_->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
  stallLayout->addWidget(stallIcon);
  stallLayout->addWidget(stallText_, 1);
  stallRow_->hide();
  layout->addWidget(stallRow_);

  auto* transfer = new QGroupBox(tr("Transfer"), content);
  auto* tgrid = new QGridLayout(transfer);
  tgrid->setHorizontalSpacing(12);
  addField(tgrid, 0, 0, tr("Time active:"));
  addField(tgrid, 0, 1, tr("ETA:"));
  addField(tgrid, 0, 2, tr("Connections:"));
  addField(tgrid, 1, 0, tr("Downloaded:"));
  addField(tgrid, 1, 1, tr("Uploaded:"));
  addField(tgrid, 1, 2, tr("Ratio:"));
  addField(tgrid, 2, 0, tr("Down speed:"));
  addField(tgrid, 2, 1, tr("Up speed:"));
  addField(tgrid, 2, 2, tr("Hash failures:"));
  addField(tgrid, 3, 0, tr("Torrent down cap:"));
  addField(tgrid, 3, 1, tr("Torrent up cap:"));
  addField(tgrid, 3, 2, tr("Status:"));
  addField(tgrid, 4, 0, tr("Share limit:"), 3);
  for (int c = 0; c < 3; ++c) tgrid->setColumnStretch(c * 2 + 1, 1);
  layout->addWidget(transfer);

  auto* info = new QGroupBox(tr("Information"), content);
  auto* igrid = new QGridLayout(info);
  igrid->setHorizontalSpacing(12);
  addField(igrid, 0, 0, tr("Total size:"));
  addField(igrid, 0, 1, tr("Pieces:"));
  addField(igrid, 0, 2, tr("Added on:"));
  // The long ones span the whole width and wrap.
  addField(igrid, 1, 0, tr("Info-hash:"), 3);
  addField(igrid, 2, 0, tr("Save path:"), 3);
  addField(igrid, 3, 0, tr("Comment:"), 3);
  for (int c = 0; c < 3; ++c) igrid->setColumnStretch(c * 2 + 1, 1);
  layout->addWidget(info);
  layout->addStretch(1);
  showTorrent(nullptr);
}

QLabel* GeneralTab::addField(QGridLayout* grid, int row, int column, const QString& name, int span) {
  auto* title = new QLabel(name, grid->parentWidget());
  title->setAlignment(Qt::AlignRight | Qt::AlignTop);
  QFont bold = title->font();
  bold.setBold(true);
  title->setFont(bold);
  auto* value = new QLabel(kDash, grid->parentWidget());
  value->setTextInteractionFlags(Qt::TextSelectableByMouse);
  value->setAlignment(Qt::AlignLeft | Qt::AlignTop);
  grid->addWidget(title, row, column * 2);
  grid->addWidget(value, row, column * 2 + 1, 1, span * 2 - 1);
  if (span > 1) value->setWordWrap(true);
  fields_.emplace_back(name, value);
  return value;
}

QString GeneralTab::stallText() const { return stallRow_->isHidden() ? QString() : stallText_->text(); }

QString GeneralTab::valueText(const QString& field) const {
  for (const auto& [name, label] : fields_) {
    if (name == field) return label->text();
  }
  return {};
}

void GeneralTab::showTorrent(const TorrentStatus* s) {
  auto set = [this](const QString& field, const QString& value) {
    for (auto& [name, label] : fields_) {
      if (name == field) {
        const QString text = value.isEmpty() ? kDash : value;
        if (label->text() != text) label->setText(text);
      }
    }
  };
  if (s == nullptr) {
    for (auto& [name, label] : fields_) label->setText(kDash);
    piecesBar_->clear();
    availabilityBar_->clear();
    piecesPercent_->setText(kDash);
    availabilityText_->setText(kDash);
    stallRow_->hide();
    return;
  }
  const std::int64_t downloaded = std::max(s->all_time_downloaded, s->downloaded);
  const std::int64_t uploaded = std::max(s->all_time_uploaded, s->uploaded);
  set(tr("Time active:"), s->active_s > 0 ? formatDuration(s->active_s) : QString());
  set(tr("ETA:"), s->state == TorrentState::downloading ? formatEta(s->eta_s) : QString());
  set(tr("Connections:"), tr("%1 (%2 seeds, %3 leechers)").arg(s->peers_connected).arg(s->seeds_connected).arg(s->leechers_connected));
  set(tr("Downloaded:"), tr("%1 (this session %2)").arg(formatSize(downloaded), formatSize(s->downloaded)));
  set(tr("Uploaded:"), tr("%1 (this session %2)").arg(formatSize(uploaded), formatSize(s->uploaded)));
  set(tr("Ratio:"), formatRatio(shareRatio(uploaded, downloaded, s->have_bytes)));
  set(tr("Down speed:"), formatRate(s->down_rate));
  set(tr("Up speed:"), formatRate(s->up_rate));
  set(tr("Hash failures:"), QString::number(s->hash_failures));
  // A torrent's own caps; the session-wide ones are in the status bar and still apply.
  const auto ownCap = [this](std::int64_t cap) { return cap > 0 ? formatCap(cap) : tr("none (session caps apply)"); };
  set(tr("Torrent down cap:"), ownCap(s->download_limit));
  set(tr("Torrent up cap:"), ownCap(s->upload_limit));
  QString status;
  switch (s->state) {
    case TorrentState::checking: status = tr("Checking (%1)").arg(formatPercent(s->check_progress)); break;
    case TorrentState::downloading: status = s->down_rate > 0 ? tr("Downloading") : tr("Stalled"); break;
    case TorrentState::seeding: status = tr("Seeding"); break;
    case TorrentState::paused:
      if (s->stopped_at_ratio) {
        status = tr("Stopped at its share ratio");
      } else {
        status = s->progress >= 1.0 ? tr("Completed (paused)") : tr("Paused");
      }
      break;
    case TorrentState::error: status = tr("Error: %1").arg(QString::fromStdString(s->error)); break;
    case TorrentState::fetching_metadata:
      status = s->metadata_pieces > 0 ? tr("Fetching metadata (%1 of %2 pieces)").arg(s->metadata_pieces_have).arg(s->metadata_pieces)
                                      : tr("Fetching metadata");
      break;
  }
  set(tr("Status:"), status);
  // The engine's rule as it stands for this torrent: its own limit or the session's.
  QString shareLimit;
  if (s->stopped_at_ratio) {
    shareLimit = tr("%1, reached: it stopped seeding (Start it to seed on regardless)").arg(formatRatio(s->ratio_limit));
  } else if (s->ratio_limit > 0) {
    shareLimit = tr("stop seeding at ratio %1").arg(formatRatio(s->ratio_limit));
  } else {
    shareLimit = tr("none (seeds until you stop it)");
  }
  set(tr("Share limit:"), shareLimit);
  const QString stall = stallExplanation(s->stall, s->stall_detail);
  if (stallText_->text() != stall) stallText_->setText(stall);
  stallRow_->setVisible(!stall.isEmpty());
  set(tr("Total size:"), s->wanted_size != s->total_size
                             ? tr("%1 (%2 selected)").arg(formatSize(s->total_size), formatSize(s->wanted_size))
                             : formatSize(s->total_size));
  set(tr("Pieces:"), tr("%1 × %2 (have %3)")
                         .arg(s->piece_count)
                         .arg(formatSize(s->piece_length))
                         .arg(s->pieces_have));
  set(tr("Added on:"), formatDateTime(s->added_at));
  set(tr("Info-hash:"), QString::fromStdString(s->info_hash));
  set(tr("Save path:"), QString::fromStdString(s->save_path));
  set(tr("Comment:"), QString::fromStdString(s->comment));

  piecesBar_->setPieces(s->piece_count, s->have_bitfield, s->partial_pieces);
  const double have = s->piece_count > 0 ? static_cast<double>(s->pieces_have) / s->piece_count : 0.0;
  piecesPercent_->setText(formatPercent(have));
  if (s->has_details) {
    availabilityBar_->setAvailability(s->availability);
    // Distributed copies: how many whole copies the connected peers hold between them.
    std::uint16_t least = s->availability.empty() ? 0 : *std::min_element(s->availability.begin(), s->availability.end());
    std::size_t above = 0;
    for (std::uint16_t a : s->availability) above += a > least ? 1 : 0;
    const double copies =
        least + (s->availability.empty() ? 0.0 : static_cast<double>(above) / static_cast<double>(s->availability.size()));
    availabilityText_->setText(tr("%1 copies").arg(QLocale().toString(copies, 'f', 2)));
    availabilityText_->setToolTip(tr("Distributed copies: how many complete copies the connected peers hold"));
  }
}

}  // namespace tessera::gui
