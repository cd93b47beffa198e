// A table model kept in step with keyed snapshots (torrents by id, peers by address, ...) without
// ever resetting: rows that vanished are removed, new ones appended, and the others told apart
// cell by cell, so views keep their selection, sort order and scroll position.
#pragma once

#include <QAbstractTableModel>

#include <bit>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tessera::gui {

class IncrementalTableModel : public QAbstractTableModel {
 public:
  using QAbstractTableModel::QAbstractTableModel;

  static constexpr std::uint32_t columnBit(int column) { return 1U << static_cast<unsigned>(column); }

 protected:
  // rows/rowIndex: the model's rows and key -> row map. items: the new state. keyOfItem/keyOfRow give
  // the key; make(item) builds a row; update(row, item) refreshes it and returns a bit per changed
  // column. Consecutive rows with the same changed-column span share one dataChanged.
  template <class Row, class Key, class Item, class KeyOfItem, class KeyOfRow, class Make, class Update>
  void syncRows(std::vector<Row>& rows, std::unordered_map<Key, int>& rowIndex, const std::vector<Item>& items,
                KeyOfItem keyOfItem, KeyOfRow keyOfRow, Make make, Update update) {
    std::vector<char> seen(rows.size(), 0);
    std::vector<const Item*> added;
    for (const Item& item : items) {
      if (auto it = rowIndex.find(keyOfItem(item)); it != rowIndex.end()) {
        seen[static_cast<std::size_t>(it->second)] = 1;
      } else {
        added.push_back(&item);
      }
    }
    // Removed rows go in contiguous runs from the bottom, so row numbers stay valid meanwhile.
    bool removed = false;
    for (int last = static_cast<int>(rows.size()) - 1; last >= 0;) {
      if (seen[static_cast<std::size_t>(last)] != 0) {
        --last;
        continue;
      }
      int first = last;
      while (first > 0 && seen[static_cast<std::size_t>(first - 1)] == 0) --first;
      beginRemoveRows({}, first, last);
      rows.erase(rows.begin() + first, rows.begin() + last + 1);
      endRemoveRows();
      removed = true;
      last = first - 1;
    }
    if (removed) {
      rowIndex.clear();
      for (std::size_t i = 0; i < rows.size(); ++i) rowIndex[keyOfRow(rows[i])] = static_cast<int>(i);
    }
    std::vector<std::uint32_t> masks(rows.size(), 0);
    for (const Item& item : items) {
      if (auto it = rowIndex.find(keyOfItem(item)); it != rowIndex.end()) {
        const auto r = static_cast<std::size_t>(it->second);
        masks[r] = update(rows[r], item);
      }
    }
    emitChanged(masks);
    if (!added.empty()) {
      // Duplicate keys in one snapshot would break the index: keep the first.
      const int first = static_cast<int>(rows.size());
      std::vector<Row> fresh;
      for (const Item* item : added) {
        const Key key = keyOfItem(*item);
        if (rowIndex.contains(key)) continue;
        rowIndex[key] = first + static_cast<int>(fresh.size());
        fresh.push_back(make(*item));
      }
      if (fresh.empty()) return;
      beginInsertRows({}, first, first + static_cast<int>(fresh.size()) - 1);
      for (Row& row : fresh) rows.push_back(std::move(row));
      endInsertRows();
    }
  }

  // Removes every row (as a removal, not a reset).
  template <class Row, class Key>
  void clearRows(std::vector<Row>& rows, std::unordered_map<Key, int>& rowIndex) {
    if (rows.empty()) return;
    beginRemoveRows({}, 0, static_cast<int>(rows.size()) - 1);
    rows.clear();
    rowIndex.clear();
    endRemoveRows();
  }

  void emitChanged(const std::vector<std::uint32_t>& masks) {
    auto span = [](std::uint32_t mask) {
      return std::pair{std::countr_zero(mask), 31 - std::countl_zero(mask)};
    };
    for (std::size_t r = 0; r < masks.size();) {
      if (masks[r] == 0) {
        ++r;
        continue;
      }
      const auto cols = span(masks[r]);
      std::size_t end = r + 1;
      while (end < masks.size() && masks[end] != 0 && span(masks[end]) == cols) ++end;
      emit dataChanged(index(static_cast<int>(r), cols.first), index(static_cast<int>(end) - 1, cols.second));
      r = end;
    }
  }
};

}  // namespace tessera::gui
