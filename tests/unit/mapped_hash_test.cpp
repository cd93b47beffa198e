#include "storage/mapped_hash.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace tessera {
namespace {

namespace fs = std::filesystem;

class MappedHashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = fs::temp_directory_path() / ("tessera-mapped-" + std::to_string(::getpid()) + "-" +
                                          ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  void TearDown() override {
    if (fd_ >= 0) ::close(fd_);
    fs::remove(path_);
  }
  std::string write(std::size_t size) {
    std::string data(size, '\0');
    std::mt19937_64 rng(size);
    for (char& c : data) c = static_cast<char>(rng());
    std::ofstream(path_, std::ios::binary) << data;
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    return data;
  }
  fs::path path_;
  int fd_ = -1;
};

TEST_F(MappedHashTest, HashesAnUnalignedRangeLikeAPlainRead) {
  const std::string data = write(300'001);
  Sha1 sha;
  ASSERT_EQ(hash_mapped_range(sha, fd_, 4097, 250'000), MappedHash::ok);
  EXPECT_EQ(sha.finish(), sha1(std::string_view(data).substr(4097, 250'000)));
}

TEST_F(MappedHashTest, AShortFileIsReportedNotRead) {
  write(10'000);
  Sha1 sha;
  EXPECT_EQ(hash_mapped_range(sha, fd_, 5'000, 5'001), MappedHash::short_file);
  EXPECT_EQ(hash_mapped_range(sha, fd_, 5'000, 5'000), MappedHash::ok);
}

TEST_F(MappedHashTest, TruncatedAfterMappingIsAShortFileNotACrash) {
  // The kernel raises SIGBUS for mapped pages past a new end of file; it must be caught. The
  // file is cut between mapping and hashing, so every page but the first is gone for sure.
  write(1 << 20);
  const MappedRange range(fd_, 0, 1 << 20);
  ASSERT_EQ(range.status(), MappedHash::ok);
  ASSERT_EQ(::truncate(path_.c_str(), 4096), 0);
  Sha1 sha;
  EXPECT_EQ(range.hash_into(sha), MappedHash::short_file);
  // The handler is left ready for the next time: a second truncated range is caught as well.
  const MappedRange again(fd_, 0, 4096);
  ASSERT_EQ(again.status(), MappedHash::ok);
  ASSERT_EQ(::truncate(path_.c_str(), 0), 0);
  Sha1 sha2;
  EXPECT_EQ(again.hash_into(sha2), MappedHash::short_file);
}

TEST_F(MappedHashTest, MappingAndHashingInTwoStepsMatchesAPlainRead) {
  const std::string data = write(70'000);
  const MappedRange range(fd_, 5'000, 60'000);
  ASSERT_EQ(range.status(), MappedHash::ok);
  Sha1 sha;
  ASSERT_EQ(range.hash_into(sha), MappedHash::ok);
  EXPECT_EQ(sha.finish(), sha1(std::string_view(data).substr(5'000, 60'000)));
  EXPECT_EQ(MappedRange(fd_, 69'999, 2).status(), MappedHash::short_file);
  EXPECT_EQ(MappedRange(fd_, 0, 0).status(), MappedHash::ok);
}

}  // namespace
}  // namespace tessera
