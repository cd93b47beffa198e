// File ▸ Add Magnet or URL…: a magnet link, or the http(s) address of a .torrent file. The text is
// checked as it is typed: a magnet link shows its name, info-hash and how many trackers and peers it
// names, or the parser's one-line error; an address says where the .torrent will be fetched from.
#pragma once

#include <QDialog>
#include <QString>
#include <QUrl>

class QLabel;
class QLineEdit;
class QPushButton;

namespace tessera::gui {

// What a pasted text is, and what to say about it.
struct LinkCheck {
  enum class Kind { empty, magnet, url, invalid };
  Kind kind = Kind::empty;
  QString error;     // for invalid: one line
  QString name;      // magnet: its dn, may be empty
  QString infoHash;  // magnet: 40 hex digits
  int trackers = 0;  // magnet
  int peers = 0;     // magnet (x.pe)
  QUrl url;          // url: the address to fetch
};
LinkCheck checkLink(const QString& text);

class AddLinkDialog : public QDialog {
  Q_OBJECT

 public:
  explicit AddLinkDialog(QWidget* parent = nullptr);

  void setText(const QString& text);
  QString text() const;
  const LinkCheck& check() const { return check_; }
  QLineEdit* edit() const { return edit_; }
  // The line under the text: the error, or what the link holds.
  QString statusText() const;
  bool canAdd() const;

  void accept() override;

 signals:
  void magnetChosen(const QString& uri);
  void urlChosen(const QUrl& url);

 private:
  void update();

  LinkCheck check_;
  QLineEdit* edit_;
  QLabel* status_;
  QLabel* name_;
  QLabel* hash_;
  QLabel* trackers_;
  QWidget* details_;
  QPushButton* addButton_;
};

}  // namespace tessera::gui
