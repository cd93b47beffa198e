"""Tessera's speed caps, measured from outside: the kernel's TCP byte counters of its sockets.

- Tessera downloads from a libtorrent seed with `--dl-limit 400`: over an 8 s window after a 3 s
  ramp its sockets' `bytes_received` grow at 400 KiB/s +-15 %; then it completes byte for byte.
- Tessera seeds to a libtorrent leecher with `--ul-limit 400`: the same bound on `bytes_sent`;
  the leecher completes byte for byte.
- Negative control: the same download without the cap (from a seed sending at most 10x the cap)
  measures more than 3x faster, so the measurement can fail.

Bounds are generous on purpose; tests/bench/bench_caps.py measures the tight figures.
"""
import os
import shutil
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import interop_support as h  # noqa: E402
import socket_counters as sc  # noqa: E402

CAP_KIB = 400
CAP = CAP_KIB * 1024
RAMP_S = 3
WINDOW_S = 8
TOLERANCE = 0.15
# 6 MiB: at 400 KiB/s about 15 s, so the transfer is still running at the end of the 11 s
# ramp + window and completes soon after.
PAYLOAD = {"a.bin": 4_000_037, "empty.txt": 0, "nested/b.bin": 2_291_419}
SIZE = sum(PAYLOAD.values())
TIMEOUT = 60
NO_TRACKER = "http://127.0.0.1:1/announce"  # nothing listens there: peers are given directly

# This test's own addresses (other interop tests use 127.0.0.20-113).
PEER, CLIENT = "127.0.0.121", "127.0.0.122"


class Throttled(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="tessera-throttled-")
        cls.src = os.path.join(cls.work, "src")
        cls.payload = h.make_payload(cls.src, "payload", seed=41, sizes=PAYLOAD)
        cls.torrent = os.path.join(cls.work, "t.torrent")
        h.make_torrent(cls.payload, cls.torrent, NO_TRACKER, piece_kib=64)

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

    def lt_seed(self, upload_limit=0):
        port = h.free_port(PEER)
        seed = self.start(h.libtorrent(self.dir, "lt-seed", self.torrent, self.src, PEER, port,
                                       extra=("--upload-limit", str(upload_limit))))
        h.wait_until(lambda: '"seeding": true' in seed.output(), 30, "the libtorrent seed to check its data")
        return port

    def window_rate(self, counter, proc, what):
        """Mean rate over WINDOW_S seconds of 1-s samples, after RAMP_S seconds from the first byte."""
        first = sc.wait_for_bytes(counter, 32 * 1024, timeout=30, alive=proc.running)
        if first is None and not proc.running():
            self.fail(f"{proc.name} exited before any {what} traffic was seen: the whole transfer went through "
                      f"between two samples, so the cap is not applied (exit code {proc.proc.returncode})")
        self.assertIsNotNone(first, f"no {what} traffic within 30 s")
        time.sleep(RAMP_S)
        samples = sc.sample_series(counter, WINDOW_S)
        self.assertLess(samples[-1][1], SIZE, f"the whole payload went through before the {what} window "
                                              f"ended: the cap is not applied")
        rate = sc.mean_rate(samples)
        per_second = [round(v / 1024) for _, v in sc.rates(samples)]
        print(f"\n{what}: mean {rate / 1024:.0f} KiB/s over {WINDOW_S} s (cap {CAP_KIB}); 1-s samples {per_second}",
              file=sys.stderr)
        return rate

    def assert_near_cap(self, rate, what):
        self.assertGreaterEqual(rate, CAP * (1 - TOLERANCE), f"{what}: {rate / 1024:.0f} KiB/s is under the cap's band")
        self.assertLessEqual(rate, CAP * (1 + TOLERANCE), f"{what}: {rate / 1024:.0f} KiB/s is over the cap's band")

    def test_download_cap(self):
        seed_port = self.lt_seed()
        dst = os.path.join(self.dir, "tessera")
        t = self.start(h.tessera(self.dir, "tessera", "download", self.torrent, dst, CLIENT, h.free_port(CLIENT),
                                 extra=("--no-trackers", "--peer", f"{PEER}:{seed_port}", "--dl-limit", str(CAP_KIB))))
        counter = sc.SocketCounter(CLIENT, sc.RECEIVED, remote_addrs={PEER})
        self.assert_near_cap(self.window_rate(counter, t, "download"), "download")
        self.assertEqual(t.wait(TIMEOUT), 0, t.output()[-2000:])
        self.assertTrue(h.trees_equal(self.payload, os.path.join(dst, "payload")), "downloaded files differ")

    def test_upload_cap(self):
        port = h.free_port(CLIENT)
        t = self.start(h.tessera(self.dir, "tessera-seed", "seed", self.torrent, self.src, CLIENT, port,
                                 extra=("--no-trackers", "--ul-limit", str(CAP_KIB))))
        h.wait_until(lambda: "seeding" in t.output(), 30, "Tessera to check its data")
        dst = os.path.join(self.dir, "lt")
        lt = self.start(h.libtorrent(self.dir, "lt-leech", self.torrent, dst, PEER, h.free_port(PEER),
                                     exit_when_done=True, extra=("--peer", f"{CLIENT}:{port}")))
        counter = sc.SocketCounter(CLIENT, sc.SENT, remote_addrs={PEER})
        self.assert_near_cap(self.window_rate(counter, lt, "upload"), "upload")
        self.assertEqual(lt.wait(TIMEOUT), 0, lt.output()[-2000:])
        self.assertTrue(h.trees_equal(self.payload, os.path.join(dst, "payload")), "uploaded files differ")

    def test_uncapped_download_is_far_faster(self):
        # The negative control: the same counters, no cap on Tessera. Uncapped over loopback the
        # payload would go through between two samples (its socket gone before `ss` sees it), so
        # the seed sends at most 10x the cap. The rate is a lower bound: the bytes seen over the
        # time from the last sample before the first byte to the sample that saw them.
        seed_port = self.lt_seed(upload_limit=10 * CAP)
        dst = os.path.join(self.dir, "tessera")
        counter = sc.SocketCounter(CLIENT, sc.RECEIVED, remote_addrs={PEER})
        before = last = counter.sample()
        t = self.start(h.tessera(self.dir, "tessera", "download", self.torrent, dst, CLIENT, h.free_port(CLIENT),
                                 extra=("--no-trackers", "--peer", f"{PEER}:{seed_port}")))
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline and t.running() and last[1] < SIZE:
            s = counter.sample()
            if s[1] == 0:
                before = s
            elif s[1] > last[1]:
                last = s
            time.sleep(0.05)
        (t0, _), (t1, got) = before, last
        self.assertGreaterEqual(got, SIZE // 2, "the counters missed most of the download")
        rate = got / (t1 - t0)
        print(f"\nuncapped download: at least {rate / 1024:.0f} KiB/s (seed capped at {10 * CAP_KIB})", file=sys.stderr)
        self.assertGreater(rate, 3 * CAP, "uncapped is not clearly faster than the cap: the measurement "
                                          "could not tell a capped transfer from an uncapped one")
        self.assertEqual(t.wait(TIMEOUT), 0, t.output()[-2000:])
        self.assertTrue(h.trees_equal(self.payload, os.path.join(dst, "payload")), "downloaded files differ")

if __name__ == "__main__":
    unittest.main(verbosity=2)
