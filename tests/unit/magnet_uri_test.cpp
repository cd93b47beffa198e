// Magnet URIs (BEP 9, BEP 53): every rule of the parser, the links it makes, and the public face.
#include "magnet/magnet_uri.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "magnet/uri_text.hpp"
#include "tessera/magnet.hpp"

namespace tessera::magnet {
namespace {

constexpr const char* kHex = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a";
const std::string kLink = std::string("magnet:?xt=urn:btih:") + kHex;

Sha1Digest example_hash() {
  return *Sha1Digest::from_hex(kHex);
}

Magnet parse_ok(std::string_view uri) {
  auto r = parse_magnet_uri(uri);
  EXPECT_TRUE(r) << uri.substr(0, 200) << ": " << (r ? "" : r.error().message);
  return r ? *r : Magnet{};
}

MagnetError parse_bad(std::string_view uri) {
  auto r = parse_magnet_uri(uri);
  EXPECT_FALSE(r) << uri.substr(0, 200);
  if (r) return {};
  EXPECT_FALSE(r.error().message.empty());
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << r.error().message;
  return r.error();
}

bool has_warning(const Magnet& m, std::string_view part) {
  for (const std::string& w : m.warnings) {
    if (w.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(MagnetUri, ReadsHexInfoHashOfEitherCase) {
  EXPECT_EQ(parse_ok(kLink).info_hash, example_hash());
  std::string upper = kLink;
  for (std::size_t i = 20; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_EQ(parse_ok(upper).info_hash, example_hash());
  // The scheme, the URN's prefix and the keys are case-insensitive too.
  EXPECT_EQ(parse_ok(std::string("MAGNET:?XT=URN:BTIH:") + kHex).info_hash, example_hash());
}

TEST(MagnetUri, ReadsBase32InfoHash) {
  const std::string b32 = encode_base32_hash(example_hash());
  EXPECT_EQ(parse_ok("magnet:?xt=urn:btih:" + b32).info_hash, example_hash());
  std::string lower = b32;
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  EXPECT_EQ(parse_ok("magnet:?xt=urn:btih:" + lower).info_hash, example_hash());
}

TEST(MagnetUri, RefusesMalformedInfoHashes) {
  for (const std::string& digits :
       {std::string(39, 'a'), std::string(41, 'a'), std::string(), std::string(39, 'a') + "g",
        std::string(31, 'A') + "1", std::string(31, 'A') + "=", std::string(64, 'a')}) {
    const auto e = parse_bad("magnet:?xt=urn:btih:" + digits);
    EXPECT_EQ(e.code, MagnetErrc::bad_info_hash) << digits;
    EXPECT_NE(e.message.find("malformed info-hash"), std::string::npos) << e.message;
  }
}

TEST(MagnetUri, SameHashTwiceIsFineTwoDifferentAreNot) {
  const std::string b32 = encode_base32_hash(example_hash());
  EXPECT_EQ(parse_ok(kLink + "&xt=urn:btih:" + b32).info_hash, example_hash());
  EXPECT_EQ(parse_ok(std::string("magnet:?xt.1=urn:btih:") + kHex + "&xt.2=urn:btih:" + b32).info_hash,
            example_hash());
  const auto e = parse_bad(kLink + "&xt.2=urn:btih:" + std::string(40, '0'));
  EXPECT_EQ(e.code, MagnetErrc::conflicting_info_hashes);
  EXPECT_NE(e.message.find("several different info-hashes"), std::string::npos);
}

TEST(MagnetUri, V2OnlyLinksAreRefusedHybridLinksRead) {
  const std::string btmh = "urn:btmh:1220" + std::string(64, 'a');
  const auto e = parse_bad("magnet:?xt=" + btmh + "&dn=x");
  EXPECT_EQ(e.code, MagnetErrc::v2_only);
  EXPECT_EQ(e.message, "BitTorrent v2 (btmh) magnet links are not supported yet");
  // A hybrid torrent's link names both hashes (libtorrent 2 writes them this way).
  const Magnet m = parse_ok(kLink + "&xt=" + btmh);
  EXPECT_EQ(m.info_hash, example_hash());
  EXPECT_TRUE(m.warnings.empty());
}

TEST(MagnetUri, RefusesLinksWithoutABtih) {
  for (const char* uri : {"magnet:?", "magnet:?dn=name&tr=http%3A%2F%2Ft%2Fa", "magnet:?xt=urn:sha1:ABCDEF",
                          "magnet:?xt", "magnet:?xtx=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a"}) {
    const auto e = parse_bad(uri);
    EXPECT_EQ(e.code, MagnetErrc::no_info_hash) << uri;
    EXPECT_NE(e.message.find("no BitTorrent info-hash"), std::string::npos) << e.message;
  }
}

TEST(MagnetUri, RefusesWhatIsNotAMagnetLink) {
  for (const std::string& uri :
       {std::string(), std::string("   "), std::string("magnet:"), std::string("magnet:xt=urn:btih:") + kHex,
        std::string("http://example.com/a.torrent"), std::string("file.torrent"),
        std::string("magnet//?xt=urn:btih:") + kHex, std::string("xmagnet:?xt=urn:btih:") + kHex}) {
    const auto e = parse_bad(uri);
    EXPECT_EQ(e.code, MagnetErrc::not_magnet) << uri;
    EXPECT_NE(e.message.find("not a magnet link"), std::string::npos) << e.message;
  }
}

TEST(MagnetUri, CapsTheWholeLink) {
  // Padded with an unknown key up to exactly the cap: read; one byte more: refused.
  std::string link = kLink + "&x.pad=";
  link.append(kMaxUriBytes - link.size(), 'p');
  EXPECT_EQ(parse_ok(link).info_hash, example_hash());
  link.push_back('p');
  const auto e = parse_bad(link);
  EXPECT_EQ(e.code, MagnetErrc::too_long);
  EXPECT_NE(e.message.find("too long (65537 bytes, limit 65536)"), std::string::npos) << e.message;
  EXPECT_EQ(parse_bad(std::string(10 << 20, 'm')).code, MagnetErrc::too_long);
}

TEST(MagnetUri, RefusesBadPercentEncodingInKeysItReads) {
  for (const char* tail :
       {"&dn=a%2", "&dn=%zz", "&tr=http%3A%2F%2Ft%2Fa%", "&ws=%4", "&x.pe=%G1", "&so=%3"}) {
    const auto e = parse_bad(kLink + tail);
    EXPECT_EQ(e.code, MagnetErrc::bad_percent_encoding) << tail;
    EXPECT_NE(e.message.find("bad percent-encoding in "), std::string::npos) << e.message;
  }
  EXPECT_NE(parse_bad(kLink + "&tr.3=%").message.find("in tr:"), std::string::npos);
  EXPECT_EQ(parse_bad("magnet:?xt=urn:btih:%zz").code, MagnetErrc::bad_percent_encoding);
  // The xt may itself be percent-encoded; unknown keys are not read, so not checked.
  EXPECT_EQ(parse_ok(std::string("magnet:?xt=urn%3Abtih%3A") + kHex + "&x.junk=%%%").info_hash,
            example_hash());
}

TEST(MagnetUri, DecodesDisplayName) {
  EXPECT_EQ(parse_ok(kLink + "&dn=Big+Buck%20Bunny%2B%26%3D%25%23%2F").name, "Big Buck Bunny+&=%#/");
  EXPECT_EQ(parse_ok(kLink + "&dn=%E5%90%8D%E5%89%8D%20%F0%9F%8E%AC").name,
            "\xE5\x90\x8D\xE5\x89\x8D \xF0\x9F\x8E\xAC");
  // Raw UTF-8, as pasted links carry it, is taken as it is.
  EXPECT_EQ(parse_ok(kLink + "&dn=Caf\xC3\xA9").name, "Caf\xC3\xA9");
  const Magnet none = parse_ok(kLink + "&dn=");
  EXPECT_EQ(none.name, "");
  EXPECT_TRUE(none.warnings.empty());
}

TEST(MagnetUri, RepairsDisplayNameWithAWarning) {
  const std::string fffd = "\xEF\xBF\xBD";
  const Magnet m = parse_ok(kLink + "&dn=a%0Ab%1B%5B2Jc%FFd%00");
  EXPECT_EQ(m.name, "a" + fffd + "b" + fffd + "[2Jc" + fffd + "d" + fffd);
  EXPECT_TRUE(has_warning(m, "replaced invalid or control characters in the display name"));
  // Too long a name is cut at a character boundary.
  std::string long_name;
  for (int i = 0; i < 400; ++i) long_name += "%C3%A9";  // 800 bytes of 'é' ...
  for (int i = 0; i < 300; ++i) long_name += "x";       // ... then 300 of 'x'
  const Magnet cut = parse_ok(kLink + "&dn=" + long_name);
  EXPECT_EQ(cut.name.size(), 1024u);
  EXPECT_TRUE(has_warning(cut, "shortened the display name"));
  std::string odd;
  for (int i = 0; i < 400; ++i) odd += "%E2%82%AC";  // 1200 bytes of 3-byte '€': cut at 1023
  EXPECT_EQ(parse_ok(kLink + "&dn=" + odd).name.size(), 1023u);
}

TEST(MagnetUri, KeepsTheFirstDisplayName) {
  const Magnet m = parse_ok(kLink + "&dn=first&dn.1=first&dn.2=second");
  EXPECT_EQ(m.name, "first");
  EXPECT_TRUE(has_warning(m, "ignored another display name (dn) 'second'"));
  ASSERT_EQ(m.warnings.size(), 1u);
}

TEST(MagnetUri, ReadsTrackersInOrderWithoutDuplicates) {
  const Magnet m =
      parse_ok(kLink + "&tr=http%3A%2F%2Fa.example%2Fannounce&tr.1=udp://b.example:6969/announce" +
               "&tr=https://c.example/announce.php%3Fpasskey%3Dx%2By%26z%3D1" +
               "&tr.2=http%3a%2f%2fa.example%2fannounce&tr=udp%3A%2F%2F%5B%3A%3A1%5D%3A6969");
  EXPECT_EQ(m.trackers,
            (std::vector<std::string>{"http://a.example/announce", "udp://b.example:6969/announce",
                                      "https://c.example/announce.php?passkey=x+y&z=1", "udp://[::1]:6969"}));
  EXPECT_TRUE(m.warnings.empty());  // a duplicate is dropped quietly
}

TEST(MagnetUri, LeavesOutUnusableTrackersWithAWarning) {
  const Magnet m = parse_ok(kLink + "&tr=wss%3A%2F%2Ftracker.webtorrent.dev&tr=udp%3A%2F%2Fnoport.example" +
                            "&tr=http%3A%2F%2Fsp%20ace.example%2Fa&tr=http%3A%2F%2Fuser%40t.example%2Fa" +
                            "&tr=&tr=http%3A%2F%2F%E4%BE%8B.example%2Fa&tr=http%3A%2F%2Fok.example%2Fa");
  EXPECT_EQ(m.trackers, (std::vector<std::string>{"http://ok.example/a"}));
  EXPECT_TRUE(has_warning(m, "wss://tracker.webtorrent.dev: unsupported scheme"))
      << testing::PrintToString(m.warnings);
  EXPECT_TRUE(has_warning(m, "no port"));
  EXPECT_TRUE(has_warning(m, "not printable ASCII"));
  EXPECT_TRUE(has_warning(m, "user info"));
  EXPECT_EQ(m.warnings.size(), 5u);  // an empty tr= is nothing to warn about
}

TEST(MagnetUri, BoundsTrackers) {
  std::string link = kLink;
  for (int i = 0; i < 130; ++i) link += "&tr=http://t" + std::to_string(i) + ".example/a";
  const Magnet m = parse_ok(link);
  ASSERT_EQ(m.trackers.size(), kMaxTrackers);
  EXPECT_EQ(m.trackers.front(), "http://t0.example/a");
  EXPECT_EQ(m.trackers.back(), "http://t99.example/a");
  EXPECT_TRUE(has_warning(m, "ignored 30 trackers beyond the first 100"));
}

TEST(MagnetUri, ReadsPeerAddresses) {
  const Magnet m = parse_ok(kLink + "&x.pe=10.0.0.2:6881&x.pe.1=%5B2001:DB8::1%5D:51413&x.pe=Seed.Example:1" +
                            "&x.pe=[2001:db8:0::1]:51413&x.pe=10.0.0.2:6881");
  ASSERT_EQ(m.peers.size(), 3u);  // the same peer spelled twice is one
  EXPECT_EQ(m.peers[0], (PeerAddress{"10.0.0.2", 6881}));
  EXPECT_EQ(m.peers[1], (PeerAddress{"2001:db8::1", 51413}));
  EXPECT_EQ(m.peers[2], (PeerAddress{"seed.example", 1}));
  EXPECT_TRUE(m.warnings.empty());
}

TEST(MagnetUri, LeavesOutBadPeersAndBoundsThem) {
  const Magnet bad = parse_ok(kLink + "&x.pe=10.0.0.2&x.pe=10.0.0.2:0&x.pe=::1:80&x.pe=999.1.1.1:80");
  EXPECT_TRUE(bad.peers.empty());
  EXPECT_EQ(bad.warnings.size(), 4u);
  EXPECT_TRUE(has_warning(bad, "ignored peer address (x.pe) '10.0.0.2': no port"));
  std::string link = kLink;
  for (int i = 0; i < 150; ++i)
    link += "&x.pe=10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250) + ":1";
  const Magnet many = parse_ok(link);
  EXPECT_EQ(many.peers.size(), kMaxPeers);
  EXPECT_TRUE(has_warning(many, "ignored 50 peer addresses beyond the first 100"));
}

TEST(MagnetUri, ReadsWebSeedsHttpOnlyAndBounded) {
  std::string link = kLink + "&ws=http%3A%2F%2Fw.example%2Ffile&ws=udp://w.example:80&ws=ftp://w.example/f";
  for (int i = 0; i < 60; ++i) link += "&ws.1=https://w" + std::to_string(i) + ".example/f";
  const Magnet m = parse_ok(link);
  ASSERT_EQ(m.web_seeds.size(), kMaxWebSeeds);
  EXPECT_EQ(m.web_seeds[0], "http://w.example/file");
  EXPECT_EQ(m.web_seeds[1], "https://w0.example/f");
  EXPECT_TRUE(has_warning(m, "ignored web seed udp://w.example:80"));
  EXPECT_TRUE(has_warning(m, "ignored web seed ftp://w.example/f"));
  EXPECT_TRUE(has_warning(m, "ignored 11 web seeds beyond the first 50"));
}

TEST(MagnetUri, ReadsFileSelection) {
  EXPECT_EQ(parse_ok(kLink + "&so=0,2,4-6").selected_files, (std::vector<FileRange>{{0, 0}, {2, 2}, {4, 6}}));
  // Several so= values add up, normalized; percent-encoded commas are fine.
  EXPECT_EQ(parse_ok(kLink + "&so=5-9&so.1=0%2C3-4").selected_files,
            (std::vector<FileRange>{{0, 0}, {3, 9}}));
  EXPECT_TRUE(parse_ok(kLink).selected_files.empty());
}

TEST(MagnetUri, RefusesMalformedFileSelection) {
  for (const char* so : {"&so=", "&so=1-", "&so=a", "&so=3-1", "&so=1,,2", "&so=4294967296"}) {
    EXPECT_EQ(parse_bad(kLink + so).code, MagnetErrc::bad_file_selection) << so;
  }
}

TEST(MagnetUri, IgnoresUnknownKeysEmptyParametersAndSurroundingBlanks) {
  const Magnet m = parse_ok("  \t" + kLink +
                            "&&xl=1234&kt=a+b&as=http%3A%2F%2Fx&x.foo=1&tr.x=junk&novalue&=v" + "&dn=n\r\n");
  EXPECT_EQ(m.info_hash, example_hash());
  EXPECT_EQ(m.name, "n");
  EXPECT_TRUE(m.trackers.empty());
  EXPECT_TRUE(m.warnings.empty());
}

TEST(MagnetUri, DropsAFragment) {
  const Magnet m = parse_ok(kLink + "&dn=Episode%20%235&tr=http://t.example/a#");
  EXPECT_EQ(m.name, "Episode #5");
  EXPECT_EQ(m.trackers.size(), 1u);
  EXPECT_TRUE(m.warnings.empty());  // an empty fragment says nothing
  const Magnet cut = parse_ok(kLink + "&dn=Episode #5&tr=http://t.example/a");
  EXPECT_EQ(cut.name, "Episode ");
  EXPECT_TRUE(cut.trackers.empty());
  EXPECT_TRUE(has_warning(cut, "ignored the text after '#'"));
}

TEST(MagnetUri, BoundsWarnings) {
  std::string link = kLink;
  for (int i = 0; i < 50; ++i) link += "&tr=bad" + std::to_string(i);
  const Magnet m = parse_ok(link);
  ASSERT_EQ(m.warnings.size(), 21u);
  EXPECT_EQ(m.warnings.back(), "and 30 more warnings");
}

TEST(MagnetUri, MakesAPlainLink) {
  Magnet m;
  m.info_hash = example_hash();
  m.name = "Big Buck Bunny (2008) & co.mp4";
  m.trackers = {"udp://t.example:6969/announce", "https://t.example/a?k=1&p=x+y"};
  m.web_seeds = {"http://w.example/f"};
  m.peers = {{"10.0.0.2", 6881}, {"::1", 80}};
  m.selected_files = {{0, 0}, {2, 5}};
  EXPECT_EQ(make_magnet_uri(m), kLink + "&dn=Big%20Buck%20Bunny%20(2008)%20%26%20co.mp4" +
                                    "&tr=udp://t.example:6969/announce&tr=https://t.example/a?k=1%26p=x%2By" +
                                    "&ws=http://w.example/f&x.pe=10.0.0.2:6881&x.pe=%5B::1%5D:80&so=0,2-5");
  Magnet bare;
  bare.info_hash = example_hash();
  EXPECT_EQ(make_magnet_uri(bare), kLink);
}

TEST(MagnetUri, RoundTripsAwkwardValues) {
  const std::vector<std::string> names = {"plain",
                                          "a b+c&d=e%f#g?h/i",
                                          "100% legit?!",
                                          " leading and trailing ",
                                          "+++",
                                          "%20 literally",
                                          "\xE5\x90\x8D\xE5\x89\x8D \xF0\x9F\x8E\xAC.mkv",
                                          "quote\"s 'and' \\back\\slash",
                                          "semi;colon,comma",
                                          "~tilde.",
                                          "x=1&dn=spoof&xt=urn:btih:0000000000000000000000000000000000000000",
                                          "[brackets] {braces} <angles> |pipe|",
                                          std::string(1024, 'n')};
  for (const std::string& name : names) {
    Magnet m;
    m.info_hash = example_hash();
    m.name = name;
    m.trackers = {"http://t.example/announce?passkey=a+b%2Fc&x=#", "udp://[2001:db8::1]:6969"};
    m.web_seeds = {"https://w.example/dir/file%20name?x=1&y=2"};
    m.peers = {{"10.0.0.2", 6881}, {"2001:db8::2", 51413}, {"peer.example", 1}};
    m.selected_files = {{0, 0}, {2, 2}, {4, 4294967295u}};
    const std::string uri = make_magnet_uri(m);
    auto back = parse_magnet_uri(uri);
    ASSERT_TRUE(back) << uri << ": " << back.error().message;
    EXPECT_EQ(*back, m) << uri;
  }
}

TEST(MagnetUri, WhatIsReadCanBeMadeAndReadAgainEvenNearTheCap) {
  // Trackers full of '+', kept raw in the link read but written %2B, would make the link three
  // times longer: those past the cap are left out so the made link reads back the same.
  std::string link = kLink + "&dn=%01" + "&so=1,3";
  for (int i = 0; link.size() < kMaxUriBytes - 700; ++i) {
    link += "&tr=http://t" + std::to_string(i) + ".example/a?" + std::string(600, '+');
  }
  const Magnet m = parse_ok(link);
  EXPECT_TRUE(has_warning(m, "longer than 65536 bytes")) << testing::PrintToString(m.warnings);
  EXPECT_FALSE(m.trackers.empty());
  const std::string made = make_magnet_uri(m);
  EXPECT_LE(made.size(), kMaxUriBytes);
  Magnet again = parse_ok(made);
  EXPECT_TRUE(again.warnings.empty()) << testing::PrintToString(again.warnings);
  Magnet expected = m;
  expected.warnings.clear();
  EXPECT_EQ(again, expected);
}

TEST(MagnetPublic, ParsesIntoPlainStrings) {
  auto info = parse_magnet(kLink + "&dn=n&tr=http://t.example/a&x.pe=%5B::1%5D:80&x.pe=10.0.0.2:1" +
                           "&ws=http://w.example/f&so=4-6,0&tr=wss://x");
  ASSERT_TRUE(info) << info.error();
  EXPECT_EQ(info->info_hash, kHex);
  EXPECT_EQ(info->name, "n");
  EXPECT_EQ(info->trackers, (std::vector<std::string>{"http://t.example/a"}));
  EXPECT_EQ(info->peers, (std::vector<std::string>{"[::1]:80", "10.0.0.2:1"}));
  EXPECT_EQ(info->web_seeds, (std::vector<std::string>{"http://w.example/f"}));
  ASSERT_EQ(info->selected_files.size(), 2u);
  EXPECT_EQ(info->selected_files[1].first, 4u);
  EXPECT_EQ(info->selected_files[1].last, 6u);
  EXPECT_EQ(info->warnings.size(), 1u);
  EXPECT_TRUE(magnet_selects_file(*info, 5));
  EXPECT_FALSE(magnet_selects_file(*info, 3));
  EXPECT_TRUE(magnet_selects_file(MagnetInfo{}, 3));
  auto bad = parse_magnet("magnet:?xt=urn:btmh:1220aa");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), "BitTorrent v2 (btmh) magnet links are not supported yet");
}

TEST(MagnetPublic, TellsMagnetLinksFromFileNames) {
  EXPECT_TRUE(is_magnet_link(kLink));
  EXPECT_TRUE(is_magnet_link(" Magnet:?xt=junk"));
  EXPECT_TRUE(is_magnet_link("magnet:"));
  EXPECT_FALSE(is_magnet_link("magnet.torrent"));
  EXPECT_FALSE(is_magnet_link("dir/magnet:?xt"));
  EXPECT_FALSE(is_magnet_link(""));
}

TEST(MagnetPublic, MakesATorrentsLinkWithEveryTracker) {
  TorrentInfo t;
  t.info_hash = kHex;
  t.name = "Album Name & Co";
  t.trackers = {{"http://a.example/announce", "udp://b.example:1/announce"},
                {"http://a.example/announce"},
                {"https://c.example/announce"}};
  t.web_seeds = {"http://w.example/Album%20Name"};
  const std::string uri = magnet_uri(t);
  auto info = parse_magnet(uri);
  ASSERT_TRUE(info) << info.error();
  EXPECT_EQ(info->info_hash, kHex);
  EXPECT_EQ(info->name, t.name);
  EXPECT_EQ(info->trackers,
            (std::vector<std::string>{"http://a.example/announce", "udp://b.example:1/announce",
                                      "https://c.example/announce"}));
  EXPECT_EQ(info->web_seeds, t.web_seeds);
  EXPECT_TRUE(info->warnings.empty());
}

TEST(MagnetPublic, ATorrentWithThousandsOfTrackersStillGivesAReadableLink) {
  TorrentInfo t;
  t.info_hash = kHex;
  t.name = "n";
  for (int i = 0; i < 3000; ++i)
    t.trackers.push_back({"http://t" + std::to_string(i) + ".example/" + std::string(900, 'a')});
  const std::string uri = magnet_uri(t);
  EXPECT_LE(uri.size(), kMaxUriBytes);
  auto info = parse_magnet(uri);
  ASSERT_TRUE(info) << info.error();
  EXPECT_FALSE(info->trackers.empty());
  EXPECT_LT(info->trackers.size(), kMaxTrackers);  // 900-byte URLs: fewer than 100 fit
  EXPECT_EQ(info->trackers.front(), t.trackers.front().front());
  EXPECT_TRUE(info->warnings.empty());
}

TEST(MagnetPublic, MakesALinkFromWhatASnapshotShows) {
  const std::string uri =
      magnet_uri(kHex, "Album Name & Co", {"http://a.example/announce", "udp://b.example:1/announce",
                                           "http://a.example/announce"});
  auto info = parse_magnet(uri);
  ASSERT_TRUE(info) << info.error();
  EXPECT_EQ(info->info_hash, kHex);
  EXPECT_EQ(info->name, "Album Name & Co");
  EXPECT_EQ(info->trackers,
            (std::vector<std::string>{"http://a.example/announce", "udp://b.example:1/announce"}));
  EXPECT_TRUE(info->warnings.empty());
  EXPECT_EQ(magnet_uri("not a hash", "n", {}), "");
}

}  // namespace
}  // namespace tessera::magnet
