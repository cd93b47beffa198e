#include "storage/mapped_hash.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

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

TEST_F(MappedHashTest, TruncatedWhileHashingIsAShortFileNotACrash) {
  // The kernel raises SIGBUS for mapped pages past a new end of file; it must be caught.
  int short_results = 0;
  for (int attempt = 0; attempt < 5; ++attempt) {
    write(16 << 20);
    std::thread cutter([&] {
      std::this_thread::sleep_for(std::chrono::microseconds(500 + attempt * 1000));
      ASSERT_EQ(::truncate(path_.c_str(), 4096), 0);
    });
    Sha1 sha;
    const MappedHash r = hash_mapped_range(sha, fd_, 0, 16 << 20);
    cutter.join();
    EXPECT_NE(r, MappedHash::unavailable);
    short_results += r == MappedHash::short_file ? 1 : 0;
    ::close(fd_);
    fd_ = -1;
  }
  EXPECT_GT(short_results, 0);
}

}  // namespace
}  // namespace tessera
