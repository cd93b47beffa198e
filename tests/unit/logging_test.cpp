#include "tessera/logging.hpp"

#include <gtest/gtest.h>

#include "log/logging.hpp"

namespace tessera {
namespace {

TEST(Logging, LevelReachesExistingAndLaterLoggers) {
  auto before = log::get("logging-test-before");
  ASSERT_TRUE(set_log_level("debug"));
  EXPECT_EQ(before->level(), spdlog::level::debug);
  EXPECT_EQ(log::get("logging-test-after")->level(), spdlog::level::debug);
  ASSERT_TRUE(set_log_level("off"));
  EXPECT_EQ(log::get("logging-test-later")->level(), spdlog::level::off);
  EXPECT_TRUE(set_log_level("warn"));
}

TEST(Logging, UnknownLevelChangesNothing) {
  ASSERT_TRUE(set_log_level("error"));
  EXPECT_FALSE(set_log_level("loud"));
  EXPECT_EQ(log::get("logging-test-unknown")->level(), spdlog::level::err);
  EXPECT_TRUE(set_log_level("warn"));
}

}  // namespace
}  // namespace tessera
