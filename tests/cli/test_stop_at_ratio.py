"""`--stop-at-ratio R`: the engine stops seeding a torrent at share ratio R and tessera-cli exits 0
with one line saying so. Real transfers between tessera-cli processes on 127.0.0.x: a seed that
stops once a downloader has everything (ratio 1 of data seeded from disk), and a
`download --seed` that stops once it has uploaded half of what it downloaded."""
import filecmp
import os
import socket
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_test_support import RunningCli, run_cli  # noqa: E402

SIZE = 3 * 1024 * 1024 + 12345


def free_port(address):
    """A port free on `address` (an address only this test uses, so it stays free)."""
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


class StopAtRatio(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.data_dir = os.path.join(self.tmp.name, "data")
        os.makedirs(self.data_dir)
        self.payload = os.path.join(self.data_dir, "payload.bin")
        with open(self.payload, "wb") as f:
            f.write(os.urandom(SIZE))
        self.torrent = os.path.join(self.tmp.name, "payload.torrent")
        rc, out, err, _, _ = run_cli("create", self.payload, "-o", self.torrent, "--piece-size", "64")
        self.assertEqual(rc, 0, err)
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            p.stop()
        self.tmp.cleanup()

    def start(self, *args):
        p = RunningCli(*args, "--no-trackers", "--no-state")
        self.procs.append(p)
        return p

    def assert_stopped_at_ratio(self, proc, ratio_text, timeout=120):
        code = proc.wait(timeout)
        self.assertIsNotNone(code, f"still running after {timeout} s:\n{proc.output()}")
        self.assertEqual(code, 0, proc.output())
        last = proc.output().splitlines()[-1]
        self.assertEqual(last, f"payload.bin: share ratio {ratio_text} reached: seeding stopped", proc.output())

    def test_seed_stops_once_the_downloader_has_it_all(self):
        port = free_port("127.0.0.91")
        seed = self.start("seed", self.torrent, "-d", self.data_dir, "--listen", f"127.0.0.91:{port}",
                          "--stop-at-ratio", "1")
        line = seed.wait_for_line(lambda l: l.startswith("seeding"))
        self.assertIn("ratio 0.00 (stop at 1.00)", line)
        leech_dir = os.path.join(self.tmp.name, "leech")
        leech = self.start("download", self.torrent, "-o", leech_dir, "--listen", "127.0.0.92:0",
                           "--peer", f"127.0.0.91:{port}")
        self.assertEqual(leech.wait(120), 0, leech.output())
        self.assertTrue(filecmp.cmp(self.payload, os.path.join(leech_dir, "payload.bin"), shallow=False))
        # Ratio 1 of data seeded from disk: it uploaded the whole torrent once, then stopped.
        self.assert_stopped_at_ratio(seed, "1.00")

    def test_download_and_seed_stops_at_its_ratio(self):
        seed_port, middle_port = free_port("127.0.0.93"), free_port("127.0.0.94")
        seed = self.start("seed", self.torrent, "-d", self.data_dir, "--listen", f"127.0.0.93:{seed_port}")
        seed.wait_for_line(lambda l: l.startswith("seeding"))
        # The middle one downloads from the seed, and only it uploads to the last one.
        middle_dir = os.path.join(self.tmp.name, "middle")
        middle = self.start("download", self.torrent, "-o", middle_dir, "--listen", f"127.0.0.94:{middle_port}",
                            "--peer", f"127.0.0.93:{seed_port}", "--seed", "--stop-at-ratio", "0.5")
        last = self.start("download", self.torrent, "-o", os.path.join(self.tmp.name, "last"),
                          "--listen", "127.0.0.95:0", "--peer", f"127.0.0.94:{middle_port}")
        self.assert_stopped_at_ratio(middle, "0.50")
        self.assertIn("payload.bin: download complete", middle.output())
        self.assertTrue(filecmp.cmp(self.payload, os.path.join(middle_dir, "payload.bin"), shallow=False))
        self.assertTrue(last.proc.poll() is None or last.proc.returncode == 0, last.output())

    def test_bad_values_and_a_download_that_does_not_seed(self):
        for value in ("-1", "fast", "1.", ".5", "1e3", "nan", "10001"):
            rc, _, err, _, _ = run_cli("seed", self.torrent, "-d", self.data_dir, "--stop-at-ratio", value,
                                       "--no-trackers", "--no-state", "--listen", "127.0.0.96:0")
            self.assertEqual(rc, 2, err)
            self.assertEqual(err.strip().splitlines(), [f"error: --stop-at-ratio: expected a ratio such as 1 or 2.5 "
                                                        f"(0 = never), got '{value}'"])
        rc, _, err, _, _ = run_cli("download", self.torrent, "-o", self.data_dir, "--stop-at-ratio", "2",
                                   "--no-trackers", "--no-state", "--listen", "127.0.0.96:0")
        self.assertEqual(rc, 2, err)
        self.assertIn("add --seed", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
