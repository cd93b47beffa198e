"""A scripted peer that offers a torrent's metadata (BEP 9, ut_metadata over BEP 10), honestly or
not: it listens on its own 127.0.0.x, answers every connection with a handshake carrying the
extension bit and an extension handshake with ut_metadata and a metadata_size, then behaves as
its `mode` says. It counts what it saw, so tests can tell whether it was asked and dropped."""
import hashlib
import random
import socket
import struct
import threading

PSTR = b"\x13BitTorrent protocol"
OUR_UT_METADATA = 3  # the id we ask others to use for ut_metadata messages to us
PIECE = 16384


def bencode(v):
    if isinstance(v, int):
        return b"i%de" % v
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, bytes):
        return b"%d:%s" % (len(v), v)
    if isinstance(v, list):
        return b"l" + b"".join(bencode(x) for x in v) + b"e"
    if isinstance(v, dict):
        items = sorted((k.encode() if isinstance(k, str) else k, x) for k, x in v.items())
        return b"d" + b"".join(bencode(k) + bencode(x) for k, x in items) + b"e"
    raise TypeError(type(v))


def bdecode(data, i=0):
    """(value, end); raises ValueError on malformed input."""
    c = data[i:i + 1]
    if c == b"i":
        j = data.index(b"e", i)
        return int(data[i + 1:j]), j + 1
    if c == b"l" or c == b"d":
        out, i = [], i + 1
        while data[i:i + 1] != b"e":
            v, i = bdecode(data, i)
            out.append(v)
        return (dict(zip(out[::2], out[1::2])) if c == b"d" else out), i + 1
    if c.isdigit():
        j = data.index(b":", i)
        n = int(data[i:j])
        return data[j + 1:j + 1 + n], j + 1 + n
    raise ValueError(f"bad bencode at {i}")


def info_hash_of(info_dict_bytes):
    return hashlib.sha1(info_dict_bytes).hexdigest()


class MetadataPeer:
    """mode:
    honest     answers each request with the right piece
    wrong_size answers with pieces 100 bytes short
    bad_hash   answers with pieces of the right size whose bytes are random
    half_bad   rejects piece 0 (so an honest peer sends it) and sends random bytes for the others
    huge       claims a metadata_size of `claim` (over any sane cap) and pushes unasked pieces
    flood      never answers; floods ut_metadata requests and then garbage extended messages
    garbage    never answers; sends extended messages of an unknown id, then ut_metadata that is
               not bencode
    silent     offers metadata but never answers
    """

    def __init__(self, address, info_hash_hex, metadata, mode, claim=None):
        self.info_hash = bytes.fromhex(info_hash_hex)
        self.metadata = metadata
        self.mode = mode
        self.size = claim if claim is not None else len(metadata)
        self.listener = socket.socket()
        self.listener.bind((address, 0))
        self.listener.listen(16)
        self.address, self.port = address, self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.connections = 0
        self.requests = 0        # ut_metadata requests received
        self.pieces_sent = 0
        self.closed_by_remote = 0  # connections Tessera ended
        self.stalled = 0           # connections where Tessera stopped reading for a minute
        self.flood_sent = 0
        self.stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def endpoint(self):
        return f"{self.address}:{self.port}"

    def _accept(self):
        self.listener.settimeout(0.5)
        while not self.stop:
            try:
                sock, _ = self.listener.accept()
            except (socket.timeout, OSError):
                continue
            with self.lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def close(self):
        self.stop = True
        self.listener.close()

    # ---- one connection
    def _serve(self, sock):
        sock.settimeout(60)
        buf = bytearray()

        def read(n):
            while len(buf) < n:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("closed")
                buf.extend(chunk)
            out = bytes(buf[:n])
            del buf[:n]
            return out

        def send_ext(ext_id, payload):
            sock.sendall(struct.pack(">IBB", len(payload) + 2, 20, ext_id) + payload)

        try:
            hs = read(68)
            if hs[:20] != PSTR or hs[28:48] != self.info_hash:
                return
            reserved = bytearray(8)
            reserved[5] |= 0x10  # extension protocol
            peer_id = b"-FM0001-" + self.mode[:12].encode().ljust(12, b"x")
            sock.sendall(PSTR + bytes(reserved) + self.info_hash + peer_id)
            send_ext(0, bencode({"m": {"ut_metadata": OUR_UT_METADATA}, "metadata_size": self.size,
                                 "v": f"fake {self.mode}"}))
            their_id = None
            while not self.stop:
                (length,) = struct.unpack(">I", read(4))
                if length == 0:
                    continue
                body = read(length)
                if body[0] != 20:
                    continue
                if body[1] == 0:
                    their_id = bdecode(body[2:])[0].get(b"m", {}).get(b"ut_metadata")
                    if self.mode == "garbage" and their_id:
                        unknown = b"".join(struct.pack(">IBB", 6, 20, 77) + b"junk" for _ in range(1000))
                        sock.sendall(unknown + struct.pack(">IBB", 10, 20, their_id) + b"d5:xxxxx")
                        continue  # and wait to be dropped
                    if self.mode == "flood" and their_id:
                        return self._flood(sock, read, their_id)
                    if self.mode == "huge" and their_id:
                        # Unasked pieces claiming the huge size: they must be refused, not stored.
                        for i in range(4):
                            send_ext(their_id, bencode({"msg_type": 1, "piece": i, "total_size": self.size})
                                     + random.randbytes(PIECE))
                    continue
                if body[1] != OUR_UT_METADATA or their_id is None:
                    continue
                msg, end = bdecode(body[2:])
                if msg.get(b"msg_type") != 0:
                    continue
                with self.lock:
                    self.requests += 1
                self._answer(send_ext, their_id, msg.get(b"piece", 0))
        except socket.timeout:
            with self.lock:
                self.stalled += 1
        except (ConnectionError, OSError, ValueError):
            with self.lock:
                self.closed_by_remote += 1
        finally:
            sock.close()

    def _answer(self, send_ext, their_id, piece):
        if self.mode in ("silent", "garbage"):
            return
        if self.mode == "half_bad" and piece == 0:
            send_ext(their_id, bencode({"msg_type": 2, "piece": 0}))
            return
        data = self.metadata[piece * PIECE:(piece + 1) * PIECE]
        if self.mode == "wrong_size":
            data = data[:-100]
        elif self.mode in ("bad_hash", "half_bad"):
            data = random.randbytes(len(data))
        send_ext(their_id, bencode({"msg_type": 1, "piece": piece, "total_size": self.size}) + data)
        with self.lock:
            self.pieces_sent += 1

    def _flood(self, sock, read, their_id):
        # Tessera's messages are drained on another thread, so only our flood fills a buffer.
        closed = threading.Event()

        def drain():
            try:
                while sock.recv(65536):
                    pass
            except (OSError, socket.timeout):
                pass
            closed.set()
        threading.Thread(target=drain, daemon=True).start()
        request = bencode({"msg_type": 0, "piece": 0})
        batch = b"".join(struct.pack(">IBB", len(request) + 2, 20, their_id) + request for _ in range(1000))
        for _ in range(50):  # 50 000 requests for metadata a magnet torrent does not have
            sock.sendall(batch)
            with self.lock:
                self.flood_sent += 1000
        unknown = b"".join(struct.pack(">IBB", 6, 20, 77) + b"junk" for _ in range(1000))
        sock.sendall(unknown)  # extended messages of an id nobody registered
        garbage = (struct.pack(">IBB", 10, 20, their_id) + b"d5:xxxxx") * 1000  # ut_metadata, not bencode
        for _ in range(100):
            sock.sendall(garbage)
            with self.lock:
                self.flood_sent += 1000
        if not closed.wait(60):
            raise socket.timeout("still open")
        raise ConnectionError("closed")
