#include "metainfo/path_sanitizer.hpp"

#include <gtest/gtest.h>

namespace tessera {
namespace {

std::string safe(std::string_view raw) {
  auto r = sanitize_path_component(raw);
  EXPECT_TRUE(r.has_value()) << raw;
  return r ? r->name : std::string();
}

TEST(PathSanitizer, OrdinaryNamesUntouched) {
  for (const char* name : {"file.txt", "Ünïcødé ファイル.mkv", "with space", "a:b", "back\\slash", "...x"}) {
    auto r = sanitize_path_component(name);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->name, name);
    EXPECT_FALSE(r->changed);
  }
}

TEST(PathSanitizer, DangerousComponentsRefusedWithReason) {
  EXPECT_EQ(sanitize_path_component("..").error(), "path component '..' would escape the save folder");
  EXPECT_FALSE(sanitize_path_component("."));
  EXPECT_FALSE(sanitize_path_component(""));
  EXPECT_EQ(sanitize_path_component("/etc").error(), "absolute path '/etc'");
  EXPECT_FALSE(sanitize_path_component("a/b"));
  EXPECT_EQ(sanitize_path_component(std::string_view("a\0b", 3)).error(), "path contains a NUL byte");
}

TEST(PathSanitizer, InvalidUtf8AndControlCharactersReplaced) {
  EXPECT_EQ(safe("a\xff" "b"), "a_b");
  EXPECT_EQ(safe("\xc0\xaf"), "__");            // overlong '/'
  EXPECT_EQ(safe("\xed\xa0\x80"), "___");       // UTF-16 surrogate
  EXPECT_EQ(safe("\xf4\x90\x80\x80"), "____");  // past U+10FFFF
  EXPECT_EQ(safe("line\nbreak\x1b[31m"), "line_break_[31m");
  EXPECT_EQ(safe("\xe2\x82"), "__");            // truncated sequence
  EXPECT_TRUE(sanitize_path_component("a\x7f")->changed);
}

TEST(PathSanitizer, LongNamesShortenedDistinctlyAtCharacterBoundaries) {
  const std::string a = std::string(300, 'x') + "-one.mkv";
  const std::string b = std::string(300, 'x') + "-two.mkv";
  const std::string sa = safe(a);
  const std::string sb = safe(b);
  EXPECT_EQ(sa.size(), 255u);
  EXPECT_TRUE(sa.ends_with(".mkv"));
  EXPECT_NE(sa, sb);
  // 200 three-byte characters: a cut must not split one.
  std::string wide;
  for (int i = 0; i < 200; ++i) wide += "\xe3\x81\x82";
  const std::string sw = safe(wide);
  EXPECT_LE(sw.size(), 255u);
  EXPECT_TRUE(is_valid_utf8(sw));
  EXPECT_EQ(safe(std::string(255, 'y')).size(), 255u);  // exactly at the limit: unchanged
  EXPECT_FALSE(sanitize_path_component(std::string(255, 'y'))->changed);
}

TEST(PathSanitizer, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("\xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\x80"));
  EXPECT_FALSE(is_valid_utf8("\xe0\x80\x80"));
}

}  // namespace
}  // namespace tessera
