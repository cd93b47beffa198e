"""Hostile peers against Tessera: corrupt block data, oversized messages, out-of-range requests,
malformed bitfields and non-BitTorrent bytes. Each offender must be disconnected (and a corrupt
seed banned), while the real transfer beside it ends with byte-identical files."""
import os
import random
import shutil
import socket
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import interop_support as h  # noqa: E402
from fake_peer import FakePeer  # noqa: E402

TIMEOUT = 120


class CorruptSeed:
    """Listens on `address`, claims every piece, and answers each request with random bytes."""

    def __init__(self, info_hash, address):
        self.listener = socket.socket()
        self.listener.bind((address, 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.info_hash = info_hash
        self.connections = 0
        self.blocks_sent = 0
        self.closed_by_peer = 0
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            peer = FakePeer(self.info_hash, peer_id=b"-FK0001-corruptseed1")
            try:
                peer.accept_from(self.listener, timeout=1)
            except (socket.timeout, OSError, ConnectionError):
                continue
            self.connections += 1
            threading.Thread(target=self.serve, args=(peer,), daemon=True).start()

    def serve(self, peer):
        rng = random.Random(1)
        try:
            peer.have_all()
            peer.unchoke()
            while not self.stop:
                mid, payload = peer.read_message(timeout=30)
                if mid == 6:  # request: answer with garbage of the right size
                    index, begin, length = (int.from_bytes(payload[i:i + 4], "big") for i in (0, 4, 8))
                    peer.piece(index, begin, rng.randbytes(length))
                    self.blocks_sent += 1
        except (ConnectionError, OSError, socket.timeout):
            self.closed_by_peer += 1
        finally:
            peer.close()

    def close(self):
        self.stop = True
        self.listener.close()


class HostilePeers(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="tessera-hostile-")
        self.procs = []

    def tearDown(self):
        for p in reversed(self.procs):
            p.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def start(self, proc):
        self.procs.append(proc)
        return proc

    def make(self, seed):
        src = os.path.join(self.dir, "seed")
        payload = h.make_payload(src, "payload", seed=seed)
        torrent = os.path.join(self.dir, "t.torrent")
        info_hash = h.make_torrent(payload, torrent, "http://127.0.0.1:1/announce", piece_kib=32)
        return src, torrent, info_hash

    def test_corrupt_seed_is_banned_and_the_download_is_correct(self):
        src, torrent, ih = self.make(11)
        good_port = h.free_port("127.0.0.101")
        self.start(h.tessera(self.dir, "good-seed", "seed", torrent, src, "127.0.0.101", good_port,
                             extra=("--no-trackers",)))
        bad = CorruptSeed(ih, "127.0.0.102")
        try:
            dst = os.path.join(self.dir, "leech")
            leech = self.start(h.tessera(self.dir, "leech", "download", torrent, dst, "127.0.0.103",
                                         h.free_port("127.0.0.103"),
                                         extra=("--no-trackers", "--peer", f"127.0.0.102:{bad.port}",
                                                "--peer", f"127.0.0.101:{good_port}", "--log-level", "info")))
            self.assertEqual(leech.wait(TIMEOUT), 0, leech.output()[-3000:])
            self.assertTrue(h.trees_equal(os.path.join(src, "payload"), os.path.join(dst, "payload")))
            self.assertGreater(bad.blocks_sent, 0, "the corrupt seed was never asked for anything")
            self.assertGreaterEqual(bad.closed_by_peer, 1, "the corrupt seed was never disconnected")
            self.assertIn("failed its hash check", leech.output())
            self.assertIn(f"banned 127.0.0.102:{bad.port}", leech.output())
        finally:
            bad.close()

    def test_protocol_abuse_disconnects_offenders_while_a_real_leecher_completes(self):
        src, torrent, ih = self.make(12)
        seed_port = h.free_port("127.0.0.111")
        seed = self.start(h.tessera(self.dir, "seed", "seed", torrent, src, "127.0.0.111", seed_port,
                                    extra=("--no-trackers",)))
        # Peers are turned away while the seed checks its data: wait until it is seeding.
        h.wait_until(lambda: "checked existing data" in seed.output(), 20, "the seed to check its data")
        dst = os.path.join(self.dir, "lt")
        lt = self.start(h.libtorrent(self.dir, "lt-leech", torrent, dst, "127.0.0.112", h.free_port("127.0.0.112"),
                                     exit_when_done=True, extra=("--peer", f"127.0.0.111:{seed_port}")))
        piece_count = -(-sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(src) for f in fs)
                        // (32 * 1024))

        def offender(name, action):
            p = FakePeer(ih)
            p.connect("127.0.0.111", seed_port, source="127.0.0.113")
            action(p)
            closed = p.wait_closed(5)
            p.close()
            return name, closed

        cases = [
            ("oversized message", lambda p: p.send(7, b"", raw_length=0x7FFFFFF0)),
            ("out-of-range request", lambda p: (p.have_none(), p.interested(), p.request(piece_count + 5, 0, 16384))),
            ("request past the piece end", lambda p: (p.have_none(), p.request(0, 32 * 1024 - 100, 16384))),
            ("bitfield of the wrong length", lambda p: p.bitfield(b"\xff" * ((piece_count + 7) // 8 + 3))),
            ("bitfield with spare bits", lambda p: p.bitfield(b"\x00" * ((piece_count + 7) // 8 - 1) + b"\xff")
             if piece_count % 8 else p.send(5, b"\x00")),
            ("block never requested", lambda p: (p.have_none(), p.piece(0, 0, b"x" * 16384))),
        ]
        results = [offender(name, action) for name, action in cases]
        # Not BitTorrent at all: a raw connection sending junk instead of a handshake.
        with socket.create_connection(("127.0.0.111", seed_port), source_address=("127.0.0.113", 0)) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + b"\0" * 100)
            s.settimeout(15)
            try:
                results.append(("not BitTorrent", s.recv(100) == b""))
            except (ConnectionResetError, socket.timeout) as e:
                results.append(("not BitTorrent", isinstance(e, ConnectionResetError)))
        for name, closed in results:
            self.assertTrue(closed, f"{name}: the connection was not closed")
        self.assertEqual(lt.wait(TIMEOUT), 0, lt.output()[-2000:])
        self.assertTrue(h.trees_equal(os.path.join(src, "payload"), os.path.join(dst, "payload")))

    @staticmethod
    def can_connect(host, port):
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            return False


if __name__ == "__main__":
    unittest.main(verbosity=2)
