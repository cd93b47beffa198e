// A status line on a terminal that each update replaces in place. A line wider than the
// terminal wraps onto several rows; all of them are erased before the next update, so a long
// line (a stall reason quoting a tracker's error) does not leave a trail of copies behind.
#pragma once

#include <cstddef>
#include <string>

namespace tessera::cli {

class LiveLine {
 public:
  // Replaces the line shown before (if any) with `text`.
  void show(const std::string& text);
  // Erases the line shown, leaving the cursor where it began: for a message that stays.
  void clear();
  // Leaves the line shown on screen and moves below it.
  void finish();

 private:
  std::size_t rows_ = 0;  // rows the shown line takes; 0: nothing shown
};

}  // namespace tessera::cli
