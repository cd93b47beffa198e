"""A scripted BitTorrent peer for tests: speaks the wire protocol byte by byte, so tests can send
exactly what a buggy or hostile client would."""
import socket
import struct
import time

PSTR = b"\x13BitTorrent protocol"


class FakePeer:
    def __init__(self, info_hash_hex, peer_id=b"-FK0001-000000000000", fast=True, extended=False):
        self.info_hash = bytes.fromhex(info_hash_hex)
        self.peer_id = peer_id
        reserved = bytearray(8)
        if fast:
            reserved[7] |= 0x04
        if extended:
            reserved[5] |= 0x10
        self.reserved = bytes(reserved)
        self.sock = None
        self.buf = b""

    # ---- connection
    def connect(self, host, port, source=None, timeout=5):
        self.sock = socket.create_connection((host, port), timeout=timeout,
                                             source_address=(source, 0) if source else None)
        self.sock.sendall(PSTR + self.reserved + self.info_hash + self.peer_id)
        theirs = self.recv_exact(68)
        assert theirs[:20] == PSTR, theirs[:20]
        return theirs

    def accept_from(self, listener, timeout=30):
        listener.settimeout(timeout)
        self.sock, _ = listener.accept()
        self.sock.settimeout(timeout)
        theirs = self.recv_exact(68)
        self.sock.sendall(PSTR + self.reserved + self.info_hash + self.peer_id)
        return theirs

    def recv_exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed by peer")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    # ---- messages
    def send(self, msg_id=None, payload=b"", raw_length=None):
        if msg_id is None:
            self.sock.sendall(b"\0\0\0\0")
            return
        length = len(payload) + 1 if raw_length is None else raw_length
        self.sock.sendall(struct.pack(">IB", length, msg_id) + payload)

    def interested(self):
        self.send(2)

    def have_none(self):
        self.send(15)

    def have_all(self):
        self.send(14)

    def unchoke(self):
        self.send(1)

    def have(self, piece):
        self.send(4, struct.pack(">I", piece))

    def bitfield(self, bits: bytes):
        self.send(5, bits)

    def request(self, piece, begin, length):
        self.send(6, struct.pack(">III", piece, begin, length))

    def allowed_fast(self, piece):
        self.send(17, struct.pack(">I", piece))

    def piece(self, index, begin, data):
        self.send(7, struct.pack(">II", index, begin) + data)

    def extended_handshake(self, payload=b"d1:md6:ut_pexi1ee1:v5:fake0e"):
        self.send(20, b"\0" + payload)

    def read_message(self, timeout=10):
        """(id, payload), (None, b'') for keep-alive; raises ConnectionError when closed."""
        self.sock.settimeout(timeout)
        (length,) = struct.unpack(">I", self.recv_exact(4))
        if length == 0:
            return None, b""
        body = self.recv_exact(length)
        return body[0], body[1:]

    def wait_closed(self, timeout=5):
        """True if the other side closes the connection within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                self.sock.settimeout(max(0.05, deadline - time.monotonic()))
                try:
                    if not self.sock.recv(65536):
                        return True
                except socket.timeout:
                    continue
        except (ConnectionResetError, BrokenPipeError):
            return True
        return False

    def close(self):
        if self.sock:
            self.sock.close()
