#include "storage/resume_data.hpp"

#include <gtest/gtest.h>

#include "bencode/value.hpp"

namespace tessera {
namespace {

ResumeData sample() {
  ResumeData r;
  r.info_hash = std::string(40, 'a');
  r.save_path = "/home/u/Downloads";
  r.paused = true;
  r.added_at = 1'700'000'000;
  r.active_seconds = 3600;
  r.downloaded = 123456789;
  r.uploaded = 987654321;
  r.download_limit = 1024000;
  r.upload_limit = 0;
  r.file_priorities = {FilePriority::normal, FilePriority::skip, FilePriority::high};
  r.verified = std::string("\xff\x80", 2);  // pieces 0-8 of 10
  r.files = {{100, 1'700'000'000'123'456'789}, {-1, 0}, {42, 5}};
  return r;
}

TEST(ResumeData, RoundTripsEveryField) {
  const ResumeData r = sample();
  const std::string bytes = encode_resume(r);
  auto back = decode_resume(bytes, 10, 3);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(*back, r);
}

TEST(ResumeData, IsCanonicalBencodeWithAVersion) {
  const std::string bytes = encode_resume(sample());
  EXPECT_EQ(bytes.front(), 'd');
  EXPECT_NE(bytes.find("7:versioni1e"), std::string::npos);
  EXPECT_NE(bytes.find("6:format14:tessera resume"), std::string::npos);
}

TEST(ResumeData, RejectsDataOfAnotherShape) {
  const std::string bytes = encode_resume(sample());
  EXPECT_FALSE(decode_resume(bytes, 17, 3));  // bitfield of 2 bytes cannot hold 17 pieces
  EXPECT_FALSE(decode_resume(bytes, 10, 4));  // 3 file entries, the torrent has 4
}

TEST(ResumeData, RejectsDamagedOrForeignFilesWithAMessage) {
  std::string bytes = encode_resume(sample());
  for (const std::string& bad : {std::string(), std::string("garbage"), bytes.substr(0, bytes.size() / 2),
                                 std::string("de"), std::string("d6:format3:xyze")}) {
    auto r = decode_resume(bad, 10, 3);
    ASSERT_FALSE(r);
    EXPECT_FALSE(r.error().empty());
    EXPECT_EQ(r.error().find('\n'), std::string::npos);
  }
}

TEST(ResumeData, RejectsAnotherVersionAndBadValues) {
  auto with = [](const std::string& key, bencode::Value v) {
    auto doc = bencode::decode(encode_resume(sample()));
    bencode::Value root = bencode::to_value(doc->root());
    root.set(key, std::move(v));
    return bencode::encode(root);
  };
  EXPECT_FALSE(decode_resume(with("version", 2), 10, 3));
  EXPECT_FALSE(decode_resume(with("downloaded", -5), 10, 3));
  EXPECT_FALSE(decode_resume(with("info-hash", "abc"), 10, 3));
  EXPECT_FALSE(decode_resume(with("save-path", ""), 10, 3));
  EXPECT_FALSE(decode_resume(with("file-priorities", bencode::Value::list({0, 1, 9})), 10, 3));
  EXPECT_FALSE(decode_resume(with("files", bencode::Value::list({1, 2, 3})), 10, 3));
  EXPECT_TRUE(decode_resume(with("unknown-key", 1), 10, 3));  // newer writers may add keys
}

}  // namespace
}  // namespace tessera
