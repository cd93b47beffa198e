"""`tessera-cli info` on torrents made by mktorrent, transmission-create and libtorrent must report
the same info-hash, name, size, piece layout and files as those tools (transmission-show and
libtorrent's own parser)."""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from cli_test_support import run_cli  # noqa: E402

import libtorrent as lt  # noqa: E402  (Debian's python3-libtorrent)

TRACKER = "http://127.0.0.1:6969/announce"


def make_payloads(root):
    """A single file and a multi-file tree with odd sizes, an empty file and nested folders."""
    single = os.path.join(root, "single")
    os.makedirs(single)
    with open(os.path.join(single, "movie.bin"), "wb") as f:
        f.write(os.urandom(1_000_003))
    multi = os.path.join(root, "multi", "Album Name")
    os.makedirs(os.path.join(multi, "cd1", "deep"))
    os.makedirs(os.path.join(multi, "cd2"))
    sizes = {"cd1/01 intro.flac": 70_001, "cd1/deep/02.flac": 131_072, "cd2/03 ünï.flac": 5,
             "cover.jpg": 33_333, "empty.txt": 0}
    for rel, size in sizes.items():
        with open(os.path.join(multi, rel), "wb") as f:
            f.write(os.urandom(size))
    return os.path.join(single, "movie.bin"), multi


def tessera_info(path):
    rc, out, err, _, _ = run_cli("info", "--json", path)
    if rc != 0:
        raise AssertionError(f"tessera-cli info failed ({rc}): {err}")
    return json.loads(out)


def transmission_show(path):
    out = subprocess.run(["transmission-show", path], check=True, capture_output=True, text=True).stdout
    files_section = out.split("FILES", 1)[1]
    files = sorted(re.sub(r" \([^()]*\)$", "", line.strip())
                   for line in files_section.splitlines() if line.strip())
    return {
        "name": re.search(r"^\s*Name: (.*)$", out, re.M).group(1),
        "hash": re.search(r"^\s*Hash: ([0-9a-f]{40})$", out, re.M).group(1),
        "pieces": int(re.search(r"^\s*Piece Count: (\d+)$", out, re.M).group(1)),
        "files": files,
    }


def libtorrent_view(path):
    ti = lt.torrent_info(path)
    fs = ti.files()
    files = []
    for i in range(fs.num_files()):
        files.append({"path": fs.file_path(i), "size": fs.file_size(i),
                      "pad": bool(fs.file_flags(i) & lt.file_storage.flag_pad_file)})
    return {"name": ti.name(), "hash": str(ti.info_hashes().v1), "total": ti.total_size(),
            "piece_length": ti.piece_length(), "pieces": ti.num_pieces(), "files": files}


class InfoAgainstTools(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.single, cls.multi = make_payloads(cls.tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def torrent_path(self, label):
        return os.path.join(self.tmp.name, label + ".torrent")

    def check(self, torrent, expect_transmission=True):
        ours = tessera_info(torrent)
        ref = libtorrent_view(torrent)
        self.assertEqual(ours["info_hash"], ref["hash"])
        self.assertEqual(ours["name"], ref["name"])
        self.assertEqual(ours["total_size"], ref["total"])
        self.assertEqual(ours["piece_length"], ref["piece_length"])
        self.assertEqual(ours["piece_count"], ref["pieces"])
        self.assertEqual([(f["path"], f["size"], f["pad"]) for f in ours["files"]],
                         [(f["path"], f["size"], f["pad"]) for f in ref["files"]])
        self.assertEqual(ours["trackers"], [[TRACKER]])
        if expect_transmission:
            tr = transmission_show(torrent)
            self.assertEqual(ours["info_hash"], tr["hash"])
            self.assertEqual(ours["name"], tr["name"])
            self.assertEqual(ours["piece_count"], tr["pieces"])
            self.assertEqual(sorted(f["path"] for f in ours["files"] if not f["pad"]), tr["files"])
        # The text output shows the same hash and every file.
        rc, text, _, _, _ = run_cli("info", torrent)
        self.assertEqual(rc, 0)
        self.assertIn(ours["info_hash"], text)
        for f in ours["files"]:
            if not f["pad"]:
                self.assertIn(f["path"], text)

    def test_mktorrent(self):
        for label, src, private in (("mk-single", self.single, False), ("mk-multi", self.multi, True)):
            with self.subTest(label):
                out = self.torrent_path(label)
                args = ["mktorrent", "-a", TRACKER, "-l", "16", "-o", out] + (["-p"] if private else []) + [src]
                subprocess.run(args, check=True, capture_output=True)
                self.check(out)
                self.assertEqual(tessera_info(out)["private"], private)

    def test_transmission_create(self):
        for label, src in (("tr-single", self.single), ("tr-multi", self.multi)):
            with self.subTest(label):
                out = self.torrent_path(label)
                subprocess.run(["transmission-create", "-o", out, "-t", TRACKER, "-s", "32", src],
                               check=True, capture_output=True)
                self.check(out)

    def test_libtorrent(self):
        # v1-only, and libtorrent's default hybrid v1+v2 layout with BEP 47 pad files.
        for label, src, flags in (("lt-v1-single", self.single, lt.create_torrent.v1_only),
                                  ("lt-v1-multi", self.multi, lt.create_torrent.v1_only),
                                  ("lt-hybrid-multi", self.multi, 0)):
            with self.subTest(label):
                fs = lt.file_storage()
                lt.add_files(fs, src)
                ct = lt.create_torrent(fs, 65536, flags=flags)
                ct.add_tracker(TRACKER)
                lt.set_piece_hashes(ct, os.path.dirname(src))
                out = self.torrent_path(label)
                with open(out, "wb") as f:
                    f.write(lt.bencode(ct.generate()))
                # Transmission 3.00 cannot read hybrid torrents; libtorrent is the reference there.
                self.check(out, expect_transmission=(flags != 0))
                if flags == 0:
                    self.assertTrue(any(f["pad"] for f in tessera_info(out)["files"]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
