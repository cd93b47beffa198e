#include <gtest/gtest.h>

#include "storage/magnet_record.hpp"

namespace tessera {
namespace {

TEST(MagnetRecord, RoundTrips) {
  const MagnetRecord r{"magnet:?xt=urn:btih:" + std::string(40, 'a') + "&dn=x", "/home/me/Downloads", true, true,
                       1'700'000'000};
  auto back = decode_magnet_record(encode_magnet_record(r));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(*back, r);
}

TEST(MagnetRecord, DamagedRecordsAreOneLineErrors) {
  for (const std::string bad : {"", "garbage", "le", "d7:versioni2ee", "d7:versioni1e3:uri1:xe",
                                "d9:save_path0:3:uri1:x7:versioni1ee"}) {
    auto r = decode_magnet_record(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().find('\n'), std::string::npos);
  }
}

}  // namespace
}  // namespace tessera
