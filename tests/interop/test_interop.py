"""Tessera against real clients and a real tracker, over loopback, byte for byte.

Directions: Tessera downloads from libtorrent, Transmission and aria2 as the only seed; each of
them downloads from Tessera as the only seed; a mixed swarm (one libtorrent seed, three Tessera
leechers, one libtorrent leecher) completes. Every test stops every process it started.
"""
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import interop_support as h  # noqa: E402

TIMEOUT = 120


class Interop(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="tessera-interop-")
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
        # Each case gets fresh addresses, so no client sees another case's stale peers.
        self.net = 10 + 10 * type(self).case

    def tearDown(self):
        result = self._outcome.result
        failed = any(t is self for t, _ in result.failures + result.errors)
        for p in reversed(self.procs):
            p.stop()
        if failed:
            for p in self.procs:
                proc = p if isinstance(p, h.Proc) else p.proc
                print(f"\n----- {proc.name} -----\n{proc.output()[-3000:]}", file=sys.stderr)

    def addr(self, n):
        return f"127.0.0.{self.net + n}"

    def start(self, proc):
        self.procs.append(proc)
        return proc

    def payload(self, announce, seed):
        src = os.path.join(self.dir, "seed")
        payload = h.make_payload(src, "payload", seed=seed)
        torrent = os.path.join(self.dir, "t.torrent")
        info_hash = h.make_torrent(payload, torrent, announce)
        self.tracker.allow(info_hash)
        return src, torrent, info_hash

    def assert_complete(self, src, dst, skip_empty=False):
        self.assertTrue(h.trees_equal(os.path.join(src, "payload"), os.path.join(dst, "payload"), skip_empty),
                        f"{dst} differs from the seed's data")

    # ---- Tessera downloads from each client as the only seed ----

    def test_tessera_downloads_from_libtorrent(self):
        src, torrent, ih = self.payload(self.tracker.http_url, 1)
        self.start(h.libtorrent(self.dir, "lt-seed", torrent, src, self.addr(1), h.free_port(self.addr(1))))
        self.tracker.wait_for(ih, seeds=1)
        dst = os.path.join(self.dir, "tessera")
        t = self.start(h.tessera(self.dir, "tessera", "download", torrent, dst, self.addr(2), h.free_port(self.addr(2))))
        self.assertEqual(t.wait(TIMEOUT), 0, t.output()[-2000:])
        self.assert_complete(src, dst)

    def test_tessera_downloads_from_transmission(self):
        src, torrent, ih = self.payload(self.tracker.http_url, 2)
        tr = self.start(h.Transmission(self.dir, "transmission-seed", self.addr(1), h.free_port(self.addr(1)), src))
        tr.add(torrent)
        h.wait_until(lambda: tr.percent_done() >= 100.0, 60, "transmission to verify its data")
        self.tracker.wait_for(ih, seeds=1)
        dst = os.path.join(self.dir, "tessera")
        t = self.start(h.tessera(self.dir, "tessera", "download", torrent, dst, self.addr(2), h.free_port(self.addr(2))))
        self.assertEqual(t.wait(TIMEOUT), 0, t.output()[-2000:])
        self.assert_complete(src, dst)

    def test_tessera_downloads_from_aria2(self):
        # aria2 1.36 speaks UDP trackers only with DHT on, so it gets the HTTP URL.
        src, torrent, ih = self.payload(self.tracker.http_url, 3)
        self.start(h.aria2(self.dir, "aria2-seed", torrent, src, self.addr(1), h.free_port(self.addr(1)), seed=True))
        self.tracker.wait_for(ih, seeds=1)
        dst = os.path.join(self.dir, "tessera")
        t = self.start(h.tessera(self.dir, "tessera", "download", torrent, dst, self.addr(2), h.free_port(self.addr(2))))
        self.assertEqual(t.wait(TIMEOUT), 0, t.output()[-2000:])
        self.assert_complete(src, dst)

    # ---- each client downloads from Tessera as the only seed ----

    def test_libtorrent_downloads_from_tessera_over_udp_tracker(self):
        src, torrent, ih = self.payload(self.tracker.udp_url, 4)
        self.start(h.tessera(self.dir, "tessera-seed", "seed", torrent, src, self.addr(1), h.free_port(self.addr(1))))
        self.tracker.wait_for(ih, seeds=1)
        dst = os.path.join(self.dir, "lt")
        lt = self.start(h.libtorrent(self.dir, "lt-leech", torrent, dst, self.addr(2), h.free_port(self.addr(2)),
                                     exit_when_done=True))
        self.assertEqual(lt.wait(TIMEOUT), 0, lt.output()[-2000:])
        self.assert_complete(src, dst)

    def test_transmission_downloads_from_tessera(self):
        # Transmission never dials loopback peers, so the seed must dial it: it announces first.
        src, torrent, ih = self.payload(self.tracker.http_url, 5)
        dst = os.path.join(self.dir, "transmission")
        os.makedirs(dst)
        tr = self.start(h.Transmission(self.dir, "transmission-leech", self.addr(2), h.free_port(self.addr(2)), dst))
        tr.add(torrent)
        self.tracker.wait_for(ih, leechers=1)
        self.start(h.tessera(self.dir, "tessera-seed", "seed", torrent, src, self.addr(1), h.free_port(self.addr(1))))
        h.wait_until(lambda: tr.percent_done() >= 100.0, TIMEOUT, "transmission to complete")
        self.assert_complete(src, dst, skip_empty=True)  # Transmission does not create empty files

    def test_aria2_downloads_from_tessera(self):
        src, torrent, ih = self.payload(self.tracker.http_url, 6)
        self.start(h.tessera(self.dir, "tessera-seed", "seed", torrent, src, self.addr(1), h.free_port(self.addr(1))))
        self.tracker.wait_for(ih, seeds=1)
        dst = os.path.join(self.dir, "aria2")
        a = self.start(h.aria2(self.dir, "aria2-leech", torrent, dst, self.addr(2), h.free_port(self.addr(2))))
        self.assertEqual(a.wait(TIMEOUT), 0, a.output()[-2000:])
        self.assert_complete(src, dst)

    # ---- a mixed swarm ----

    def test_mixed_swarm_one_seed_three_tessera_one_libtorrent(self):
        src, torrent, ih = self.payload(self.tracker.http_url, 7)
        self.start(h.libtorrent(self.dir, "lt-seed", torrent, src, self.addr(1), h.free_port(self.addr(1))))
        self.tracker.wait_for(ih, seeds=1)
        leechers = []
        for i in range(3):
            dst = os.path.join(self.dir, f"tessera{i}")
            leechers.append((dst, self.start(h.tessera(self.dir, f"tessera{i}", "download", torrent, dst,
                                                        self.addr(2 + i), h.free_port(self.addr(2 + i)),
                                                        extra=("--seed",)))))
        lt_dst = os.path.join(self.dir, "lt")
        lt = self.start(h.libtorrent(self.dir, "lt-leech", torrent, lt_dst, self.addr(6), h.free_port(self.addr(6)),
                                     exit_when_done=True))
        self.assertEqual(lt.wait(TIMEOUT), 0, lt.output()[-2000:])
        for dst, proc in leechers:
            h.wait_until(lambda d=dst: h.trees_equal(os.path.join(src, "payload"), os.path.join(d, "payload")),
                         TIMEOUT, f"{dst} to complete")
            self.assertTrue(proc.running(), "a --seed leecher must keep running")
        self.assert_complete(src, lt_dst)


if __name__ == "__main__":
    unittest.main(verbosity=2)
