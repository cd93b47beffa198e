#include "storage/resume_data.hpp"

#include "bencode/document.hpp"
#include "bencode/value.hpp"

namespace tessera {

std::string encode_resume(const ResumeData& r) {
  using bencode::Value;
  Value::List prios;
  for (FilePriority p : r.file_priorities) prios.emplace_back(static_cast<std::int64_t>(p));
  Value::List files;
  for (const ResumeFileStamp& f : r.files) {
    Value::List stamp;  // [size, mtime]; built by push_back (GCC 12 misreads a 2-item initializer list here)
    stamp.emplace_back(f.size);
    stamp.emplace_back(f.mtime_ns);
    files.emplace_back(std::move(stamp));
  }
  Value v = Value::dict({
      {"format", "tessera resume"},
      {"version", ResumeData::kVersion},
      {"info-hash", r.info_hash},
      {"save-path", r.save_path},
      {"paused", r.paused ? 1 : 0},
      {"added-at", r.added_at},
      {"active-seconds", r.active_seconds},
      {"downloaded", r.downloaded},
      {"uploaded", r.uploaded},
      {"download-limit", r.download_limit},
      {"upload-limit", r.upload_limit},
      {"file-priorities", Value(std::move(prios))},
      {"verified", r.verified},
      {"files", Value(std::move(files))},
  });
  // Newer keys, optional when reading (bencode has no fractions: the ratio is in thousandths).
  if (r.ratio_limit) v.set("ratio-limit-permille", static_cast<std::int64_t>(*r.ratio_limit * 1000.0 + 0.5));
  if (r.stopped_at_ratio) v.set("stopped-at-ratio", std::int64_t{1});
  if (r.seeds_past_ratio) v.set("seeds-past-ratio", std::int64_t{1});
  return bencode::encode(v);
}

expected<ResumeData, std::string> decode_resume(std::string_view bytes, std::uint32_t piece_count,
                                                std::size_t file_count) {
  bencode::Limits limits;
  limits.max_input = std::size_t{64} << 20;
  auto doc = bencode::decode(bytes, limits);
  if (!doc) return unexpected("resume data is not valid bencode: " + doc.error().message());
  const bencode::Node root = doc->root();
  if (!root.is_dict() || root.find_string("format") != std::optional<std::string_view>("tessera resume")) {
    return unexpected(std::string("not a Tessera resume file"));
  }
  if (root.find_int("version") != ResumeData::kVersion) {
    return unexpected("resume data version " + std::to_string(root.find_int("version").value_or(0)) +
                      " is not supported");
  }
  ResumeData r;
  auto need_int = [&](std::string_view key, std::int64_t& out, bool non_negative = true) -> bool {
    auto v = root.find_int(key);
    if (!v || (non_negative && *v < 0)) return false;
    out = *v;
    return true;
  };
  std::int64_t paused = 0;
  const auto hash = root.find_string("info-hash");
  const auto save = root.find_string("save-path");
  const auto verified = root.find_string("verified");
  if (!hash || hash->size() != 40 || !save || save->empty() || !verified || !need_int("paused", paused) ||
      !need_int("added-at", r.added_at) || !need_int("active-seconds", r.active_seconds) ||
      !need_int("downloaded", r.downloaded) || !need_int("uploaded", r.uploaded) ||
      !need_int("download-limit", r.download_limit) || !need_int("upload-limit", r.upload_limit)) {
    return unexpected(std::string("resume data is missing a field or has a bad value"));
  }
  r.info_hash = std::string(*hash);
  r.save_path = std::string(*save);
  r.paused = paused != 0;
  if (verified->size() != (std::size_t{piece_count} + 7) / 8) {
    return unexpected(std::string("resume data is for a torrent with a different number of pieces"));
  }
  r.verified = std::string(*verified);
  const auto prios = root.find_list("file-priorities");
  const auto files = root.find_list("files");
  if (!prios || !files || prios->size() != file_count || files->size() != file_count) {
    return unexpected(std::string("resume data is for a torrent with a different number of files"));
  }
  for (const bencode::Node p : *prios) {
    if (!p.is_int() || p.as_int() < 0 || p.as_int() > 2) return unexpected(std::string("bad file priority in resume data"));
    r.file_priorities.push_back(static_cast<FilePriority>(p.as_int()));
  }
  for (const bencode::Node f : *files) {
    if (!f.is_list() || f.size() != 2) return unexpected(std::string("bad file entry in resume data"));
    const bencode::Node size = *f.begin();
    const bencode::Node mtime = size.next_sibling();
    if (!size.is_int() || !mtime.is_int() || size.as_int() < -1) {
      return unexpected(std::string("bad file entry in resume data"));
    }
    r.files.push_back(ResumeFileStamp{size.as_int(), mtime.as_int()});
  }
  if (const auto ratio = root.find_int("ratio-limit-permille")) {
    if (*ratio < 0 || *ratio > 1'000'000'000) return unexpected(std::string("bad ratio limit in resume data"));
    r.ratio_limit = static_cast<double>(*ratio) / 1000.0;
  }
  r.stopped_at_ratio = root.find_int("stopped-at-ratio").value_or(0) != 0;
  r.seeds_past_ratio = root.find_int("seeds-past-ratio").value_or(0) != 0;
  return r;
}

}  // namespace tessera
