"""`tessera-cli download` / `seed` refuse bad situations with one `error:` line and a non-zero exit:
an unreadable or invalid torrent (2), a port already in use (1), a folder that cannot be written (1)."""
import os
import socket
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cli_test_support import bencode, run_cli  # noqa: E402


def small_torrent(path):
    import hashlib
    data = b"tessera" * 1000
    info = {"name": "f.bin", "length": len(data), "piece length": 16384,
            "pieces": hashlib.sha1(data).digest()}
    with open(path, "wb") as f:
        f.write(bencode({"info": info}))


class TransferErrors(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.torrent = os.path.join(self.tmp.name, "t.torrent")
        small_torrent(self.torrent)

    def tearDown(self):
        self.tmp.cleanup()

    def assert_one_error(self, args, code, fragment):
        rc, out, err, _, _ = run_cli(*args, timeout=30)
        self.assertEqual(rc, code, err)
        lines = err.strip().splitlines()
        self.assertEqual(len(lines), 1, err)
        self.assertTrue(lines[0].startswith("error: "), lines[0])
        self.assertIn(fragment, lines[0])

    def test_missing_and_invalid_torrents(self):
        out = os.path.join(self.tmp.name, "out")
        self.assert_one_error(["download", os.path.join(self.tmp.name, "nope.torrent"), "-o", out,
                               "--listen", "127.0.0.61:0", "--no-trackers"], 2, "No such file")
        bad = os.path.join(self.tmp.name, "bad.torrent")
        with open(bad, "wb") as f:
            f.write(b"d4:infod4:name2:..6:lengthi5e12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee")
        self.assert_one_error(["download", bad, "-o", out, "--listen", "127.0.0.61:0", "--no-trackers"], 2,
                              "dangerous")

    def test_bad_caps(self):
        out = os.path.join(self.tmp.name, "out")
        for flag, value in (("--dl-limit", "-5"), ("--ul-limit", "fast"), ("--dl-limit", "1.5"),
                            ("--ul-limit", "99999999999")):
            self.assert_one_error(["download", self.torrent, "-o", out, flag, value, "--listen", "127.0.0.61:0",
                                   "--no-trackers"], 2, flag)
        self.assert_one_error(["seed", self.torrent, "-d", out, "--ul-limit"], 2, "--ul-limit needs a value")

    def test_port_in_use(self):
        with socket.socket() as s:
            s.bind(("127.0.0.62", 0))
            s.listen(1)
            port = s.getsockname()[1]
            self.assert_one_error(["seed", self.torrent, "-d", self.tmp.name, "--listen", f"127.0.0.62:{port}",
                                   "--no-trackers"], 1, "Address already in use")

    def test_unwritable_folder(self):
        blocker = os.path.join(self.tmp.name, "file-not-folder")
        with open(blocker, "w") as f:
            f.write("x")
        self.assert_one_error(["download", self.torrent, "-o", os.path.join(blocker, "sub"),
                               "--listen", "127.0.0.63:0", "--no-trackers"], 1, "cannot create folder")

    def test_usage_errors(self):
        self.assert_one_error(["download", self.torrent], 2, "need a torrent file or magnet link and a folder")
        self.assert_one_error(["seed", self.torrent, "-d", self.tmp.name, "--listen", "nonsense"], 2, "--listen")
        self.assert_one_error(["download", self.torrent, "-o", self.tmp.name, "--peer", "not-an-address"], 2,
                              "invalid peer address")
        self.assert_one_error(["download", self.torrent, "-o", self.tmp.name, "--log-level", "loud",
                               "--listen", "127.0.0.61:0", "--no-trackers"], 2, "--log-level")


if __name__ == "__main__":
    unittest.main(verbosity=2)
