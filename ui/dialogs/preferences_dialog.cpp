#include "dialogs/preferences_dialog.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>

#include "util/icons.hpp"

namespace tessera::gui {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

QSpinBox* rateSpin(QWidget* parent) {
  auto* spin = new QSpinBox(parent);
  spin->setSuffix(QObject::tr(" KiB/s"));
  spin->setSpecialValueText(QObject::tr("Unlimited"));
  spin->setSingleStep(50);
  spin->setAccelerated(true);
  return spin;
}

QLabel* note(const QString& text, QWidget* parent) {
  auto* label = new QLabel(text, parent);
  label->setWordWrap(true);
  label->setForegroundRole(QPalette::PlaceholderText);
  return label;
}

QWidget* withBrowse(QLineEdit* edit, bool folder, QWidget* parent) {
  auto* row = new QWidget(parent);
  auto* layout = new QHBoxLayout(row);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(edit, 1);
  auto* button = new QPushButton(QObject::tr("Browse…"), row);
  layout->addWidget(button);
  QObject::connect(button, &QPushButton::clicked, row, [edit, folder, row] {
    const QString chosen = folder ? QFileDialog::getExistingDirectory(row, QObject::tr("Choose a Folder"), edit->text())
                                  : QFileDialog::getSaveFileName(row, QObject::tr("Log File"), edit->text());
    if (!chosen.isEmpty()) edit->setText(chosen);
  });
  return row;
}

}  // namespace

PreferencesDialog::PreferencesDialog(const Preferences& prefs, QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Preferences"));
  auto* layout = new QVBoxLayout(this);
  auto* body = new QHBoxLayout();
  pages_ = new QListWidget(this);
  pages_->setIconSize(QSize(24, 24));
  pages_->setSpacing(2);
  stack_ = new QStackedWidget(this);
  const std::vector<std::tuple<QString, QString, QWidget*>> pages = {
      {tr("Speed"), QStringLiteral("speed"), speedPage()},
      {tr("Connection"), QStringLiteral("connection"), connectionPage()},
      {tr("Downloads"), QStringLiteral("downloads"), downloadsPage()},
      {tr("Behaviour"), QStringLiteral("behaviour"), behaviourPage()},
      {tr("Advanced"), QStringLiteral("advanced"), advancedPage()},
  };
  int widest = 0;
  for (const auto& [title, icon, page] : pages) {
    new QListWidgetItem(ownIcon(icon), title, pages_);
    stack_->addWidget(page);
    widest = std::max(widest, fontMetrics().horizontalAdvance(title));
  }
  pages_->setFixedWidth(widest + 24 + 40);
  body->addWidget(pages_);
  body->addWidget(stack_, 1);
  layout->addLayout(body, 1);
  auto* buttons =
      new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::Apply, this);
  layout->addWidget(buttons);
  connect(pages_, &QListWidget::currentRowChanged, stack_, &QStackedWidget::setCurrentIndex);
  connect(buttons, &QDialogButtonBox::accepted, this, [this] {
    emit applied(preferences());
    accept();
  });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(buttons->button(QDialogButtonBox::Apply), &QPushButton::clicked, this, [this] { emit applied(preferences()); });
  setPreferences(prefs);
  openPage(SpeedPage);
  resize(680, 540);
}

void PreferencesDialog::bind(QWidget* widget, const char* key) {
  const PreferenceKey* k = findPreference(QLatin1String(key));
  Q_ASSERT(k != nullptr);
  if (k == nullptr) return;
  widget->setObjectName(QLatin1String(key));
  // Number ranges come from the table, like everything else about a setting.
  if (auto* spin = qobject_cast<QSpinBox*>(widget)) spin->setRange(static_cast<int>(k->min), static_cast<int>(k->max));
  if (auto* spin = qobject_cast<QDoubleSpinBox*>(widget)) spin->setRange(k->min, k->max);
  bindings_.push_back({widget, k});
}

QWidget* PreferencesDialog::inputFor(const QString& key) const {
  for (const Binding& b : bindings_) {
    if (key == QLatin1String(b.key->key)) return b.widget;
  }
  return nullptr;
}

void PreferencesDialog::setPreferences(const Preferences& prefs) {
  for (const Binding& b : bindings_) {
    QWidget* w = b.widget;
    std::visit(Overloaded{
                   [&](int Preferences::*m) {
                     if (auto* spin = qobject_cast<QSpinBox*>(w)) spin->setValue(prefs.*m);
                   },
                   [&](bool Preferences::*m) {
                     if (auto* box = qobject_cast<QCheckBox*>(w)) box->setChecked(prefs.*m);
                   },
                   [&](double Preferences::*m) {
                     if (auto* spin = qobject_cast<QDoubleSpinBox*>(w)) spin->setValue(prefs.*m);
                   },
                   [&](QString Preferences::*m) {
                     if (auto* edit = qobject_cast<QLineEdit*>(w)) edit->setText(prefs.*m);
                     if (auto* combo = qobject_cast<QComboBox*>(w)) {
                       const int i = combo->findData(prefs.*m);
                       combo->setCurrentIndex(i >= 0 ? i : 0);
                     }
                   },
               },
               b.key->member);
  }
}

Preferences PreferencesDialog::preferences() const {
  Preferences prefs;
  for (const Binding& b : bindings_) {
    QWidget* w = b.widget;
    std::visit(Overloaded{
                   [&](int Preferences::*m) {
                     if (auto* spin = qobject_cast<QSpinBox*>(w)) prefs.*m = spin->value();
                   },
                   [&](bool Preferences::*m) {
                     if (auto* box = qobject_cast<QCheckBox*>(w)) prefs.*m = box->isChecked();
                   },
                   [&](double Preferences::*m) {
                     if (auto* spin = qobject_cast<QDoubleSpinBox*>(w)) prefs.*m = spin->value();
                   },
                   [&](QString Preferences::*m) {
                     if (auto* edit = qobject_cast<QLineEdit*>(w)) prefs.*m = edit->text().trimmed();
                     if (auto* combo = qobject_cast<QComboBox*>(w)) prefs.*m = combo->currentData().toString();
                   },
               },
               b.key->member);
  }
  return prefs;
}

void PreferencesDialog::openPage(Page page) {
  pages_->setCurrentRow(static_cast<int>(page));
  stack_->setCurrentIndex(static_cast<int>(page));
}

PreferencesDialog::Page PreferencesDialog::currentPage() const { return static_cast<Page>(stack_->currentIndex()); }

void PreferencesDialog::setEnvironment(const QString& stateDir, int listenPort, bool trayAvailable) {
  stateDir_->setText(stateDir.isEmpty() ? tr("(not kept: no state folder)") : stateDir);
  port_->setText(tr("Listening on port %1 now.").arg(listenPort));
  trayNote_->setVisible(!trayAvailable);
}

QWidget* PreferencesDialog::speedPage() {
  auto* page = new QWidget(this);
  auto* layout = new QVBoxLayout(page);
  auto* global = new QGroupBox(tr("Global speed caps"), page);
  auto* gform = new QFormLayout(global);
  gform->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);  // numbers need no full-width boxes
  auto* down = rateSpin(global);
  auto* up = rateSpin(global);
  bind(down, "speed/download_limit_kib");
  bind(up, "speed/upload_limit_kib");
  gform->addRow(tr("Download:"), down);
  gform->addRow(tr("Upload:"), up);
  layout->addWidget(global);

  auto* alt = new QGroupBox(tr("Alternative speed caps"), page);
  auto* aform = new QFormLayout(alt);
  aform->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
  auto* altDown = rateSpin(alt);
  auto* altUp = rateSpin(alt);
  bind(altDown, "speed/alt_download_limit_kib");
  bind(altUp, "speed/alt_upload_limit_kib");
  aform->addRow(tr("Download:"), altDown);
  aform->addRow(tr("Upload:"), altUp);
  auto* altOn = new QCheckBox(tr("Use the alternative caps now"), alt);
  bind(altOn, "speed/alt_enabled");
  aform->addRow(altOn);
  aform->addRow(note(tr("Switch them on and off quickly with the turtle button in the toolbar or the status bar."), alt));
  layout->addWidget(alt);
  layout->addWidget(note(tr("Caps apply at once to every torrent together; 0 means unlimited. A torrent can have its "
                            "own caps as well (right-click it, Speed Caps…)."),
                         page));
  layout->addStretch(1);
  return page;
}

QWidget* PreferencesDialog::connectionPage() {
  auto* page = new QWidget(this);
  auto* layout = new QVBoxLayout(page);
  auto* listen = new QGroupBox(tr("Listening port"), page);
  auto* lform = new QFormLayout(listen);
  lform->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
  auto* port = new QSpinBox(listen);
  port->setSpecialValueText(tr("Any free port"));
  bind(port, "connection/listen_port");
  lform->addRow(tr("Port for incoming connections:"), port);
  port_ = note(QString(), listen);
  lform->addRow(note(tr("A new port applies the next time Tessera starts."), listen));
  lform->addRow(port_);
  layout->addWidget(listen);

  auto* limits = new QGroupBox(tr("Connection limits"), page);
  auto* form = new QFormLayout(limits);
  form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
  auto* total = new QSpinBox(limits);
  auto* perTorrent = new QSpinBox(limits);
  auto* uploadSlots = new QSpinBox(limits);
  bind(total, "connection/max_connections");
  bind(perTorrent, "connection/max_peers_per_torrent");
  bind(uploadSlots, "connection/upload_slots");
  form->addRow(tr("Maximum connections:"), total);
  form->addRow(tr("Maximum peers per torrent:"), perTorrent);
  form->addRow(tr("Upload slots per torrent:"), uploadSlots);
  form->addRow(note(tr("Upload slots: peers unchoked for their rates, plus one optimistic unchoke. These apply at "
                       "once."),
                    limits));
  layout->addWidget(limits);

  auto* discovery = new QGroupBox(tr("Finding peers without trackers"), page);
  auto* dlayout = new QVBoxLayout(discovery);
  auto* dht = new QCheckBox(tr("DHT (the distributed hash table): find peers for any torrent"), discovery);
  auto* pex = new QCheckBox(tr("Peer exchange (PEX): learn peers from connected peers"), discovery);
  auto* lsd = new QCheckBox(tr("Local peer discovery: find peers on this network"), discovery);
  bind(dht, "connection/dht");
  bind(pex, "connection/pex");
  bind(lsd, "connection/lsd");
  dlayout->addWidget(dht);
  dlayout->addWidget(pex);
  dlayout->addWidget(lsd);
  dlayout->addWidget(note(tr("These apply the next time Tessera starts. Private torrents never use them. Magnet links "
                             "without trackers or peers need the DHT."),
                          discovery));
  layout->addWidget(discovery);
  layout->addStretch(1);
  return page;
}

QWidget* PreferencesDialog::downloadsPage() {
  auto* page = new QWidget(this);
  auto* layout = new QVBoxLayout(page);
  auto* adding = new QGroupBox(tr("Adding torrents"), page);
  auto* form = new QFormLayout(adding);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  auto* folder = new QLineEdit(adding);
  folder->setPlaceholderText(Preferences{}.effectiveSavePath());
  bind(folder, "downloads/save_path");
  form->addRow(tr("Default save folder:"), withBrowse(folder, true, adding));
  auto* start = new QCheckBox(tr("Start torrents as soon as they are added"), adding);
  bind(start, "downloads/start_on_add");
  form->addRow(start);
  auto* dialog = new QCheckBox(tr("Show the Add Torrent dialog (files, folder) for each torrent — for a magnet "
                                  "link once its file list is in"),
                               adding);
  bind(dialog, "downloads/show_add_dialog");
  form->addRow(dialog);
  layout->addWidget(adding);

  auto* done = new QGroupBox(tr("When a download finishes"), page);
  auto* dlayout = new QHBoxLayout(done);
  auto* stop = new QCheckBox(tr("Stop seeding at ratio"), done);
  auto* ratio = new QDoubleSpinBox(done);
  ratio->setDecimals(2);
  ratio->setSingleStep(0.1);
  bind(stop, "downloads/stop_at_ratio");
  bind(ratio, "downloads/ratio_limit");
  ratio->setEnabled(false);  // follows the box once the preferences are loaded
  connect(stop, &QCheckBox::toggled, ratio, &QWidget::setEnabled);
  dlayout->addWidget(stop);
  dlayout->addWidget(ratio);
  dlayout->addStretch(1);
  layout->addWidget(done);
  layout->addWidget(note(tr("Unticked, finished torrents keep seeding. The ratio is uploaded over downloaded; a torrent "
                            "you resume by hand after it was stopped keeps seeding. A torrent's own rule (Torrent ▸ "
                            "Speed Caps and Ratio…) comes first."),
                         page));
  layout->addStretch(1);
  return page;
}

QWidget* PreferencesDialog::behaviourPage() {
  auto* page = new QWidget(this);
  auto* layout = new QVBoxLayout(page);
  auto* tray = new QGroupBox(tr("Notification area"), page);
  auto* tlayout = new QVBoxLayout(tray);
  auto* show = new QCheckBox(tr("Show Tessera's icon in the notification area"), tray);
  auto* close = new QCheckBox(tr("Closing the window keeps Tessera running there"), tray);
  auto* notify = new QCheckBox(tr("Notify when a download finishes"), tray);
  bind(show, "behaviour/tray_icon");
  bind(close, "behaviour/close_to_tray");
  bind(notify, "behaviour/notify_finished");
  close->setEnabled(false);
  connect(show, &QCheckBox::toggled, close, &QWidget::setEnabled);
  tlayout->addWidget(show);
  tlayout->addWidget(close);
  tlayout->addWidget(notify);
  trayNote_ = note(tr("This desktop has no notification area: these take effect where there is one."), tray);
  trayNote_->hide();
  tlayout->addWidget(trayNote_);
  layout->addWidget(tray);
  layout->addStretch(1);
  return page;
}

QWidget* PreferencesDialog::advancedPage() {
  auto* page = new QWidget(this);
  auto* layout = new QVBoxLayout(page);
  auto* logging = new QGroupBox(tr("Log"), page);
  auto* form = new QFormLayout(logging);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  auto* level = new QComboBox(logging);
  const std::vector<std::pair<QString, QString>> levels = {
      {tr("Everything (trace)"), QStringLiteral("trace")}, {tr("Debug"), QStringLiteral("debug")},
      {tr("Information"), QStringLiteral("info")},         {tr("Warnings"), QStringLiteral("warn")},
      {tr("Errors only"), QStringLiteral("error")},        {tr("Nothing"), QStringLiteral("off")}};
  for (const auto& [text, value] : levels) level->addItem(text, value);
  bind(level, "advanced/log_level");
  form->addRow(tr("Log level:"), level);
  auto* file = new QLineEdit(logging);
  file->setPlaceholderText(tr("standard error only"));
  bind(file, "advanced/log_file");
  form->addRow(tr("Log file:"), withBrowse(file, false, logging));
  form->addRow(note(tr("The level applies at once; a new log file at the next start."), logging));
  layout->addWidget(logging);

  auto* state = new QGroupBox(tr("Torrents and resume data"), page);
  auto* slayout = new QVBoxLayout(state);
  stateDir_ = new QLabel(state);
  stateDir_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  stateDir_->setWordWrap(true);
  slayout->addWidget(stateDir_);
  slayout->addWidget(note(tr("Kept here: every torrent, its folder, progress and caps, so all come back at the next "
                             "start. Choose another with --state-dir DIR."),
                          state));
  layout->addWidget(state);
  layout->addStretch(1);
  return page;
}

}  // namespace tessera::gui
