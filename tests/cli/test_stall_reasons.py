"""`tessera-cli download` says why a torrent is not moving: its status line ends with
"stalled: <reason> (<detail>)" for no peers known, peers unreachable, a connected peer that has
nothing we want, and a peer that has it all but chokes us (a scripted peer for the last two)."""
import hashlib
import os
import socket
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
from cli_test_support import RunningCli, bencode, bound_port  # noqa: E402
from fake_peer import FakePeer  # noqa: E402

PIECE = 16384


def write_torrent(path, trackers=()):
    """A 4-piece torrent whose data exists nowhere: it can only stall. Returns the info-hash."""
    data = os.urandom(4 * PIECE)
    info = {"name": "stall.bin", "length": len(data), "piece length": PIECE,
            "pieces": b"".join(hashlib.sha1(data[i:i + PIECE]).digest() for i in range(0, len(data), PIECE))}
    meta = {"info": info}
    if trackers:
        meta["announce"] = trackers[0]
    with open(path, "wb") as f:
        f.write(bencode(meta))
    return hashlib.sha1(bencode(info)).hexdigest()


class ScriptedPeer:
    """Accepts one connection on `address`, answers the handshake, sends what `script` sends, then
    reads (and ignores) whatever comes until the connection closes."""

    def __init__(self, address, info_hash, script):
        self.listener = socket.socket()
        self.listener.bind((address, 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.peer = FakePeer(info_hash, fast=True)
        self.script = script
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            self.peer.accept_from(self.listener, timeout=60)
            self.script(self.peer)
            while True:
                self.peer.read_message(timeout=120)
        except (ConnectionError, OSError) as e:  # the client went away: the end of the script
            self.error = e

    def close(self):
        self.peer.close()
        self.listener.close()
        self.thread.join(timeout=10)


class StallReasons(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.torrent = os.path.join(self.tmp.name, "stall.torrent")
        self.out = os.path.join(self.tmp.name, "out")
        self.cli = None

    def tearDown(self):
        if self.cli:
            self.cli.stop()
        self.tmp.cleanup()

    def download(self, listen, *extra):
        self.cli = RunningCli("download", self.torrent, "-o", self.out, "--listen", listen, "--no-state", *extra)
        return self.cli

    def assert_stalled(self, cli, words):
        line = cli.wait_for_line(lambda l: "stalled:" in l)
        self.assertTrue(line.startswith("downloading"), line)
        self.assertIn("stalled: " + words, line)
        return line

    def test_no_peers_known_when_the_torrent_lists_no_trackers(self):
        write_torrent(self.torrent)
        cli = self.download("127.0.0.81:0")
        self.assert_stalled(cli, "no peers known (the torrent lists no trackers)")

    def test_no_peers_known_when_trackers_are_switched_off(self):
        write_torrent(self.torrent, trackers=["http://127.0.0.81:1/announce"])
        cli = self.download("127.0.0.81:0", "--no-trackers")
        self.assert_stalled(cli, "no peers known (trackers are switched off)")

    def test_peers_unreachable(self):
        write_torrent(self.torrent)
        refuser, port = bound_port("127.0.0.82")  # bound, not listening: every attempt is refused
        try:
            cli = self.download("127.0.0.83:0", "--peer", f"127.0.0.82:{port}")
            line = self.assert_stalled(cli, "peers known, none reachable (")
            self.assertRegex(line, r"\(\d+ connection attempts? failed")
        finally:
            refuser.close()

    def test_connected_peer_has_nothing_we_want(self):
        info_hash = write_torrent(self.torrent)
        peer = ScriptedPeer("127.0.0.84", info_hash, lambda p: p.have_none())
        try:
            cli = self.download("127.0.0.85:0", "--peer", f"127.0.0.84:{peer.port}")
            line = self.assert_stalled(cli, "no connected peer has the pieces we want (")
            self.assertIn("4 of 4 wanted pieces are on no connected peer", line)
            self.assertIn("peers 1 ", line)
        finally:
            self.cli.stop()
            peer.close()

    def test_peer_with_everything_chokes_us(self):
        info_hash = write_torrent(self.torrent)
        peer = ScriptedPeer("127.0.0.86", info_hash, lambda p: p.have_all())  # and never unchokes
        try:
            cli = self.download("127.0.0.87:0", "--peer", f"127.0.0.86:{peer.port}")
            line = self.assert_stalled(cli, "every peer chokes us (1 connected peer has pieces we want")
            self.assertIn("seeds 1", line)
        finally:
            self.cli.stop()
            peer.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
