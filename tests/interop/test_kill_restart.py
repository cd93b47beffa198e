"""Crash safety: `tessera-cli download` killed with SIGKILL at 20 random moments while it downloads
from a real libtorrent seed, restarted each time with the same state folder.

Asserted:
- every restart verifies at least the pieces the resume file on disk recorded as verified when the
  process died (nothing recorded is lost, so none of it is downloaded again);
- over the whole test the seed uploads no more than the payload plus, per kill, what can be in
  flight: the request pipeline (about a second of data at the cap) and two partial pieces;
- the final files are byte-for-byte the seed's.
"""
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import interop_support as h  # noqa: E402

SEED, CLIENT = "127.0.0.131", "127.0.0.132"  # this test's own addresses
PIECE_KIB = 256
PAYLOAD = {"movie.bin": 40_000_003, "extras/notes.bin": 24_000_011}
SIZE = sum(PAYLOAD.values())
PIECES = -(-SIZE // (PIECE_KIB * 1024))
CAP_KIB = 2048  # slow enough that 20 kills fit in one download
KILLS = 20
NO_TRACKER = "http://127.0.0.1:1/announce"


def verified_in_resume(state_dir):
    """Pieces the resume file marks verified (0 when there is none yet)."""
    folder = os.path.join(state_dir, "torrents")
    names = [n for n in os.listdir(folder) if n.endswith(".resume")] if os.path.isdir(folder) else []
    if not names:
        return 0
    with open(os.path.join(folder, names[0]), "rb") as f:
        data = f.read()
    m = re.search(rb"8:verified(\d+):", data)
    assert m, "resume file without a verified bitfield"
    start = m.end()
    bits = data[start:start + int(m.group(1))]
    return sum(bin(b).count("1") for b in bits)


class KillRestart(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="tessera-kill-")
        self.src = os.path.join(self.work, "src")
        self.payload = h.make_payload(self.src, "payload", seed=77, sizes=PAYLOAD)
        self.torrent = os.path.join(self.work, "t.torrent")
        h.make_torrent(self.payload, self.torrent, NO_TRACKER, piece_kib=PIECE_KIB)
        self.state = os.path.join(self.work, "state")
        self.dst = os.path.join(self.work, "dst")
        self.procs = []

    def tearDown(self):
        for p in reversed(self.procs):
            p.stop()
        if not os.environ.get("TESSERA_KEEP_INTEROP"):
            shutil.rmtree(self.work, ignore_errors=True)

    def run_tessera(self, i, cap=True):
        extra = ["--no-trackers", "--peer", f"{SEED}:{self.seed_port}", "--state-dir", self.state]
        if cap:
            extra += ["--dl-limit", str(CAP_KIB)]
        p = h.tessera(self.work, f"tessera-{i}", "download", self.torrent, self.dst, CLIENT, h.free_port(CLIENT),
                      extra=extra)
        self.procs.append(p)
        return p

    def checked(self, p, timeout=30):
        """N from "checked existing data: N/M pieces verified", waiting for it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(r"checked existing data: (\d+)/(\d+) pieces verified", p.output())
            if m:
                self.assertEqual(int(m.group(2)), PIECES)
                return int(m.group(1))
            if not p.running():
                break
            time.sleep(0.02)
        self.fail(f"{p.name} never reported its check:\n{p.output()[-2000:]}")

    def test_twenty_kills_lose_nothing_verified(self):
        self.seed = h.libtorrent(self.work, "lt-seed", self.torrent, self.src, SEED, h.free_port(SEED),
                                 extra=("--timeout", "600"))
        self.procs.append(self.seed)
        self.seed_port = int(self.seed.proc.args[self.seed.proc.args.index("--port") + 1])
        h.wait_until(lambda: '"seeding": true' in self.seed.output(), 60, "the libtorrent seed to check its data")
        rng = random.Random(20)
        history = []
        for i in range(KILLS):
            recorded = verified_in_resume(self.state)
            p = self.run_tessera(i)
            found = self.checked(p)
            self.assertGreaterEqual(found, recorded, f"restart {i} verified {found} pieces, but the resume file "
                                                     f"recorded {recorded}: verified data was lost")
            time.sleep(rng.uniform(0.2, 1.6))
            self.assertTrue(p.running(), f"tessera finished before kill {i + 1}: the test needs a slower cap")
            os.kill(p.proc.pid, signal.SIGKILL)  # our own child, by PID
            p.proc.wait()
            history.append((recorded, found))
        recorded = verified_in_resume(self.state)
        last = self.run_tessera(KILLS, cap=False)
        found = self.checked(last)
        self.assertGreaterEqual(found, recorded)
        history.append((recorded, found))
        self.assertEqual(last.wait(120), 0, last.output()[-2000:])
        self.assertTrue(h.trees_equal(self.payload, os.path.join(self.dst, "payload")), "files differ after restarts")

        time.sleep(1.0)  # the seed's status line comes every 0.5 s
        uploads = re.findall(r'"uploaded": (\d+)', self.seed.output())
        uploaded = int(uploads[-1])
        allowance = KILLS * (CAP_KIB * 1024 + 2 * PIECE_KIB * 1024)
        print(f"\n{KILLS} kills; (recorded, found at restart) per run: {history}\n"
              f"the seed uploaded {uploaded / SIZE:.3f} x the payload "
              f"(bound {(SIZE + allowance) / SIZE:.3f})", file=sys.stderr)
        self.assertGreaterEqual(uploaded, SIZE)
        self.assertLessEqual(uploaded, SIZE + allowance, "more was downloaded again than could have been in flight")


if __name__ == "__main__":
    unittest.main(verbosity=2)
