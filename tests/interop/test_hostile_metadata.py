"""Hostile metadata peers against Tessera fetching a magnet link's metadata (BEP 9).

Beside a real libtorrent seed, fake peers offer the metadata and then send pieces of the wrong
size, pieces whose assembled bytes fail the info-hash, claim a metadata size far over the cap,
or flood requests and garbage extended messages. Tessera must complete byte for byte, with
bounded memory, dropping the offenders. A link whose metadata (matching its info-hash) is itself
a dangerous torrent must end in one `error:` line, a non-zero exit, and nothing written.
"""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import interop_support as h  # noqa: E402
from metadata_peer import MetadataPeer, bdecode, bencode  # noqa: E402

TIMEOUT = 180
LOCAL_ONLY = ("--no-dht", "--no-lsd", "--no-pex")
RSS_LIMIT_KIB = 64 * 1024  # a 32 MB download; a 1 GiB claim taken at its word would blow this


def info_dict_of(torrent_path):
    with open(torrent_path, "rb") as f:
        meta, _ = bdecode(f.read())
    info = bencode(meta[b"info"])  # mktorrent writes canonical bencode: re-encoding gives the bytes
    return info


def peak_rss_kib(pid):
    """VmHWM (peak resident set) from /proc, or None once the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def banned_line(output):
    """The log lines where Tessera dropped a peer for metadata failing the info-hash."""
    return "\n".join(line for line in output.splitlines() if "sent metadata that does not match" in line)


class HostileMetadata(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="tessera-hostile-metadata-")
        self.procs, self.fakes = [], []

    def tearDown(self):
        result = self._outcome.result
        failed = any(t is self for t, _ in result.failures + result.errors)
        for f in self.fakes:
            f.close()
        for p in reversed(self.procs):
            p.stop()
        if failed:
            for p in self.procs:
                print(f"\n----- {p.name} -----\n{p.output()[-4000:]}", file=sys.stderr)
        shutil.rmtree(self.dir, ignore_errors=True)

    def fake(self, address, ih, metadata, mode, **kw):
        peer = MetadataPeer(address, ih, metadata, mode, **kw)
        self.fakes.append(peer)
        return peer

    def wait_tracking_rss(self, proc, timeout):
        """Waits for the exit (at most `timeout` s); returns (exit code or None, peak RSS in KiB)."""
        peak, deadline = 0, time.monotonic() + timeout
        while time.monotonic() < deadline:
            peak = max(peak, peak_rss_kib(proc.proc.pid) or 0)
            code = proc.wait(0.25)
            if code is not None:
                return code, peak
        return None, peak

    def make_swarm_torrent(self):
        src = os.path.join(self.dir, "seed")
        # 32 KiB pieces (mktorrent's smallest) of ~32 MB: an info dictionary of two metadata
        # pieces, so honest and hostile pieces can be put together.
        payload = h.make_payload(src, "payload", seed=41, sizes={"a.bin": 18_000_001, "sub/b.bin": 14_000_003})
        torrent = os.path.join(self.dir, "t.torrent")
        ih = h.make_torrent(payload, torrent, "http://127.0.0.1:1/announce", piece_kib=32, private=False)
        info = info_dict_of(torrent)
        self.assertEqual(hashlib.sha1(info).hexdigest(), ih)
        self.assertGreater(len(info), 16384)
        return src, torrent, ih, info

    def start_tessera(self, ih, fakes, address):
        port = h.free_port(address)
        link = f"magnet:?xt=urn:btih:{ih}&dn=payload" + "".join(f"&x.pe={f.endpoint}" for f in fakes)
        t = h.tessera(self.dir, "tessera", "download", link, os.path.join(self.dir, "tessera"), address, port,
                      extra=("--no-state", "--log-level", "debug", *LOCAL_ONLY))
        self.procs.append(t)
        return t, f"{address}:{port}"

    def start_seed(self, torrent, src, address, tessera):
        # The seed dials Tessera (an incoming peer for the magnet), so it arrives when we choose.
        seed = h.libtorrent(self.dir, "lt-seed", torrent, src, address, h.free_port(address),
                            extra=("--no-pex", "--peer", tessera))
        self.procs.append(seed)
        return seed

    def test_hostile_metadata_peers_then_a_real_seed(self):
        src, torrent, ih, info = self.make_swarm_torrent()
        wrong_size = self.fake("127.0.0.201", ih, info, "wrong_size")
        bad_hash = self.fake("127.0.0.202", ih, info, "bad_hash")
        huge = self.fake("127.0.0.203", ih, info, "huge", claim=1 << 30)
        flood = self.fake("127.0.0.204", ih, info, "flood")
        garbage = self.fake("127.0.0.205", ih, info, "garbage")
        t, tessera = self.start_tessera(ih, (wrong_size, bad_hash, huge, flood, garbage), "127.0.0.207")
        # First the hostile peers alone: each tries its trick and is dropped for it.
        offenders = (wrong_size, bad_hash, flood, garbage)
        h.wait_until(lambda: min(f.closed_by_remote for f in offenders) >= 1, 90,
                     "Tessera to drop the wrong-size, bad-hash, flooding and garbage peers")
        self.assertGreater(wrong_size.pieces_sent, 0)
        self.assertGreater(bad_hash.pieces_sent, 0)
        self.assertGreater(flood.flood_sent, 0)
        self.assertTrue(t.running(), t.output()[-3000:])
        self.start_seed(torrent, src, "127.0.0.206", tessera)
        code, rss = self.wait_tracking_rss(t, TIMEOUT)
        self.assertEqual(code, 0, t.output()[-3000:])
        self.assertTrue(h.trees_equal(os.path.join(src, "payload"), os.path.join(self.dir, "tessera", "payload")))
        self.assertLess(rss, RSS_LIMIT_KIB, f"peak RSS {rss} KiB")
        print(f"\n  peak RSS of tessera-cli: {rss} KiB", file=sys.stderr)
        out = t.output()
        self.assertIn("fetching metadata", out)
        self.assertIn(f"dropped {wrong_size.endpoint}: metadata piece", out)  # "... of the wrong size"
        self.assertIn(f"dropped {garbage.endpoint}: ", out)
        self.assertIn(f"dropped {bad_hash.endpoint}: sent metadata that does not match", out)
        self.assertEqual(huge.requests, 0, "a peer claiming 1 GiB of metadata was asked for it")

    # Metadata pieced together from several peers that fails the info-hash names no culprit:
    # nobody is banned, and each next attempt takes every piece from one peer.
    def test_one_bad_piece_does_not_get_the_honest_seed_banned(self):
        # The hostile peer rejects piece 0 and sends garbage for piece 1; the seed, arriving
        # after, sends the real piece 0. The whole fails the info-hash: only the liar may go.
        src, torrent, ih, info = self.make_swarm_torrent()
        half_bad = self.fake("127.0.0.221", ih, info, "half_bad")
        t, tessera = self.start_tessera(ih, (half_bad,), "127.0.0.227")
        h.wait_until(lambda: half_bad.pieces_sent >= 1, 60, "the hostile peer to send its bad piece")
        self.start_seed(torrent, src, "127.0.0.226", tessera)
        h.wait_until(lambda: not t.running() or "127.0.0.226" in banned_line(t.output()), TIMEOUT,
                     "Tessera to finish (or to ban the honest seed)")
        self.assertNotIn("127.0.0.226", banned_line(t.output()), "the honest seed was blamed for the liar's piece")
        self.assertEqual(t.wait(TIMEOUT), 0, t.output()[-3000:])
        self.assertTrue(h.trees_equal(os.path.join(src, "payload"), os.path.join(self.dir, "tessera", "payload")))

    def test_metadata_that_is_a_dangerous_torrent_is_refused(self):
        # Honest bytes for the link's info-hash, but the torrent climbs out of the save folder.
        info = bencode({"name": "evil", "piece length": 16384, "pieces": hashlib.sha1(b"x").digest(),
                        "files": [{"length": 1, "path": ["..", "..", "escaped.txt"]}]})
        ih = hashlib.sha1(info).hexdigest()
        server = self.fake("127.0.0.211", ih, info, "honest")
        root = os.path.join(self.dir, "jail")
        dst, state = os.path.join(root, "inner", "dl"), os.path.join(self.dir, "state")
        os.makedirs(dst)
        argv = [h.TESSERA_CLI, "download", f"magnet:?xt=urn:btih:{ih}&x.pe={server.endpoint}", "-o", dst,
                "--listen", f"127.0.0.212:{h.free_port('127.0.0.212')}", "--state-dir", state, *LOCAL_ONLY]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
        self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertGreater(server.pieces_sent, 0, "the metadata was never fetched")
        errors = r.stderr.splitlines()
        self.assertEqual(len(errors), 1, r.stderr)
        self.assertTrue(errors[0].startswith("error: "), r.stderr)
        self.assertIn("the metadata is not a usable torrent", errors[0])
        print(f"\n  {errors[0]}", file=sys.stderr)
        written = [os.path.join(dp, f) for dp, _, fs in os.walk(self.dir) for f in fs]
        self.assertEqual([p for p in written if "escaped" in p or "evil" in p], [], written)
        self.assertFalse(os.path.exists(os.path.join(state, "torrents", ih + ".torrent")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
