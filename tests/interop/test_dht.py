#!/usr/bin/python3
"""Swarms without a tracker, found through a DHT of real libtorrent nodes on 127.0.0.x.

A libtorrent seed announces on the DHT; Tessera, given only the magnet's info-hash and the
router as its bootstrap node, finds it and downloads byte for byte. (The other way round, a
libtorrent or aria2 downloader finding a Tessera seed, needs a DHT big enough to hold Tessera's
announce from before the downloader joins: not covered yet.)
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from interop_support import (PYTHON, HERE, Proc, TESSERA_CLI, free_port, make_payload, make_torrent,  # noqa: E402
                             trees_equal, wait_until)

ROUTER, LT_SEED, TESSERA_LEECH = "127.0.0.90", "127.0.0.91", "127.0.0.92"


def lt_node(work, name, role, address, port, bootstrap="", extra=()):
    argv = [PYTHON, os.path.join(HERE, "lt_dht.py"), role, "--address", address, "--port", str(port),
            "--bootstrap", bootstrap, *extra]
    return Proc(name, argv, work)


def main():
    with tempfile.TemporaryDirectory(prefix="tessera-dht-") as work:
        procs = []
        try:
            router_port = free_port(ROUTER)
            router = lt_node(work, "router", "router", ROUTER, router_port)
            procs.append(router)
            entry = f"{ROUTER}:{router_port}"

            # 1. libtorrent seeds, Tessera downloads from the magnet's hash alone.
            src = os.path.join(work, "src")
            payload = make_payload(src, "payload", seed=5, sizes={"a.bin": 3_000_000, "sub/b.bin": 700_001})
            torrent = os.path.join(work, "public.torrent")
            magnet = "magnet:?xt=urn:btih:" + make_torrent(payload, torrent, announce=None, piece_kib=32, private=False)
            seed = lt_node(work, "lt-seed", "seed", LT_SEED, free_port(LT_SEED), entry,
                           ["--torrent", torrent, "--dir", src])
            procs.append(seed)
            out1 = os.path.join(work, "out1")
            leech = Proc("tessera-leech", [TESSERA_CLI, "download", magnet, "-o", out1, "--listen",
                                           f"{TESSERA_LEECH}:{free_port(TESSERA_LEECH)}", "--dht-bootstrap", entry,
                                           "--no-lsd"], work)
            procs.append(leech)
            code = leech.wait(240)
            assert code == 0, f"tessera download exited {code}:\n{leech.output()[-3000:]}"
            assert trees_equal(payload, os.path.join(out1, "payload")), "downloaded files differ"
            print("ok: Tessera found a libtorrent seed through the DHT from the magnet's hash")

        finally:
            for p in reversed(procs):
                p.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
