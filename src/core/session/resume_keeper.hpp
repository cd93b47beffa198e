// When a torrent's resume data is written, and what it remembers across sessions (when it was
// added, time active, totals of earlier sessions). Pure: the torrent builds the record, the
// state store writes it; this decides when.
//
// A change of state (pause, caps, priorities, a finished check) is saved at once; new verified
// pieces at most every 30 s. One save at a time: changes during a save wait for the next.
#pragma once

#include <chrono>
#include <cstdint>

#include "storage/resume_data.hpp"

namespace tessera {

class ResumeKeeper {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr std::chrono::seconds kPeriod{30};

  explicit ResumeKeeper(std::int64_t added_at) : added_at_(added_at) {}
  // What an earlier session saved of the torrent's history.
  void restore(const ResumeData& r);

  void mark_dirty(bool urgent);
  bool dirty() const { return dirty_; }
  bool due(TimePoint now) const;
  // A save was handed to the disk: clean until the next change.
  void saving(TimePoint now);
  void saved() { saving_ = false; }

  void count_active_second() { ++active_seconds_; }
  // The history part of a record; `downloaded` / `uploaded`: this session's payload so far.
  void fill(ResumeData& r, std::int64_t downloaded, std::int64_t uploaded) const;
  std::int64_t added_at() const { return added_at_; }
  std::int64_t active_seconds() const { return active_seconds_; }
  std::int64_t downloaded_before() const { return downloaded_before_; }
  std::int64_t uploaded_before() const { return uploaded_before_; }

 private:
  std::int64_t added_at_;
  std::int64_t active_seconds_ = 0;
  std::int64_t downloaded_before_ = 0, uploaded_before_ = 0;
  bool dirty_ = false, urgent_ = false, saving_ = false;
  TimePoint last_save_{};
};

}  // namespace tessera
