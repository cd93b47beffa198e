#include "util/natural_compare.hpp"

namespace tessera::gui {

int naturalCompare(const QString& a, const QString& b) {
  qsizetype i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i].isDigit() && b[j].isDigit()) {
      // Compare the digit runs as numbers: skip leading zeros, then longer is larger.
      qsizetype si = i, sj = j;
      while (si < a.size() && a[si] == QLatin1Char('0')) ++si;
      while (sj < b.size() && b[sj] == QLatin1Char('0')) ++sj;
      qsizetype ei = si, ej = sj;
      while (ei < a.size() && a[ei].isDigit()) ++ei;
      while (ej < b.size() && b[ej].isDigit()) ++ej;
      if (ei - si != ej - sj) return ei - si < ej - sj ? -1 : 1;
      for (qsizetype k = 0; k < ei - si; ++k) {
        if (a[si + k] != b[sj + k]) return a[si + k] < b[sj + k] ? -1 : 1;
      }
      i = ei;
      j = ej;
      continue;
    }
    // A run of non-digits each, compared as the locale would, ignoring case.
    qsizetype ei = i, ej = j;
    while (ei < a.size() && !a[ei].isDigit()) ++ei;
    while (ej < b.size() && !b[ej].isDigit()) ++ej;
    const QString x = a.mid(i, ei - i).toCaseFolded();
    const QString y = b.mid(j, ej - j).toCaseFolded();
    if (const int c = QString::localeAwareCompare(x, y); c != 0) return c;
    i = ei;
    j = ej;
  }
  if (i < a.size()) return 1;
  if (j < b.size()) return -1;
  // Equal ignoring case and zeros: fall back to a plain comparison for a stable order.
  return QString::compare(a, b);
}

}  // namespace tessera::gui
