"""Hostile and broken torrents: `tessera-cli info` must print exactly one `error:` line on stderr,
nothing on stdout, exit 2, within a second of CPU time and under 100 MiB — never crash, hang or
balloon. CPU time, not wall time: a busy machine delays the answer but does not make it cost more."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cli_test_support import SANITIZED, bencode, run_cli  # noqa: E402

MAX_CPU_SECONDS = 1.0  # the worst case, 2.5 million empty lists, takes about a quarter of that
MAX_CPU_SECONDS_SANITIZED = 10.0  # ASan and UBSan cost a few times as much; a runaway still shows
MAX_RSS_KIB = 100 * 1024


def info(extra=None, **overrides):
    d = {"name": "x", "piece length": 16384, "length": 100, "pieces": b"h" * 20}
    d.update(overrides)
    if extra:
        d.update(extra)
    return {k: v for k, v in d.items() if v is not None}


def torrent(info_dict):
    return bencode({"announce": "http://127.0.0.1:6969/announce", "info": info_dict})


def multi(paths_and_sizes, piece_length=16384, pieces=None):
    total = sum(size for _, size in paths_and_sizes)
    count = max(1, -(-total // piece_length)) if total > 0 else 1
    return torrent({"name": "m", "piece length": piece_length,
                    "pieces": pieces if pieces is not None else b"h" * 20 * min(count, 10),
                    "files": [{"path": p, "length": s} for p, s in paths_and_sizes]})


BIG = 2**63 - 10
CASES = {
    # name: (bytes, a fragment the error line must contain)
    "nesting-100000-deep": (b"d4:info" + b"l" * 100000 + b"e" * 100000 + b"e", "nesting too deep"),
    "string-length-2^40": (b"d4:infod4:name1099511627776:xee", "string length exceeds"),
    "path-dotdot": (multi([(["..", "..", "etc", "passwd"], 10)]), "dangerous path"),
    "path-inner-dotdot": (multi([(["ok", "..", "..", "x"], 10)]), "dangerous path"),
    "path-absolute": (multi([(["/etc/passwd"], 10)]), "dangerous path"),
    "path-nul": (multi([(["a\0b"], 10)]), "NUL"),
    "path-newline-dotdot": (multi([(["x\ny", ".."], 10)]), "'..' would escape"),
    "name-dotdot": (torrent(info(name="..")), "dangerous torrent name"),
    "name-absolute": (torrent(info(name="/tmp/evil")), "dangerous torrent name"),
    "negative-length": (torrent(info(length=-1)), "negative length"),
    "negative-file-length": (multi([(["a"], 10), (["b"], -10)]), "negative length"),
    "overflowing-sizes": (multi([(["a"], BIG), (["b"], BIG)]), "overflows"),
    "integer-past-64-bits": (torrent(info()).replace(b"i100e", b"i99999999999999999999e"), "integer overflow"),
    "pieces-not-multiple-of-20": (torrent(info(pieces=b"h" * 19)), "not a multiple of 20"),
    "piece-count-mismatch": (torrent(info(length=100000, pieces=b"h" * 20)), "piece count mismatch"),
    "piece-length-zero": (torrent(info(**{"piece length": 0})), "piece length"),
    "piece-length-negative": (torrent(info(**{"piece length": -5})), "piece length"),
    "leading-zero": (torrent(info()).replace(b"i100e", b"i0100e"), "leading zero"),
    "trailing-garbage": (torrent(info()) + b"junk", "trailing data"),
    "truncated": (torrent(info())[:-7], "not a valid torrent"),
    "truncated-in-integer": (b"d4:infod6:lengthi12", "unexpected end"),
    "not-bencode": (b"<html>not a torrent</html>", "not a valid torrent"),
    "empty-file": (b"", "unexpected end"),
    "list-at-top": (b"li1ei2ee", "not a dictionary"),
    "no-info": (bencode({"announce": "x"}), "no 'info'"),
    "duplicate-keys": (b"d4:infod6:lengthi1e6:lengthi2eee", "duplicate"),
    "many-tiny-values": (b"d4:infol" + b"le" * 2_500_000 + b"ee", "too many values"),
}


class HostileTorrents(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def assert_refused(self, path, fragment):
        rc, out, err, cpu_seconds, rss_kib = run_cli("info", path, timeout=120)
        self.assertEqual(rc, 2, f"exit code for {path}: {err}")
        self.assertEqual(out, "")
        lines = err.splitlines()
        self.assertEqual(len(lines), 1, f"expected one line, got: {err!r}")
        self.assertTrue(lines[0].startswith("error: "), lines[0])
        self.assertIn(fragment, lines[0])
        cpu_bound = MAX_CPU_SECONDS_SANITIZED if SANITIZED else MAX_CPU_SECONDS
        self.assertLess(cpu_seconds, cpu_bound, f"{path} took {cpu_seconds:.2f} s of CPU")
        if not SANITIZED:
            self.assertLess(rss_kib, MAX_RSS_KIB, f"{path} used {rss_kib} KiB")

    def test_each_hostile_torrent_is_refused(self):
        for name, (data, fragment) in CASES.items():
            with self.subTest(name):
                path = os.path.join(self.tmp.name, name + ".torrent")
                with open(path, "wb") as f:
                    f.write(data)
                self.assert_refused(path, fragment)

    def test_huge_file_refused_before_reading(self):
        path = os.path.join(self.tmp.name, "huge.torrent")
        with open(path, "wb") as f:
            f.truncate(10 * 2**30)  # sparse 10 GiB
        self.assert_refused(path, "too large")

    def test_endless_device_refused_without_reading_it_all(self):
        self.assert_refused("/dev/zero", "too large")

    def test_missing_file_and_folder(self):
        self.assert_refused(os.path.join(self.tmp.name, "nope.torrent"), "No such file")
        self.assert_refused(self.tmp.name, "folder")

    def test_usage_errors(self):
        rc, _, err, _, _ = run_cli("info")
        self.assertEqual(rc, 2)
        self.assertTrue(err.startswith("error: "))
        rc, _, err, _, _ = run_cli("frobnicate")
        self.assertEqual(rc, 2)
        self.assertIn("unknown command", err)
        for args in (["--help"], ["info", "--help"], ["help", "info"]):
            rc, out, _, _, _ = run_cli(*args)
            self.assertEqual(rc, 0)
            self.assertIn("Usage:", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
