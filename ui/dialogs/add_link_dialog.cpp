#include "dialogs/add_link_dialog.hpp"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>
#include <tessera/magnet.hpp>

namespace tessera::gui {

LinkCheck checkLink(const QString& text) {
  LinkCheck c;
  const QString t = text.trimmed();
  if (t.isEmpty()) return c;
  if (is_magnet_link(t.toStdString())) {
    auto info = parse_magnet(t.toStdString());
    if (!info) {
      c.kind = LinkCheck::Kind::invalid;
      c.error = QString::fromStdString(info.error());
      return c;
    }
    c.kind = LinkCheck::Kind::magnet;
    c.name = QString::fromStdString(info->name);
    c.infoHash = QString::fromStdString(info->info_hash);
    c.trackers = static_cast<int>(info->trackers.size());
    c.peers = static_cast<int>(info->peers.size());
    return c;
  }
  const QUrl url(t, QUrl::StrictMode);
  const QString scheme = url.scheme().toLower();
  if (url.isValid() && (scheme == QLatin1String("http") || scheme == QLatin1String("https")) &&
      !url.host().isEmpty()) {
    c.kind = LinkCheck::Kind::url;
    c.url = url;
    return c;
  }
  c.kind = LinkCheck::Kind::invalid;
  c.error = AddLinkDialog::tr("Not a magnet link or an http(s) address");
  return c;
}

AddLinkDialog::AddLinkDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Add Magnet Link or URL"));
  auto* layout = new QVBoxLayout(this);
  auto* prompt = new QLabel(tr("&Magnet link, or the http(s) address of a .torrent file:"), this);
  edit_ = new QLineEdit(this);
  edit_->setPlaceholderText(QStringLiteral("magnet:?xt=urn:btih:…"));
  edit_->setClearButtonEnabled(true);
  prompt->setBuddy(edit_);
  layout->addWidget(prompt);
  layout->addWidget(edit_);
  status_ = new QLabel(this);
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(status_);

  details_ = new QWidget(this);
  auto* form = new QFormLayout(details_);
  form->setContentsMargins(0, 0, 0, 0);
  name_ = new QLabel(details_);
  hash_ = new QLabel(details_);
  trackers_ = new QLabel(details_);
  for (QLabel* l : {name_, hash_, trackers_}) l->setTextInteractionFlags(Qt::TextSelectableByMouse);
  name_->setWordWrap(true);
  form->addRow(tr("Name:"), name_);
  form->addRow(tr("Info-hash:"), hash_);
  form->addRow(tr("Sources:"), trackers_);
  layout->addWidget(details_);
  layout->addStretch(1);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  addButton_ = buttons->button(QDialogButtonBox::Ok);
  addButton_->setText(tr("Add"));
  addButton_->setDefault(true);  // Enter in the text adds it
  layout->addWidget(buttons);
  connect(buttons, &QDialogButtonBox::accepted, this, &AddLinkDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &AddLinkDialog::reject);
  connect(edit_, &QLineEdit::textChanged, this, &AddLinkDialog::update);

  // Like other clients: a link already on the clipboard is offered at once.
  if (const QClipboard* clipboard = QApplication::clipboard()) {
    const QString copied = clipboard->text().trimmed();
    const LinkCheck::Kind kind = checkLink(copied).kind;
    if (kind == LinkCheck::Kind::magnet || kind == LinkCheck::Kind::url) edit_->setText(copied);
  }
  update();
  edit_->selectAll();
  edit_->setFocus();
  resize(std::max(560, fontMetrics().horizontalAdvance(QLatin1Char('m')) * 60), sizeHint().height());
}

void AddLinkDialog::setText(const QString& text) {
  edit_->setText(text);
}
QString AddLinkDialog::text() const {
  return edit_->text().trimmed();
}
QString AddLinkDialog::statusText() const {
  return status_->text();
}
bool AddLinkDialog::canAdd() const {
  return addButton_->isEnabled();
}

void AddLinkDialog::update() {
  check_ = checkLink(edit_->text());
  details_->setVisible(check_.kind == LinkCheck::Kind::magnet);
  status_->setStyleSheet(check_.kind == LinkCheck::Kind::invalid ? QStringLiteral("color: #c0392b")
                                                                 : QString());
  switch (check_.kind) {
    case LinkCheck::Kind::empty:
      status_->setText(tr("Paste a link (Ctrl+V)."));
      break;
    case LinkCheck::Kind::invalid:
      status_->setText(check_.error);
      break;
    case LinkCheck::Kind::url:
      status_->setText(tr("The .torrent file will be downloaded from %1, then shown before it is added.")
                           .arg(check_.url.host()));
      break;
    case LinkCheck::Kind::magnet: {
      status_->setText(tr("A magnet link: the file list comes from peers once it is added."));
      name_->setText(check_.name.isEmpty() ? tr("(none given; it comes with the metadata)") : check_.name);
      hash_->setText(check_.infoHash);
      const QString trackers =
          check_.trackers == 1 ? tr("1 tracker") : tr("%1 trackers").arg(check_.trackers);
      const QString peers = check_.peers == 1 ? tr("1 peer") : tr("%1 peers").arg(check_.peers);
      trackers_->setText(tr("%1, %2").arg(trackers, peers));
      break;
    }
  }
  addButton_->setEnabled(check_.kind == LinkCheck::Kind::magnet || check_.kind == LinkCheck::Kind::url);
}

void AddLinkDialog::accept() {
  if (!canAdd()) return;
  if (check_.kind == LinkCheck::Kind::magnet) {
    emit magnetChosen(text());
  } else {
    emit urlChosen(check_.url);
  }
  QDialog::accept();
}

}  // namespace tessera::gui
