"""Peers and trackers that try to make a seeding or downloading Tessera spend without bound:
requests flooded by a peer that never reads, piece-set spam, 200 connections from one address,
and a tracker answering with 300 000 peers. Each must be cut off or bounded (memory and CPU
measured from /proc), while a real libtorrent transfer beside it completes byte for byte."""
import os
import random
import shutil
import socket
import struct
import sys
import tempfile
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(__file__))
import interop_support as h  # noqa: E402
from fake_peer import FakePeer  # noqa: E402

TIMEOUT = 120
SEED, LEECH, ABUSER, TRACKER = "127.0.0.161", "127.0.0.162", "127.0.0.163", "127.0.0.164"
NO_TRACKER = "http://127.0.0.1:1/announce"
PAYLOAD = {"a.bin": 9_000_011, "b.bin": 3_000_007}


def proc_stat(pid):
    """(CPU seconds used, resident bytes) of a process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))
    return cpu, rss


class Watch:
    """Samples a process's peak resident memory (and its CPU time, the last seen) until stopped."""

    def __init__(self, pid):
        self.pid, self.peak, self.cpu, self.stop_flag = pid, 0, 0.0, threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop_flag.is_set():
            try:
                cpu, rss = proc_stat(self.pid)
            except (FileNotFoundError, ProcessLookupError, StopIteration, IndexError, ValueError):
                return
            self.peak = max(self.peak, rss)
            self.cpu = max(self.cpu, cpu)
            time.sleep(0.02)

    def stop(self):
        self.stop_flag.set()
        self.thread.join()
        return self.peak


class HostileSwarm(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="tessera-hostile-swarm-")
        self.procs = []
        self.socks = []

    def tearDown(self):
        for s in self.socks:
            s.close()
        for p in reversed(self.procs):
            p.stop()
        if not os.environ.get("TESSERA_KEEP_INTEROP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def start(self, proc):
        self.procs.append(proc)
        return proc

    def payload(self, seed, announce=NO_TRACKER):
        src = os.path.join(self.dir, "seed")
        payload = h.make_payload(src, "payload", seed=seed, sizes=PAYLOAD)
        torrent = os.path.join(self.dir, "t.torrent")
        info_hash = h.make_torrent(payload, torrent, announce, piece_kib=32)
        return src, torrent, info_hash

    def tessera_seed(self, src, torrent):
        port = h.free_port(SEED)
        seed = self.start(h.tessera(self.dir, "tessera-seed", "seed", torrent, src, SEED, port,
                                    extra=("--no-trackers", "--no-state", "--ul-limit", "4096",
                                           "--log-level", "debug")))
        h.wait_until(lambda: "checked existing data" in seed.output(), 30, "the seed to check its data")
        return seed, port

    def lt_leecher(self, torrent, port):
        dst = os.path.join(self.dir, "lt")
        lt = self.start(h.libtorrent(self.dir, "lt-leech", torrent, dst, LEECH, h.free_port(LEECH),
                                     exit_when_done=True, extra=("--peer", f"{SEED}:{port}")))
        return lt, dst

    def assert_leecher_completes(self, lt, src, dst):
        self.assertEqual(lt.wait(TIMEOUT), 0, lt.output()[-2000:])
        self.assertTrue(h.trees_equal(os.path.join(src, "payload"), os.path.join(dst, "payload")))

    def abuser(self, ih, port, fast=True, rcvbuf=None):
        p = FakePeer(ih, peer_id=b"-FK0001-" + random.randbytes(12), fast=fast)
        if rcvbuf:
            # A tiny receive window: the peer "never reads", and the seed's sends back up at once.
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            s.bind((ABUSER, 0))
            s.settimeout(5)
            s.connect((SEED, port))
            p.sock = s
            s.sendall(b"\x13BitTorrent protocol" + p.reserved + p.info_hash + p.peer_id)
            p.recv_exact(68)
        else:
            p.connect(SEED, port, source=ABUSER)
        self.socks.append(p.sock)
        return p

    @staticmethod
    def send_until_closed(p, data, rounds):
        """Sends `data` `rounds` times, stopping when the other side has closed; returns rounds sent."""
        p.sock.settimeout(10)
        for i in range(rounds):
            try:
                p.sock.sendall(data)
            except (BrokenPipeError, ConnectionResetError, socket.timeout):
                return i
        return rounds

    def test_requests_from_a_peer_that_never_reads_are_cut_off(self):
        src, torrent, ih = self.payload(21)
        seed, port = self.tessera_seed(src, torrent)
        lt, dst = self.lt_leecher(torrent, port)
        watch = Watch(seed.proc.pid)
        cpu_before = proc_stat(seed.proc.pid)[0]
        # Choked (never interested): every request is answered by a reject nobody reads.
        choked = self.abuser(ih, port, rcvbuf=4096)
        choked.have_none()
        requests = b"".join(struct.pack(">IBIII", 13, 6, i % 300, 0, 16384) for i in range(1000))
        sent_choked = self.send_until_closed(choked, requests, 200)
        # Interested (and so unchoked into a free slot): asks for everything, reads nothing.
        greedy = self.abuser(ih, port, rcvbuf=4096)
        greedy.have_none()
        greedy.interested()
        sent_greedy = self.send_until_closed(greedy, requests, 200)
        self.assertTrue(choked.wait_closed(30), "the choked requester was not disconnected")
        self.assertTrue(greedy.wait_closed(30), "the greedy requester was not disconnected")
        self.assert_leecher_completes(lt, src, dst)
        peak = watch.stop()
        cpu = proc_stat(seed.proc.pid)[0] - cpu_before
        print(f"\nchoked abuser sent {sent_choked}k requests, greedy {sent_greedy}k; seed peak RSS "
              f"{peak >> 20} MiB, CPU {cpu:.2f} s over the test", file=sys.stderr)
        self.assertLess(sent_choked, 200, "the choked requester could send forever")
        self.assertLess(sent_greedy, 200, "the greedy requester could send forever")
        self.assertLess(peak, 96 << 20)
        self.assertIn("kept requesting while choked", seed.output())
        self.assertTrue("too many outstanding requests" in seed.output() or
                        "send queue full" in seed.output(), seed.output()[-3000:])

    def test_piece_set_spam_is_cut_off_cheaply(self):
        src, torrent, ih = self.payload(22)
        seed, port = self.tessera_seed(src, torrent)
        lt, dst = self.lt_leecher(torrent, port)
        cpu_before = proc_stat(seed.proc.pid)[0]
        # A million have-none / have-all pairs (BEP 6 allows one, in place of the bitfield).
        spammer = self.abuser(ih, port)
        pairs = (struct.pack(">IB", 1, 15) + struct.pack(">IB", 1, 14)) * 10000
        sent_pairs = self.send_until_closed(spammer, pairs, 100) * 10000
        self.assertTrue(spammer.wait_closed(30))
        # Bitfields, again and again, each a little different.
        pieces = -(-sum(PAYLOAD.values()) // (32 * 1024))
        nbytes = (pieces + 7) // 8
        bitfields = b"".join(struct.pack(">IB", 1 + nbytes, 5) + bytes([0x80 >> (i % 8)]) + bytes(nbytes - 1)
                             for i in range(2000))
        bitfield_spammer = self.abuser(ih, port)
        sent_bitfields = self.send_until_closed(bitfield_spammer, bitfields, 500) * 2000
        self.assertTrue(bitfield_spammer.wait_closed(30))
        self.assert_leecher_completes(lt, src, dst)
        cpu = proc_stat(seed.proc.pid)[0] - cpu_before
        print(f"\nhave-all/have-none pairs sent before the cut: {sent_pairs}; bitfields: {sent_bitfields}; "
              f"seed CPU {cpu:.2f} s over the test", file=sys.stderr)
        self.assertLess(sent_pairs, 1_000_000)
        self.assertLess(sent_bitfields, 1_000_000)
        self.assertLess(cpu, 10.0, "the spam cost the seed too much CPU")
        self.assertIn("have-all after its pieces were known", seed.output())
        self.assertIn("sent its bitfield again and again", seed.output())

    def test_two_hundred_connections_from_one_address_take_one_slot(self):
        src, torrent, ih = self.payload(23)
        seed, port = self.tessera_seed(src, torrent)
        hogs = []
        for _ in range(200):
            try:
                p = self.abuser(ih, port)
                p.have_none()
                p.interested()
                hogs.append(p)
            except (ConnectionError, OSError, AssertionError):
                pass  # refused during the handshake: what we want
        lt, dst = self.lt_leecher(torrent, port)
        self.assert_leecher_completes(lt, src, dst)
        open_hogs = sum(not p.wait_closed(0.05) for p in hogs)
        print(f"\n{len(hogs)} of 200 connections from one address got past the handshake; "
              f"{open_hogs} still open after the transfer", file=sys.stderr)
        self.assertLessEqual(open_hogs, 1, "one address holds more than one connection")

    def test_a_tracker_answering_with_300000_peers_costs_little(self):
        peers = bytearray()
        rng = random.Random(7)
        for _ in range(300_000):
            # Loopback addresses where nothing listens: every dial is refused at once, on this machine.
            peers += bytes([127, rng.randrange(1, 255), rng.randrange(0, 256), rng.randrange(1, 255)])
            peers += struct.pack(">H", rng.randrange(1024, 65535))
        body = b"d8:intervali1800e5:peers" + str(len(peers)).encode() + b":" + bytes(peers) + b"e"
        announces = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                announces.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer((TRACKER, 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            url = f"http://{TRACKER}:{server.server_address[1]}/announce"
            src, torrent, ih = self.payload(24, announce=url)
            lt_port = h.free_port(SEED)
            self.start(h.libtorrent(self.dir, "lt-seed", torrent, src, SEED, lt_port))
            dst = os.path.join(self.dir, "tessera")
            leech = self.start(h.tessera(self.dir, "tessera-leech", "download", torrent, dst, LEECH,
                                         h.free_port(LEECH), extra=("--peer", f"{SEED}:{lt_port}", "--no-state")))
            watch = Watch(leech.proc.pid)
            self.assertEqual(leech.wait(TIMEOUT), 0, leech.output()[-2000:])
            peak = watch.stop()
            self.assertGreaterEqual(len(announces), 1, "the tracker was never asked")
            self.assertTrue(h.trees_equal(os.path.join(src, "payload"), os.path.join(dst, "payload")))
            cpu = watch.cpu  # the last sample before it exited
            print(f"\n300 000 peers from the tracker: download done, CPU {cpu:.2f} s, peak RSS {peak >> 20} MiB",
                  file=sys.stderr)
            self.assertLess(peak, 128 << 20)
            self.assertLess(cpu, 15.0)
        finally:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
