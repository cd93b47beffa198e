"""Peer exchange (BEP 11) with libtorrent, both ways, on a public torrent without a tracker.

- Taking: Tessera (`tessera-cli download`) is given one libtorrent peer, a leecher capped to a
  trickle both ways and connected to a libtorrent seed. Tessera completes byte for byte only by
  dialling the seed it heard of in the leecher's ut_pex message: the seed's upload counter
  shows it sent nearly the whole payload.
- Sending: a libtorrent leecher is given only Tessera, itself a leecher capped to a trickle and
  connected to the same seed. libtorrent completes only by dialling the seed named in Tessera's
  ut_pex message.
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

PAYLOAD = {"a.bin": 3_000_017, "empty.txt": 0, "nested/b.bin": 1_048_577}
SIZE = sum(PAYLOAD.values())
TIMEOUT = 120
TRICKLE = 2048  # bytes/s each way for the middle peer: the payload through it alone takes ~30 min

# This test's own addresses (other interop tests use 127.0.0.20-164).
SEED, MIDDLE, CLIENT = "127.0.0.181", "127.0.0.182", "127.0.0.183"


def last_status(proc):
    """The latest JSON status line an lt_peer.py printed, or {}."""
    for line in reversed(proc.output().splitlines()):
        try:
            status = json.loads(line)
        except ValueError:
            continue
        if "state" in status:
            return status
    return {}


class Pex(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="tessera-pex-")
        cls.src = os.path.join(cls.work, "src")
        cls.payload = h.make_payload(cls.src, "payload", seed=51, sizes=PAYLOAD)
        cls.torrent = os.path.join(cls.work, "t.torrent")
        # Public (PEX is never used for private torrents) and without a tracker: peers come only
        # from the one we name and from PEX.
        subprocess.run([h.TESSERA_CLI, "create", cls.payload, "-o", cls.torrent, "--piece-size", "64"], check=True,
                       capture_output=True)

    @classmethod
    def tearDownClass(cls):
        if not os.environ.get("TESSERA_KEEP_INTEROP"):
            shutil.rmtree(cls.work, ignore_errors=True)

    def setUp(self):
        self.dir = os.path.join(self.work, self.id().rsplit(".", 1)[-1])
        os.makedirs(self.dir)
        self.procs = []

    def tearDown(self):
        result = self._outcome.result
        failed = any(t is self for t, _ in result.failures + result.errors)
        for p in reversed(self.procs):
            p.stop()
        if failed:
            for p in self.procs:
                print(f"\n----- {p.name} -----\n{p.output()[-3000:]}", file=sys.stderr)

    def start(self, proc):
        self.procs.append(proc)
        return proc

    def lt_seed(self):
        port = h.free_port(SEED)
        # The seed takes no part in PEX, so it never dials the peer under test itself: that peer
        # must dial the seed it heard of.
        seed = self.start(h.libtorrent(self.dir, "lt-seed", self.torrent, self.src, SEED, port, extra=("--no-pex",)))
        h.wait_until(lambda: last_status(seed).get("seeding"), 30, "the libtorrent seed to check its data")
        return seed, port

    def test_tessera_finds_the_seed_through_a_libtorrent_peer(self):
        seed, seed_port = self.lt_seed()
        middle_port = h.free_port(MIDDLE)
        middle = self.start(h.libtorrent(self.dir, "lt-middle", self.torrent, os.path.join(self.dir, "middle"), MIDDLE,
                                         middle_port, extra=("--peer", f"{SEED}:{seed_port}", "--download-limit",
                                                             str(TRICKLE), "--upload-limit", str(TRICKLE))))
        # Data from the seed: the connection is past its handshake (libtorrent's first ut_pex
        # message names only such peers, and the next comes a minute later).
        h.wait_until(lambda: last_status(middle).get("downloaded", 0) > 0, 30,
                     "the middle peer to receive data from the seed")

        dst = os.path.join(self.dir, "tessera")
        t = self.start(h.tessera(self.dir, "tessera", "download", self.torrent, dst, CLIENT, h.free_port(CLIENT),
                                 extra=("--no-trackers", "--peer", f"{MIDDLE}:{middle_port}")))
        self.assertEqual(t.wait(TIMEOUT), 0, "the download did not complete: " + t.output()[-2000:])
        self.assertTrue(h.trees_equal(self.payload, os.path.join(dst, "payload")), "downloaded files differ")
        # The seed sent it (to the trickling middle peer it can have sent a few KiB only).
        h.wait_until(lambda: last_status(seed).get("uploaded", 0) >= SIZE * 9 // 10, 10,
                     "the seed's upload counter to show the payload went to Tessera")
        self.assertLess(last_status(middle).get("uploaded", 0), SIZE // 10)

    def test_libtorrent_finds_the_seed_through_tessera(self):
        seed, seed_port = self.lt_seed()
        middle_port = h.free_port(CLIENT)
        # --dl-limit / --ul-limit are in KiB/s.
        middle = self.start(h.tessera(self.dir, "tessera-middle", "download", self.torrent,
                                      os.path.join(self.dir, "tessera"), CLIENT, middle_port,
                                      extra=("--no-trackers", "--peer", f"{SEED}:{seed_port}", "--dl-limit",
                                             str(TRICKLE // 1024), "--ul-limit", str(TRICKLE // 1024))))
        h.wait_until(lambda: last_status(seed).get("peers", 0) >= 1, 30, "Tessera to connect to the seed")

        dst = os.path.join(self.dir, "lt")
        lt = self.start(h.libtorrent(self.dir, "lt-leech", self.torrent, dst, MIDDLE, h.free_port(MIDDLE),
                                     exit_when_done=True, extra=("--peer", f"{CLIENT}:{middle_port}")))
        self.assertEqual(lt.wait(TIMEOUT), 0, "libtorrent did not complete: " + lt.output()[-2000:])
        self.assertTrue(h.trees_equal(self.payload, os.path.join(dst, "payload")), "downloaded files differ")
        self.assertTrue(middle.running(), "the trickling Tessera peer should still be downloading")
        h.wait_until(lambda: last_status(seed).get("uploaded", 0) >= SIZE * 9 // 10, 10,
                     "the seed's upload counter to show the payload went to libtorrent")


if __name__ == "__main__":
    unittest.main(verbosity=2)
