#include <gtest/gtest.h>

#include "wire/ut_metadata.hpp"

namespace tessera::wire {
namespace {

using Type = MetadataMessage::Type;

TEST(UtMetadata, EncodesBep9Examples) {
  EXPECT_EQ(encode_metadata_message({Type::request, 0, 0, {}}), "d8:msg_typei0e5:piecei0ee");
  EXPECT_EQ(encode_metadata_message({Type::reject, 3, 0, {}}), "d8:msg_typei2e5:piecei3ee");
  EXPECT_EQ(encode_metadata_message({Type::data, 0, 3425, "xyz"}), "d8:msg_typei1e5:piecei0e10:total_sizei3425eexyz");
}

TEST(UtMetadata, DecodesWhatItEncodes) {
  for (const MetadataMessage& m : {MetadataMessage{Type::request, 7, 0, {}}, MetadataMessage{Type::reject, 1, 0, {}},
                                   MetadataMessage{Type::data, 2, 40000, std::string(16384, 'e')},
                                   MetadataMessage{Type::data, 0, 1, "d"}}) {
    auto back = decode_metadata_message(encode_metadata_message(m));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, m);
  }
}

TEST(UtMetadata, DataThatLooksLikeBencodeStaysData) {
  // The piece's bytes are themselves bencode (an info dictionary): only the first value is the header.
  auto m = decode_metadata_message("d8:msg_typei1e5:piecei0e10:total_sizei12eed4:name1:ae");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->data, "d4:name1:ae");
  EXPECT_EQ(m->total_size, 12);
}

TEST(UtMetadata, IgnoresUnknownKeys) {
  auto m = decode_metadata_message("d8:msg_typei0e5:piecei4e4:zzzzi1ee");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->piece, 4u);
}

TEST(UtMetadata, RejectsBrokenMessages) {
  for (const char* bad : {"", "x", "le", "d5:piecei0ee", "d8:msg_typei0ee", "d8:msg_typei9e5:piecei0ee",
                          "d8:msg_typei0e5:piecei-1ee", "d8:msg_typei0e5:piecei99999999999ee",
                          "d8:msg_typei1e5:piecei0ee", "d8:msg_typei1e5:piecei0e10:total_sizei0ee",
                          "d8:msg_typei1e5:piecei0e10:total_sizei-5ee", "d8:msg_typei0e5:piecei0eeextra",
                          "d8:msg_typei1e5:piecei0e10:total_sizei99999999999ee", "d8:msg_typei0e5:piecei0e"}) {
    auto m = decode_metadata_message(bad);
    ASSERT_FALSE(m) << bad;
    EXPECT_EQ(m.error().code, ProtocolError::Code::bad_extension_message);
    EXPECT_EQ(m.error().message.rfind("ut_metadata: ", 0), 0u) << m.error().message;
  }
  const std::string too_much = "d8:msg_typei1e5:piecei0e10:total_sizei40000ee" + std::string(16385, 'x');
  EXPECT_FALSE(decode_metadata_message(too_much));
  // A header bigger than any real one is not read at all.
  EXPECT_FALSE(decode_metadata_message("d8:msg_typei0e5:piecei0e3:pad600:" + std::string(600, 'p') + "e"));
}

TEST(UtMetadata, PieceSizes) {
  EXPECT_EQ(metadata_piece_count(0), 0u);
  EXPECT_EQ(metadata_piece_count(1), 1u);
  EXPECT_EQ(metadata_piece_count(16384), 1u);
  EXPECT_EQ(metadata_piece_count(16385), 2u);
  EXPECT_EQ(metadata_piece_size(16385, 0), 16384);
  EXPECT_EQ(metadata_piece_size(16385, 1), 1);
  EXPECT_EQ(metadata_piece_size(16385, 2), 0);
}

}  // namespace
}  // namespace tessera::wire
