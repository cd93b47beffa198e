#include "session/resume_keeper.hpp"

namespace tessera {

void ResumeKeeper::restore(const ResumeData& r) {
  added_at_ = r.added_at;
  active_seconds_ = r.active_seconds;
  downloaded_before_ = r.downloaded;
  uploaded_before_ = r.uploaded;
}

void ResumeKeeper::mark_dirty(bool urgent) {
  dirty_ = true;
  urgent_ = urgent_ || urgent;
}

bool ResumeKeeper::due(TimePoint now) const {
  if (!dirty_ || saving_) return false;
  return urgent_ || now - last_save_ >= kPeriod;
}

void ResumeKeeper::saving(TimePoint now) {
  dirty_ = false;
  urgent_ = false;
  saving_ = true;
  last_save_ = now;
}

void ResumeKeeper::fill(ResumeData& r, std::int64_t downloaded, std::int64_t uploaded) const {
  r.added_at = added_at_;
  r.active_seconds = active_seconds_;
  r.downloaded = downloaded_before_ + downloaded;
  r.uploaded = uploaded_before_ + uploaded;
}

}  // namespace tessera
