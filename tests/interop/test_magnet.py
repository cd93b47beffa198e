"""Magnet links against real clients, over loopback, byte for byte.

Tessera fetches a torrent's metadata (BEP 9) from a libtorrent seed it knows only from the link's
x.pe, and then the data; libtorrent fetches the metadata from a Tessera seed the same way; aria2
(which ignores x.pe) finds a Tessera seed through the link's tracker; a link's file selection
(so=, BEP 53) downloads only those files; `seed MAGNET` checks data already there and seeds it. DHT, LSD and PEX are off everywhere: each client finds
the others only through the link.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import interop_support as h  # noqa: E402

TIMEOUT = 120
LOCAL_ONLY = ("--no-dht", "--no-lsd", "--no-pex")
DEAD_TRACKER = "http://127.0.0.1:1/announce"  # mktorrent wants one; nobody listens there


def torrent_json(path):
    return json.loads(subprocess.run([h.TESSERA_CLI, "info", "--json", path], check=True, capture_output=True,
                                     text=True).stdout)


class Magnet(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="tessera-magnet-")
        cls.tracker = h.Tracker(cls.work)
        cls.case = 0

    @classmethod
    def tearDownClass(cls):
        cls.tracker.stop()
        if not os.environ.get("TESSERA_KEEP_INTEROP"):
            shutil.rmtree(cls.work, ignore_errors=True)

    def setUp(self):
        type(self).case += 1
        self.dir = os.path.join(self.work, self.id().rsplit(".", 1)[-1])
        os.makedirs(self.dir)
        self.procs = []
        self.net = 120 + 10 * type(self).case  # fresh addresses per case

    def tearDown(self):
        result = self._outcome.result
        failed = any(t is self for t, _ in result.failures + result.errors)
        for p in reversed(self.procs):
            p.stop()
        if failed:
            for p in self.procs:
                print(f"\n----- {p.name} -----\n{p.output()[-3000:]}", file=sys.stderr)

    def addr(self, n):
        return f"127.0.0.{self.net + n}"

    def start(self, proc):
        self.procs.append(proc)
        return proc

    def payload(self, seed, announce=DEAD_TRACKER):
        # Public torrents: clients serve no metadata of private ones, which are never in links.
        src = os.path.join(self.dir, "seed")
        payload = h.make_payload(src, "payload", seed=seed)
        torrent = os.path.join(self.dir, "t.torrent")
        info_hash = h.make_torrent(payload, torrent, announce, private=False)
        return src, torrent, info_hash

    def lt_seed(self, torrent, src):
        port = h.free_port(self.addr(1))
        seed = self.start(h.libtorrent(self.dir, "lt-seed", torrent, src, self.addr(1), port, extra=("--no-pex",)))
        h.wait_until(lambda: '"seeding": true' in seed.output(), 30, "libtorrent to check its data")
        return f"{self.addr(1)}:{port}"

    def assert_same(self, src, dst):
        self.assertTrue(h.trees_equal(os.path.join(src, "payload"), os.path.join(dst, "payload")),
                        f"{dst} differs from the seed's data")

    def test_tessera_fetches_metadata_and_data_from_libtorrent(self):
        src, torrent, ih = self.payload(31)
        seed = self.lt_seed(torrent, src)
        dst, state = os.path.join(self.dir, "tessera"), os.path.join(self.dir, "state")
        link = f"magnet:?xt=urn:btih:{ih}&x.pe={seed}"  # no name, no tracker: the peer is all there is
        t = self.start(h.tessera(self.dir, "tessera", "download", link, dst, self.addr(2), h.free_port(self.addr(2)),
                                 extra=("--state-dir", state, *LOCAL_ONLY)))
        self.assertEqual(t.wait(TIMEOUT), 0, t.output()[-2000:])
        self.assert_same(src, dst)
        out = t.output()
        # In this order: the metadata, what the folder held, the data.
        events = [line.split(":")[1].strip() for line in out.splitlines() if line.startswith("payload: ")]
        self.assertEqual([e for e in events if not e.startswith("share")][:3],
                         ["metadata received", "checked existing data", "download complete"], out)
        # The torrent made from the metadata is kept, with the same info-hash and files.
        kept = os.path.join(state, "torrents", ih + ".torrent")
        self.assertTrue(os.path.isfile(kept), os.listdir(state))
        self.assertEqual(torrent_json(kept)["info_hash"], ih)
        self.assertEqual(torrent_json(kept)["files"], torrent_json(torrent)["files"])

    def test_tessera_seeds_existing_data_given_only_a_magnet(self):
        src, torrent, ih = self.payload(35)
        seed = self.lt_seed(torrent, src)
        mine = os.path.join(self.dir, "mine")
        shutil.copytree(src, mine)
        t = self.start(h.tessera(self.dir, "tessera", "seed", f"magnet:?xt=urn:btih:{ih}&x.pe={seed}", mine,
                                 self.addr(2), h.free_port(self.addr(2)), extra=("--no-state", *LOCAL_ONLY)))
        pieces = torrent_json(torrent)["piece_count"]
        h.wait_until(lambda: f"payload: checked existing data: {pieces}/{pieces} pieces verified" in t.output(),
                     TIMEOUT, "Tessera to fetch the metadata and verify the data")
        h.wait_until(lambda: "\nseeding " in t.output(), 30, "Tessera to seed")
        self.assertTrue(t.running())
        self.assertIn("payload: metadata received", t.output())
        self.assertEqual(t.stop(), 0)  # seeding ends by being interrupted

    def test_libtorrent_fetches_metadata_and_data_from_tessera(self):
        src, torrent, ih = self.payload(32)
        port = h.free_port(self.addr(1))
        seed = self.start(h.tessera(self.dir, "tessera-seed", "seed", torrent, src, self.addr(1), port,
                                    extra=("--no-trackers", "--no-state", *LOCAL_ONLY)))
        h.wait_until(lambda: "checked existing data" in seed.output(), 30, "the seed to check its data")
        dst = os.path.join(self.dir, "lt")
        lt = self.start(h.Proc("lt-leech", [h.PYTHON, os.path.join(h.HERE, "lt_peer.py"), "--magnet",
                                            f"magnet:?xt=urn:btih:{ih}&x.pe={self.addr(1)}:{port}", "--dir", dst,
                                            "--address", self.addr(2), "--port", str(h.free_port(self.addr(2))),
                                            "--no-pex", "--exit-when-done"], self.dir))
        self.assertEqual(lt.wait(TIMEOUT), 0, lt.output()[-2000:])
        self.assert_same(src, dst)

    def test_aria2_finds_a_tessera_seed_through_the_links_tracker(self):
        src, torrent, ih = self.payload(33, announce=self.tracker.http_url)
        self.tracker.allow(ih)
        self.start(h.tessera(self.dir, "tessera-seed", "seed", torrent, src, self.addr(1), h.free_port(self.addr(1)),
                             extra=("--no-state", *LOCAL_ONLY)))
        self.tracker.wait_for(ih, seeds=1)
        dst = os.path.join(self.dir, "aria2")
        link = f"magnet:?xt=urn:btih:{ih}&tr={self.tracker.http_url}"  # aria2 ignores x.pe
        a = self.start(h.aria2(self.dir, "aria2-leech", link, dst, self.addr(2), h.free_port(self.addr(2))))
        self.assertEqual(a.wait(TIMEOUT), 0, a.output()[-2000:])
        self.assert_same(src, dst)

    def test_file_selection_downloads_only_the_selected_files(self):
        src, torrent, ih = self.payload(34)
        seed = self.lt_seed(torrent, src)
        meta = torrent_json(torrent)
        files = meta["files"]
        piece = meta["piece_length"]
        index = {f["path"]: i for i, f in enumerate(files)}
        chosen = sorted([index["payload/nested/deeper/b.bin"], index["payload/z.bin"]])
        dst = os.path.join(self.dir, "tessera")
        link = f"magnet:?xt=urn:btih:{ih}&dn=payload&x.pe={seed}&so={chosen[0]},{chosen[1]}"
        t = self.start(h.tessera(self.dir, "tessera", "download", link, dst, self.addr(2), h.free_port(self.addr(2)),
                                 extra=("--no-state", *LOCAL_ONLY)))
        self.assertEqual(t.wait(TIMEOUT), 0, t.output()[-2000:])
        self.assertRegex(t.output(), r"payload: metadata received: .* of it selected")
        offset, pieces_of = 0, []
        for f in files:
            pieces_of.append(set(range(offset // piece, (offset + f["size"] - 1) // piece + 1)) if f["size"] else set())
            offset += f["size"]
        wanted_pieces = set().union(*(pieces_of[i] for i in chosen))
        for i, f in enumerate(files):
            path = os.path.join(dst, f["path"])
            if i in chosen:
                with open(path, "rb") as a, open(os.path.join(src, f["path"]), "rb") as b:
                    self.assertEqual(a.read(), b.read(), f["path"])
            elif f["size"] and not pieces_of[i] & wanted_pieces:
                # Shares no piece with a selected file: never created. (Empty files are.)
                self.assertFalse(os.path.exists(path), f"{f['path']} was not selected but exists")


if __name__ == "__main__":
    unittest.main(verbosity=2)
