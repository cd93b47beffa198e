#!/usr/bin/python3
"""A libtorrent peer for interop tests: seeds or downloads one torrent (a .torrent, or a magnet
link whose metadata it fetches from peers) on its own 127.0.0.x.

Prints one JSON status line every half second. With --exit-when-done it exits 0 once it is a
seed; otherwise it runs until SIGTERM/SIGINT. Rate caps are in bytes per second (0 = none).
When stdin is a pipe, lines `dl-limit KIB` / `ul-limit KIB` change the caps at once, in KiB/s as
tessera-cli takes them.
"""
import argparse
import json
import os
import select
import signal
import stat
import sys
import time

import libtorrent as lt

stop = False


def on_signal(*_):
    global stop
    stop = True


def read_commands(ses, timeout):
    """Applies the stdin lines that arrive within timeout seconds; False once stdin is closed."""
    end = time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return True
        try:
            ready, _, _ = select.select([sys.stdin], [], [], left)
        except InterruptedError:
            continue
        if not ready:
            return True
        line = sys.stdin.readline()
        if not line:
            time.sleep(max(0.0, end - time.monotonic()))
            return False
        words = line.split()
        keys = {"dl-limit": "download_rate_limit", "ul-limit": "upload_rate_limit"}
        if len(words) == 2 and words[0] in keys and words[1].isdigit():
            ses.apply_settings({keys[words[0]]: int(words[1]) * 1024})
            print(json.dumps({"set": keys[words[0]], "value": int(words[1]) * 1024}), flush=True)


def main():
    ap = argparse.ArgumentParser()
    source = ap.add_mutually_exclusive_group(required=True)
    source.add_argument("--torrent")
    source.add_argument("--magnet")
    ap.add_argument("--no-pex", action="store_true", help="no peer exchange (BEP 11): ut_pex left out")
    ap.add_argument("--dir", required=True)
    ap.add_argument("--address", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--peer", action="append", default=[])
    ap.add_argument("--exit-when-done", action="store_true")
    ap.add_argument("--download-limit", type=int, default=0)
    ap.add_argument("--upload-limit", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=300)
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    iface = f"{args.address}:{args.port}"
    ses = lt.session({
        "listen_interfaces": iface,
        "outgoing_interfaces": args.address,
        "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "enable_incoming_utp": False, "enable_outgoing_utp": False,
        "enable_incoming_tcp": True, "enable_outgoing_tcp": True,
        "allow_multiple_connections_per_ip": True,
        "download_rate_limit": args.download_limit, "upload_rate_limit": args.upload_limit,
        "announce_to_all_trackers": True, "announce_to_all_tiers": True,
        "alert_mask": lt.alert.category_t.error_notification | lt.alert.category_t.status_notification,
    }, 0 if args.no_pex else lt.session_flags_t.add_default_plugins)
    if args.no_pex:  # the default plugins but ut_pex
        ses.add_extension("ut_metadata")
        ses.add_extension("smart_ban")
    # Loopback peers are otherwise in an unlimited local class: put everyone in the global class.
    pf = lt.ip_filter()
    pf.add_rule("0.0.0.0", "255.255.255.255", 1 << lt.session.global_peer_class_id)
    ses.set_peer_class_filter(pf)

    if args.magnet:
        atp = lt.parse_magnet_uri(args.magnet)
        # The defaults hold paused and auto_managed: the torrent would never start.
        atp.flags &= ~(lt.torrent_flags.paused | lt.torrent_flags.auto_managed)
    else:
        atp = lt.add_torrent_params()
        atp.ti = lt.torrent_info(args.torrent)
    atp.save_path = args.dir
    if args.no_pex:
        atp.flags |= lt.torrent_flags.disable_pex
    h = ses.add_torrent(atp)
    for p in args.peer:
        host, port = p.rsplit(":", 1)
        h.connect_peer((host, int(port)))

    commands = stat.S_ISFIFO(os.fstat(sys.stdin.fileno()).st_mode)
    deadline = time.monotonic() + args.timeout
    while not stop and time.monotonic() < deadline:
        s = h.status()
        print(json.dumps({"state": str(s.state), "progress": s.progress, "peers": s.num_peers,
                          "seeding": s.is_seeding, "has_metadata": s.has_metadata, "down": s.download_payload_rate,
                          "up": s.upload_payload_rate, "uploaded": s.total_payload_upload,
                          "downloaded": s.total_payload_download}), flush=True)
        if args.exit_when_done and s.is_seeding:
            return 0
        if commands:
            commands = read_commands(ses, 0.5)
        else:
            time.sleep(0.5)
    return 0 if stop else 3


if __name__ == "__main__":
    sys.exit(main())
