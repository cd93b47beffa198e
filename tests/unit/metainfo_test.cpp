#include "metainfo/metainfo.hpp"

#include <gtest/gtest.h>

#include "bencode/value.hpp"
#include "torrent_builder.hpp"

namespace tessera {
namespace {

using bencode::Value;
using test::FileSpec;
using test::multi_file_info;
using test::single_file_info;
using test::torrent_bytes;

Metainfo parse_ok(const std::string& bytes) {
  auto m = parse_metainfo(bytes);
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().message);
  return m ? *m : Metainfo{};
}

MetainfoError parse_err(const std::string& bytes) {
  auto m = parse_metainfo(bytes);
  EXPECT_FALSE(m.has_value());
  return m ? MetainfoError{} : m.error();
}

TEST(Metainfo, SingleFile) {
  Value info = single_file_info("movie.mkv", 100000, 32768);
  info.set("private", 1);
  const std::string bytes = torrent_bytes(info);
  const Metainfo m = parse_ok(bytes);
  EXPECT_EQ(m.name, "movie.mkv");
  EXPECT_FALSE(m.multi_file);
  EXPECT_TRUE(m.is_private);
  EXPECT_EQ(m.total_size, 100000);
  EXPECT_EQ(m.piece_length, 32768);
  EXPECT_EQ(m.piece_count, 4u);
  EXPECT_EQ(m.piece_size(0), 32768);
  EXPECT_EQ(m.piece_size(3), 100000 - 3 * 32768);
  ASSERT_EQ(m.files.size(), 1u);
  EXPECT_EQ(m.files[0].path, "movie.mkv");
  EXPECT_EQ(m.files[0].size, 100000);
  ASSERT_EQ(m.tracker_tiers.size(), 1u);
  EXPECT_EQ(m.tracker_tiers[0][0], "http://127.0.0.1:6969/announce");
  EXPECT_EQ(m.info_hash, sha1(bencode::encode(info)));
  EXPECT_EQ(m.info_dict, bencode::encode(info));
}

TEST(Metainfo, MultiFileOffsetsAndPaths) {
  const Metainfo m = parse_ok(torrent_bytes(multi_file_info(
      "album", {{{"cd1", "01.flac"}, 1000, ""}, {{"empty.txt"}, 0, ""}, {{"cd2", "deep", "02.flac"}, 2500, ""}},
      1024)));
  EXPECT_TRUE(m.multi_file);
  ASSERT_EQ(m.files.size(), 3u);
  EXPECT_EQ(m.files[0].path, "album/cd1/01.flac");
  EXPECT_EQ(m.files[1].path, "album/empty.txt");
  EXPECT_EQ(m.files[2].path, "album/cd2/deep/02.flac");
  EXPECT_EQ(m.files[2].offset, 1000);
  EXPECT_EQ(m.total_size, 3500);
  EXPECT_EQ(m.piece_count, 4u);
}

TEST(Metainfo, InfoHashUsesOriginalBytesWhateverTheKeyOrder) {
  // Hand-written info dictionary with keys out of order: re-encoding would sort them.
  const std::string info = "d6:lengthi5e4:name1:x6:pieces20:aaaaaaaaaaaaaaaaaaaa12:piece lengthi16384ee";
  const std::string bytes = "d4:info" + info + "e";
  const Metainfo m = parse_ok(bytes);
  EXPECT_EQ(m.info_hash, sha1(info));
  EXPECT_NE(m.info_hash, sha1(bencode::encode(bencode::to_value(bencode::decode(info)->root()))));
}

TEST(Metainfo, TrackerTiersAndWebSeeds) {
  Value root = Value::dict({{"info", single_file_info("f", 10, 16384)},
                            {"announce", "http://ignored/announce"},
                            {"announce-list", Value::list({Value::list({"http://a/1", " udp://b:80 "}),
                                                           Value::list({}),
                                                           Value::list({"http://a/1", "http://c/3"}),
                                                           5})},
                            {"url-list", Value::list({"http://seed/1", "http://seed/1", "http://seed/2"})},
                            {"comment", "hello"},
                            {"created by", "test"},
                            {"creation date", 1700000000}});
  const Metainfo m = parse_ok(bencode::encode(root));
  ASSERT_EQ(m.tracker_tiers.size(), 2u);
  EXPECT_EQ(m.tracker_tiers[0], (std::vector<std::string>{"http://a/1", "udp://b:80"}));
  EXPECT_EQ(m.tracker_tiers[1], (std::vector<std::string>{"http://c/3"}));  // duplicate dropped
  EXPECT_EQ(m.web_seeds, (std::vector<std::string>{"http://seed/1", "http://seed/2"}));
  EXPECT_EQ(m.comment, "hello");
  EXPECT_EQ(m.created_by, "test");
  EXPECT_EQ(m.creation_date, 1700000000);
  EXPECT_FALSE(m.warnings.empty());  // the malformed tier '5'
}

TEST(Metainfo, AnnounceUsedWhenNoAnnounceList) {
  Value root = Value::dict({{"info", single_file_info("f", 10, 16384)}, {"url-list", "http://ws/"}});
  root.set("announce", "udp://t:1");
  const Metainfo m = parse_ok(bencode::encode(root));
  ASSERT_EQ(m.tracker_tiers.size(), 1u);
  EXPECT_EQ(m.tracker_tiers[0][0], "udp://t:1");
  EXPECT_EQ(m.web_seeds, (std::vector<std::string>{"http://ws/"}));
}

TEST(Metainfo, PadFiles) {
  const Metainfo m = parse_ok(torrent_bytes(multi_file_info(
      "p", {{{"a"}, 1000, ""}, {{".pad", "15384"}, 15384, "p"}, {{"b"}, 20, "x"},
            {{"_____padding_file_0_"}, 4, ""}},
      16384)));
  ASSERT_EQ(m.files.size(), 4u);
  EXPECT_FALSE(m.files[0].pad);
  EXPECT_TRUE(m.files[1].pad);
  EXPECT_TRUE(m.files[2].executable);
  EXPECT_EQ(m.files[2].offset, 16384);
  EXPECT_TRUE(m.files[3].pad);
}

TEST(Metainfo, PrefersUtf8Keys) {
  Value info = single_file_info("legacy\xe9", 10, 16384);
  info.set("name.utf-8", "caf\xc3\xa9");
  EXPECT_EQ(parse_ok(torrent_bytes(info)).name, "caf\xc3\xa9");
}

// ---- Hostile and invalid torrents: each must be refused with the right error. ----

TEST(MetainfoHostile, NotBencodeOrNotATorrent) {
  EXPECT_EQ(parse_err("garbage").code, MetainfoErrc::malformed_bencode);
  EXPECT_EQ(parse_err("").code, MetainfoErrc::malformed_bencode);
  EXPECT_EQ(parse_err("li1ee").code, MetainfoErrc::not_a_dictionary);
  EXPECT_EQ(parse_err("d8:announce3:urle").code, MetainfoErrc::missing_info);
  EXPECT_EQ(parse_err("d4:infoi1ee").code, MetainfoErrc::missing_info);
}

TEST(MetainfoHostile, DeepNesting) {
  const std::string deep = "d4:info" + std::string(100000, 'l') + std::string(100000, 'e') + "e";
  const MetainfoError e = parse_err(deep);
  EXPECT_EQ(e.code, MetainfoErrc::malformed_bencode);
  EXPECT_NE(e.message.find("nesting too deep"), std::string::npos) << e.message;
}

TEST(MetainfoHostile, HugeStringLength) {
  const MetainfoError e = parse_err("d4:infod4:name1099511627776:xee");
  EXPECT_EQ(e.code, MetainfoErrc::malformed_bencode);
  EXPECT_NE(e.message.find("exceeds"), std::string::npos) << e.message;
}

TEST(MetainfoHostile, PathTraversal) {
  const std::vector<std::vector<std::string>> bad_paths = {
      {"..", "etc", "passwd"}, {"a", "..", "..", "b"}, {"/etc/passwd"}, {"a/../../b"},
      {"ok", std::string("nul\0byte", 8)}, {"."}, {""}};
  for (const auto& path : bad_paths) {
    const MetainfoError e = parse_err(torrent_bytes(multi_file_info("t", {{path, 10, ""}}, 16384)));
    EXPECT_EQ(e.code, MetainfoErrc::dangerous_path) << e.message;
    EXPECT_NE(e.message.find("dangerous path"), std::string::npos);
  }
  for (const std::string& name : std::vector<std::string>{"..", "/abs", "../up", "a/b", std::string("x\0y", 3)}) {
    EXPECT_EQ(parse_err(torrent_bytes(single_file_info(name, 10, 16384))).code, MetainfoErrc::dangerous_path)
        << name;
  }
}

TEST(MetainfoHostile, NegativeAndOverflowingSizes) {
  EXPECT_EQ(parse_err(torrent_bytes(single_file_info("f", -1, 16384))).code, MetainfoErrc::negative_size);
  EXPECT_EQ(parse_err(torrent_bytes(multi_file_info("m", {{{"a"}, 5, ""}, {{"b"}, -5, ""}}, 16384))).code,
            MetainfoErrc::negative_size);
  const std::int64_t big = std::numeric_limits<std::int64_t>::max() - 10;
  Value info = multi_file_info("m", {{{"a"}, big, ""}, {{"b"}, big, ""}}, 16384);
  info.set("pieces", std::string(20, 'x'));
  const MetainfoError e = parse_err(torrent_bytes(info));
  EXPECT_EQ(e.code, MetainfoErrc::size_overflow) << e.message;
}

TEST(MetainfoHostile, PieceFieldErrors) {
  Value bad_multiple = single_file_info("f", 100000, 32768);
  bad_multiple.set("pieces", std::string(79, 'x'));
  EXPECT_EQ(parse_err(torrent_bytes(bad_multiple)).code, MetainfoErrc::pieces_not_multiple_of_20);

  Value mismatch = single_file_info("f", 100000, 32768);
  mismatch.set("pieces", std::string(3 * 20, 'x'));  // needs 4
  const MetainfoError e = parse_err(torrent_bytes(mismatch));
  EXPECT_EQ(e.code, MetainfoErrc::piece_count_mismatch);
  EXPECT_NE(e.message.find("need 4"), std::string::npos) << e.message;

  for (const std::int64_t pl : {std::int64_t{0}, std::int64_t{-16384}, std::int64_t{1} << 40}) {
    Value info = single_file_info("f", 100, 16384);
    info.set("piece length", pl);
    EXPECT_EQ(parse_err(torrent_bytes(info)).code, MetainfoErrc::invalid_piece_length) << pl;
  }
  Value no_pieces = single_file_info("f", 100, 16384);
  no_pieces.as_dict().erase("pieces");
  EXPECT_EQ(parse_err(torrent_bytes(no_pieces)).code, MetainfoErrc::missing_pieces);
  no_pieces.set("meta version", 2);
  EXPECT_EQ(parse_err(torrent_bytes(no_pieces)).code, MetainfoErrc::v2_only);
}

TEST(MetainfoHostile, LayoutErrors) {
  Value both = single_file_info("f", 100, 16384);
  both.set("files", Value::list({}));
  EXPECT_EQ(parse_err(torrent_bytes(both)).code, MetainfoErrc::ambiguous_layout);
  Value neither = single_file_info("f", 100, 16384);
  neither.as_dict().erase("length");
  EXPECT_EQ(parse_err(torrent_bytes(neither)).code, MetainfoErrc::missing_files);
  Value empty_files = multi_file_info("m", {{{"a"}, 1, ""}}, 16384);
  empty_files.set("files", Value::list({}));
  EXPECT_EQ(parse_err(torrent_bytes(empty_files)).code, MetainfoErrc::missing_files);
  EXPECT_EQ(parse_err(torrent_bytes(single_file_info("f", 0, 16384))).code, MetainfoErrc::empty_torrent);
  Value no_name = single_file_info("", 100, 16384);
  EXPECT_EQ(parse_err(torrent_bytes(no_name)).code, MetainfoErrc::missing_name);
  Value entry_not_dict = multi_file_info("m", {{{"a"}, 1, ""}}, 16384);
  entry_not_dict.set("files", Value::list({5}));
  EXPECT_EQ(parse_err(torrent_bytes(entry_not_dict)).code, MetainfoErrc::invalid_file_entry);
}

TEST(MetainfoPaths, DuplicatesRenamedAndFileFolderClashRefused) {
  const Metainfo m = parse_ok(torrent_bytes(
      multi_file_info("d", {{{"a.txt"}, 1, ""}, {{"a.txt"}, 1, ""}, {{"a.txt"}, 1, ""}}, 16384)));
  EXPECT_EQ(m.files[0].path, "d/a.txt");
  EXPECT_EQ(m.files[1].path, "d/a (2).txt");
  EXPECT_EQ(m.files[2].path, "d/a (3).txt");
  EXPECT_EQ(m.warnings.size(), 2u);

  EXPECT_EQ(parse_err(torrent_bytes(multi_file_info("d", {{{"a"}, 1, ""}, {{"a", "b"}, 1, ""}}, 16384))).code,
            MetainfoErrc::path_conflict);
  EXPECT_EQ(parse_err(torrent_bytes(multi_file_info("d", {{{"a", "b"}, 1, ""}, {{"a"}, 1, ""}}, 16384))).code,
            MetainfoErrc::path_conflict);
}

TEST(MetainfoPaths, AwkwardNamesRepairedWithWarning) {
  const std::string long_name(300, 'n');
  const Metainfo m = parse_ok(torrent_bytes(
      multi_file_info("d", {{{"bad\xff" "byte"}, 1, ""}, {{"tab\there"}, 1, ""}, {{long_name + ".mkv"}, 1, ""}},
                      16384)));
  EXPECT_EQ(m.files[0].path, "d/bad_byte");
  EXPECT_EQ(m.files[1].path, "d/tab_here");
  const std::string leaf = m.files[2].path.substr(2);
  EXPECT_EQ(leaf.size(), 255u);
  EXPECT_TRUE(leaf.ends_with(".mkv"));
  EXPECT_EQ(m.warnings.size(), 3u);
}

}  // namespace
}  // namespace tessera
