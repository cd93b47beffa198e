"""`tessera-cli download` and `seed` of magnet links: malformed links are refused before anything
starts (one `error:` line, exit 2), the options for finding peers are checked, and a link whose
only peer cannot be reached shows 'fetching metadata' with the reason it is stuck."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cli_test_support import RunningCli, bencode, bound_port, run_cli  # noqa: E402

HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
LINK = f"magnet:?xt=urn:btih:{HASH}"


class MagnetDownload(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.out = os.path.join(self.tmp.name, "out")
        # A valid .torrent to mix with links: a bad link next to it still stops everything.
        self.torrent = os.path.join(self.tmp.name, "ok.torrent")
        with open(self.torrent, "wb") as f:
            f.write(bencode({"info": {"name": "ok.bin", "length": 5, "piece length": 16384, "pieces": b"\1" * 20}}))

    def tearDown(self):
        self.tmp.cleanup()

    def assert_one_error(self, args, message_part, code=2):
        rc, out, err, _, _ = run_cli(*args)
        self.assertEqual(rc, code, out + err)
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertTrue(err.startswith("error: "), err)
        self.assertIn(message_part, err)
        return out, err

    def test_malformed_links_are_refused_before_anything_starts(self):
        cases = [
            ("magnet:?dn=no-hash", "info-hash"),
            (f"magnet:?xt=urn:btih:{HASH[:-1]}", "malformed info-hash in xt"),
            (f"magnet:?xt=urn:btih:{HASH}&so=3-1", "backward range"),
            (f"magnet:?xt=urn:btih:{HASH}&dn=%zz", "percent"),
            ("magnet:?xt=urn:btmh:1220" + "ab" * 32, "BitTorrent v2"),
        ]
        for link, part in cases:
            for command, flag in (("download", "-o"), ("seed", "-d")):
                with self.subTest(link=link, command=command):
                    out, _ = self.assert_one_error([command, link, flag, self.out, "--listen", "127.0.0.97:0"], part)
                    self.assertEqual(out, "")
        # Mixed with a good .torrent, in either order: nothing is started, no folder made.
        for args in ([self.torrent, cases[1][0]], [cases[1][0], self.torrent]):
            self.assert_one_error(["download", *args, "-o", self.out, "--listen", "127.0.0.97:0"], "malformed")
        self.assertFalse(os.path.exists(self.out))

    def test_options_for_finding_peers_are_checked(self):
        base = ["download", LINK, "-o", self.out, "--listen", "127.0.0.97:0"]
        self.assert_one_error(base + ["--dht-bootstrap", "router.example"], "--dht-bootstrap: expected a node")
        self.assert_one_error(base + ["--dht-bootstrap", "127.0.0.1:0"], "port 1-65535")
        self.assert_one_error(base + ["--dht-bootstrap"], "--dht-bootstrap needs a value")
        self.assert_one_error(base + ["--no-dht", "--dht-bootstrap", "127.0.0.1:6881"], "the DHT is off")
        self.assert_one_error(base + ["--max-metadata-size", "8"], "--max-metadata-size: expected KiB")
        self.assert_one_error(base + ["--max-metadata-size", "lots"], "--max-metadata-size: expected KiB")
        self.assert_one_error(["check", LINK, "-d", self.out], "a magnet link holds no file list")
        for command in ("download", "seed"):
            rc, out, _, _, _ = run_cli(command, "--help")
            self.assertEqual(rc, 0)
            for flag in ("--no-dht", "--dht-bootstrap ADDR:PORT", "--no-pex", "--no-lsd", "--max-metadata-size",
                         "magnet link"):
                self.assertIn(flag, out, f"{command} --help")

    def test_unreachable_link_peer_shows_fetching_metadata_and_why(self):
        refuser, port = bound_port("127.0.0.98")  # bound, not listening: every attempt is refused
        try:
            cli = RunningCli("download", self.torrent, f"{LINK}&dn=wanted&x.pe=127.0.0.98:{port}&tr=wss://t.example/a",
                             "-o", self.out, "--listen", "127.0.0.99:0", "--no-state", "--no-trackers",
                             "--dht-bootstrap", "127.0.0.98:9", "--no-pex", "--no-lsd", "--max-metadata-size", "1024")
            try:
                line = cli.wait_for_line(lambda l: l.startswith("wanted: fetching metadata")
                                         and "stalled: peers known, none reachable" in l)
                self.assertIn("size not known yet", line)
                # The .torrent beside it runs as usual, with a line of its own.
                cli.wait_for_line(lambda l: l.startswith("ok.bin: "))
            finally:
                code = cli.stop()
            self.assertEqual(code, 1, cli.output())  # an interrupted download
            self.assertIn("warning: ", cli.output())  # the wss:// tracker was left out
        finally:
            refuser.close()

    def test_seed_of_a_magnet_waits_for_the_metadata(self):
        cli = RunningCli("seed", LINK, "-d", self.out, "--listen", "127.0.0.99:0", "--no-state", "--no-dht",
                         "--no-lsd")
        try:
            line = cli.wait_for_line(lambda l: l.startswith("fetching metadata"))
            self.assertIn("stalled: no peers known", line)
        finally:
            code = cli.stop()
        self.assertEqual(code, 0, cli.output())  # seeding ends by being interrupted


if __name__ == "__main__":
    unittest.main()
