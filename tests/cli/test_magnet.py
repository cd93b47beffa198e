"""Magnet links in tessera-cli: `info MAGNET` on links made by libtorrent (what qBittorrent hands
out), `magnet FILE.torrent` read back by libtorrent and by `info`, base32 links, and hostile links
that must end in one `error:` line and exit status 2."""
import base64
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cli_test_support import run_cli  # noqa: E402

import libtorrent as lt  # noqa: E402  (Debian's python3-libtorrent)

HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
AWKWARD = "Ünïcode & spaces+plus = 100% #1 [x] (y) 'q' \"d\" 名前 🎬"
TRACKERS = ["http://127.0.0.1:6969/announce", "udp://127.0.0.2:6969/announce",
            "https://t.example/announce.php?passkey=a+b&x=%2F"]


def info_json(link):
    rc, out, err, _, _ = run_cli("info", "--json", link)
    if rc != 0:
        raise AssertionError(f"tessera-cli info failed ({rc}): {err}")
    return json.loads(out), err


def base32(hex_hash):
    return base64.b32encode(bytes.fromhex(hex_hash)).decode()


class MagnetCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        # A folder with an awkward name, made into a torrent by libtorrent (hybrid v1 + v2, as
        # libtorrent 2 and so qBittorrent make them by default) with trackers in two tiers.
        root = os.path.join(cls.tmp.name, AWKWARD)
        os.makedirs(root)
        for rel, size in (("a.bin", 40_000), ("sub/b b.bin", 70_001), ("c.txt", 5)):
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), "wb") as f:
                f.write(os.urandom(size))
        fs = lt.file_storage()
        lt.add_files(fs, root)
        ct = lt.create_torrent(fs, 16384)
        for tier, url in enumerate(TRACKERS):
            ct.add_tracker(url, min(tier, 1))
        ct.add_url_seed("http://127.0.0.3/seed/")
        lt.set_piece_hashes(ct, cls.tmp.name)
        cls.torrent = os.path.join(cls.tmp.name, "awkward.torrent")
        with open(cls.torrent, "wb") as f:
            f.write(lt.bencode(ct.generate()))
        cls.ti = lt.torrent_info(cls.torrent)
        cls.v1 = str(cls.ti.info_hashes().v1)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def assert_bad_link(self, link, message_part):
        rc, out, err, _, _ = run_cli("info", link)
        self.assertEqual(rc, 2, err)
        self.assertEqual(out, "")
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertTrue(err.startswith("error: "), err)
        self.assertIn(message_part, err)
        return err

    def test_libtorrent_link_of_a_torrent(self):
        link = lt.make_magnet_uri(self.ti)
        self.assertIn("xt=urn:btmh:", link)  # hybrid: both hashes, and the v1 one is what we read
        got, err = info_json(link)
        self.assertEqual(err, "")
        self.assertEqual(got["info_hash"], self.v1)
        self.assertEqual(got["name"], AWKWARD)
        self.assertEqual(sorted(got["trackers"]), sorted(TRACKERS))  # libtorrent orders a tier its own way
        self.assertEqual(got["web_seeds"], ["http://127.0.0.3/seed/"])
        self.assertIsNone(got["selected_files"])

    def test_libtorrent_link_with_peers_and_selection(self):
        p = lt.add_torrent_params()
        p.info_hashes = lt.info_hash_t(lt.sha1_hash(bytes.fromhex(HASH)))
        p.name = AWKWARD
        p.trackers = TRACKERS
        p.peers = [("10.0.0.2", 6881), ("2001:db8::1", 51413)]
        p.file_priorities = [4, 0, 4, 4, 4, 0, 1]
        link = lt.make_magnet_uri(p)
        got, _ = info_json(link)
        self.assertEqual(got["info_hash"], HASH)
        self.assertEqual(got["name"], AWKWARD)
        self.assertEqual(got["trackers"], TRACKERS)
        self.assertEqual(got["peers"], ["10.0.0.2:6881", "[2001:db8::1]:51413"])
        self.assertEqual(got["selected_files"], [{"first": 0, "last": 0}, {"first": 2, "last": 4},
                                                 {"first": 6, "last": 6}])
        rc, text, _, _, _ = run_cli("info", link)
        self.assertEqual(rc, 0)
        self.assertIn(HASH, text)
        self.assertIn(AWKWARD, text)
        self.assertIn("only 0, 2-4, 6", text)
        self.assertIn("[2001:db8::1]:51413", text)

    def test_magnet_of_a_torrent_round_trips(self):
        rc, out, err, _, _ = run_cli("magnet", self.torrent)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(out.splitlines()), 1)
        link = out.strip()
        # Our link, read back by us ...
        got, _ = info_json(link)
        self.assertEqual(got["info_hash"], self.v1)
        self.assertEqual(got["name"], AWKWARD)
        self.assertEqual(got["trackers"], TRACKERS)
        self.assertEqual(got["web_seeds"], ["http://127.0.0.3/seed/"])
        self.assertEqual(got["warnings"], [])
        rc, out, _, _, _ = run_cli("info", "--json", self.torrent)
        self.assertEqual(json.loads(out)["info_hash"], got["info_hash"])
        # ... and by libtorrent.
        p = lt.parse_magnet_uri(link)
        self.assertEqual(str(p.info_hashes.v1), self.v1)
        self.assertEqual(p.name, AWKWARD)
        self.assertEqual(list(p.trackers), TRACKERS)
        self.assertEqual(list(p.url_seeds), ["http://127.0.0.3/seed/"])

    def test_base32_links(self):
        for b32 in (base32(HASH), base32(HASH).lower()):
            got, _ = info_json(f"magnet:?xt=urn:btih:{b32}&dn=b32")
            self.assertEqual(got["info_hash"], HASH)
        # libtorrent reads the same link to the same hash.
        p = lt.parse_magnet_uri(f"magnet:?xt=urn:btih:{base32(HASH)}")
        self.assertEqual(str(p.info_hashes.v1), HASH)

    def test_unusable_parts_are_warned_about(self):
        link = (f"magnet:?xt=urn:btih:{HASH}&tr=wss%3A%2F%2Ftracker.webtorrent.dev"
                "&tr=http%3A%2F%2Fok.example%2Fa&x.pe=10.0.0.2&dn=a%1B%5B2Jb")
        rc, out, err, _, _ = run_cli("info", link)
        self.assertEqual(rc, 0, err)
        self.assertIn("warning: ignored bad tracker URL wss://tracker.webtorrent.dev: unsupported scheme", err)
        self.assertIn("warning: ignored peer address (x.pe) '10.0.0.2': no port", err)
        self.assertIn("http://ok.example/a", out)
        self.assertNotIn("\x1b", out)  # no escape sequence reaches the terminal

    def test_hostile_links(self):
        huge = f"magnet:?xt=urn:btih:{HASH}&tr=" + "a" * 100_000
        self.assert_bad_link(huge, f"magnet link too long ({len(huge)} bytes, limit 65536)")
        self.assert_bad_link(f"magnet:?xt=urn:btih:{HASH}&dn=50%+off", "bad percent-encoding in dn")
        self.assert_bad_link("magnet:?xt=urn:btmh:1220" + "ab" * 32 + "&dn=v2",
                             "BitTorrent v2 (btmh) magnet links are not supported yet")
        self.assert_bad_link("magnet:?dn=nothing&tr=http://t.example/a", "no BitTorrent info-hash")
        self.assert_bad_link("magnet:?xt=urn:btih:" + HASH[:-1], "malformed info-hash in xt")
        self.assert_bad_link("magnet:?xt=urn:btih:" + HASH + "&xt=urn:btih:" + "0" * 40,
                             "several different info-hashes")
        self.assert_bad_link(f"magnet:?xt=urn:btih:{HASH}&so=3-1", "backward range")
        self.assert_bad_link(f"magnet:xt=urn:btih:{HASH}", "not a magnet link")
        # A thousand trackers and peers: kept to the bounds, quickly.
        many = "".join(f"&tr=http://t{i}.example/a&x.pe=10.0.{i // 250}.{i % 250}:1" for i in range(1000))
        rc, out, err, cpu, _ = run_cli("info", "--json", f"magnet:?xt=urn:btih:{HASH}{many}")
        self.assertEqual(rc, 0, err)
        got = json.loads(out)
        self.assertEqual(len(got["trackers"]), 100)
        self.assertEqual(len(got["peers"]), 100)
        self.assertIn("ignored 900 trackers beyond the first 100", err)
        self.assertLess(cpu, 5)

    def test_magnet_command_errors(self):
        rc, out, err, _, _ = run_cli("magnet", os.path.join(self.tmp.name, "missing.torrent"))
        self.assertEqual((rc, out, len(err.splitlines())), (2, "", 1))
        bad = os.path.join(self.tmp.name, "bad.torrent")
        with open(bad, "wb") as f:
            f.write(b"d4:infod4:name1:xee")
        rc, out, err, _, _ = run_cli("magnet", bad)
        self.assertEqual((rc, out, len(err.splitlines())), (2, "", 1))
        self.assertTrue(err.startswith(f"error: {bad}: "), err)
        rc, _, err, _, _ = run_cli("magnet")
        self.assertEqual(rc, 2)
        self.assertIn("no torrent file given", err)


if __name__ == "__main__":
    unittest.main()
