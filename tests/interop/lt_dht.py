#!/usr/bin/python3
"""A libtorrent session on the DHT for interop tests, on its own 127.0.0.x.

Roles: `router` (a DHT node and nothing else: what others bootstrap from), `seed` (seeds a
.torrent; no tracker, no peers given: it must be found through the DHT) and `download` (a magnet
link with only its info-hash). Prints one JSON line every half second; `download` with
--exit-when-done exits 0 once it is a seed. Runs until SIGTERM otherwise.
"""
import argparse
import json
import signal
import sys
import time

import libtorrent as lt

stop = False


def on_signal(*_):
    global stop
    stop = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("role", choices=["router", "seed", "download"])
    ap.add_argument("--address", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--bootstrap", default="", help="HOST:PORT of the router (empty for the router itself)")
    ap.add_argument("--torrent", help="seed: the .torrent")
    ap.add_argument("--magnet", help="download: the link")
    ap.add_argument("--dir", default=".")
    ap.add_argument("--exit-when-done", action="store_true")
    ap.add_argument("--timeout", type=float, default=300)
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    ses = lt.session({
        "listen_interfaces": f"{args.address}:{args.port}",
        "outgoing_interfaces": args.address,
        "enable_dht": True, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "enable_incoming_utp": False, "enable_outgoing_utp": False,
        "dht_bootstrap_nodes": args.bootstrap,
        # Loopback nodes are otherwise kept out of the routing table and of search results.
        "dht_restrict_routing_ips": False, "dht_restrict_search_ips": False,
        "dht_announce_interval": 3,
        "allow_multiple_connections_per_ip": True,
        "alert_mask": lt.alert.category_t.error_notification | lt.alert.category_t.dht_notification,
    })
    h = None
    if args.role in ("seed", "download"):
        if args.role == "seed":
            atp = lt.add_torrent_params()
            atp.ti = lt.torrent_info(args.torrent)
        else:
            atp = lt.parse_magnet_uri(args.magnet)
        atp.save_path = args.dir
        # The defaults hold `paused` and `auto_managed`: a torrent would wait forever.
        atp.flags &= ~(lt.torrent_flags.paused | lt.torrent_flags.auto_managed)
        h = ses.add_torrent(atp)

    deadline = time.monotonic() + args.timeout
    announced = False
    while not stop and time.monotonic() < deadline:
        nodes = ses.status().dht_nodes
        line = {"dht_nodes": nodes}
        if h is not None:
            s = h.status()
            # Once it is on the DHT, announce at once rather than at the next interval.
            if nodes > 0 and not announced:
                h.force_dht_announce()
                announced = True
            line.update({"state": str(s.state), "progress": s.progress, "peers": s.num_peers,
                         "seeding": s.is_seeding, "has_metadata": s.has_metadata})
            if args.exit_when_done and s.is_seeding and args.role == "download":
                print(json.dumps(line), flush=True)
                return 0
        print(json.dumps(line), flush=True)
        # A status line every half second, sooner when libtorrent has news.
        if ses.wait_for_alert(500) is not None:
            ses.pop_alerts()
    return 0 if stop else 3


if __name__ == "__main__":
    sys.exit(main())
