#!/usr/bin/python3
"""Swarms without a tracker, found through a DHT of real libtorrent nodes on 127.0.0.x.

1. A libtorrent seed announces on the DHT; Tessera, given only the magnet's info-hash and the
   router as its bootstrap node, finds it and downloads byte for byte.
2. Tessera seeds with the DHT on; a libtorrent downloader with only the magnet finds it.
3. aria2 (DHT on, the router as its entry point) downloads the same from Tessera.
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from interop_support import (PYTHON, HERE, Proc, TESSERA_CLI, free_port, make_payload, make_torrent,  # noqa: E402
                             trees_equal, wait_until)

ROUTER, LT_SEED, TESSERA_LEECH, TESSERA_SEED, LT_LEECH, ARIA2 = (
    "127.0.0.90", "127.0.0.91", "127.0.0.92", "127.0.0.93", "127.0.0.94", "127.0.0.95")


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

            # 2. Tessera seeds (DHT on), libtorrent downloads from the magnet's hash alone.
            tseed = Proc("tessera-seed", [TESSERA_CLI, "seed", torrent, "-d", src, "--listen",
                                          f"{TESSERA_SEED}:{free_port(TESSERA_SEED)}", "--dht-bootstrap", entry,
                                          "--no-lsd"], work)
            procs.append(tseed)
            seed.stop()  # only Tessera has it now
            out2 = os.path.join(work, "out2")
            os.makedirs(out2)
            lt_leech = lt_node(work, "lt-leech", "download", LT_LEECH, free_port(LT_LEECH), entry,
                               ["--magnet", magnet, "--dir", out2, "--exit-when-done", "--timeout", "240"])
            procs.append(lt_leech)
            code = lt_leech.wait(260)
            assert code == 0, f"libtorrent download exited {code}:\n{lt_leech.output()[-2000:]}\n" \
                              f"tessera seed:\n{tseed.output()[-2000:]}"
            assert trees_equal(payload, os.path.join(out2, "payload")), "libtorrent's files differ"
            print("ok: libtorrent found the Tessera seed through the DHT and got metadata and data")

            # 3. aria2 with the DHT on, the router as its entry point.
            out3 = os.path.join(work, "out3")
            os.makedirs(out3)
            aria_port = free_port(ARIA2)
            aria = Proc("aria2", ["aria2c", f"--interface={ARIA2}", f"--listen-port={aria_port}",
                                  "--enable-dht=true", f"--dht-listen-port={aria_port}",
                                  f"--dht-entry-point={entry}", f"--dht-file-path={os.path.join(work, 'aria-dht.dat')}",
                                  "--enable-dht6=false", "--bt-enable-lpd=false", "--enable-peer-exchange=false",
                                  "--seed-time=0", "--file-allocation=none", "--summary-interval=0",
                                  "--console-log-level=warn", f"--dir={out3}", magnet], work)
            procs.append(aria)
            code = aria.wait(260)
            assert code == 0, f"aria2 exited {code}:\n{aria.output()[-2000:]}"
            assert trees_equal(payload, os.path.join(out3, "payload")), "aria2's files differ"
            print("ok: aria2 found the Tessera seed through the DHT")
        finally:
            for p in reversed(procs):
                p.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
