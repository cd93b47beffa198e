"""Local Service Discovery (BEP 14) between our LocalDiscovery and libtorrent, over loopback.

A libtorrent session on 127.0.0.x with LSD on and a torrent added by its info-hash, and our
LocalDiscovery (run by tessera_lsd_probe) on another 127.0.0.x announcing the same info-hash,
must find each other: we hear libtorrent's announce with its listen port and take its address
from the datagram's source, and libtorrent takes ours from our source address and Port header
(it reports the peer and dials it). Skipped (exit 77) without the libtorrent module or the probe.
"""
import json
import os
import queue
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import interop_support as h  # noqa: E402

try:
    import libtorrent as lt
except ImportError:
    lt = None

PROBE = os.path.abspath(os.environ["TESSERA_LSD_PROBE"]) if os.environ.get("TESSERA_LSD_PROBE") else ""
TIMEOUT = 60


def lines_of(proc, out):
    for raw in proc.stdout:
        try:
            out.put(json.loads(raw))
        except ValueError:
            out.put({"raw": raw.decode(errors="replace").strip()})


class Lsd(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="tessera-lsd-")
        net = random.randint(100, 200)
        self.lt_address, self.our_address = f"127.0.{net}.4", f"127.0.{net}.5"
        self.lt_port, self.our_port = h.free_port(self.lt_address), h.free_port(self.our_address)
        self.info_hash = "%040x" % random.getrandbits(160)
        self.probe = None

    def tearDown(self):
        if self.probe and self.probe.poll() is None:
            self.probe.terminate()
            try:
                self.probe.wait(10)
            except subprocess.TimeoutExpired:
                self.probe.kill()
                self.probe.wait()
        if self.probe:
            self.probe.stdout.close()
        shutil.rmtree(self.work, ignore_errors=True)

    def libtorrent_session(self):
        ses = lt.session({
            "listen_interfaces": f"{self.lt_address}:{self.lt_port}",
            "outgoing_interfaces": self.lt_address,
            "enable_lsd": True,
            "enable_dht": False,
            "enable_upnp": False,
            "enable_natpmp": False,
            "enable_outgoing_utp": False,
            "enable_incoming_utp": False,
            "local_service_announce_interval": 2,
            "alert_mask": lt.alert.category_t.all_categories,
        })
        params = lt.parse_magnet_uri(f"magnet:?xt=urn:btih:{self.info_hash}")
        params.save_path = self.work
        params.flags &= ~(lt.torrent_flags.paused | lt.torrent_flags.auto_managed)
        ses.add_torrent(params)
        return ses

    def test_finds_libtorrent_and_is_found(self):
        ses = self.libtorrent_session()
        self.probe = subprocess.Popen(
            [PROBE, self.our_address, str(self.our_port), self.info_hash, str(TIMEOUT + 10), "2"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=self.work)
        events = queue.Queue()
        threading.Thread(target=lines_of, args=(self.probe, events), daemon=True).start()

        heard_lt = lt_heard_us = lt_dialled_us = False
        seen = []
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline and not (heard_lt and lt_heard_us and lt_dialled_us):
            for a in ses.pop_alerts():
                # The bindings have no class for lsd_peer_alert: only its name and message.
                if a.what() == "lsd_peer":
                    seen.append(f"libtorrent: {a.message()}")
                    lt_heard_us |= f"{self.our_address}:{self.our_port}" in a.message()
            try:
                e = events.get(timeout=0.25)
            except queue.Empty:
                continue
            seen.append(f"probe: {e}")
            if "status" in e:
                self.skipTest(f"LSD did not start: {e['status']}")
            if e.get("info_hash") == self.info_hash and e.get("peer") == f"{self.lt_address}:{self.lt_port}":
                heard_lt = True
            if e.get("incoming", "").startswith(self.lt_address + ":"):
                lt_dialled_us = True
        detail = "\n".join(seen[-20:])
        if os.environ.get("TESSERA_LSD_VERBOSE"):
            print(detail)
        self.assertTrue(heard_lt, f"we never heard libtorrent's announce:\n{detail}")
        self.assertTrue(lt_heard_us, f"libtorrent never reported our announce:\n{detail}")
        self.assertTrue(lt_dialled_us, f"libtorrent never dialled the peer it heard:\n{detail}")


if __name__ == "__main__":
    if lt is None or not os.path.exists(PROBE):
        print("skipped: needs python3-libtorrent and TESSERA_LSD_PROBE")
        sys.exit(77)
    unittest.main()
