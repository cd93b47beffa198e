#!/usr/bin/python3
"""Speed-cap accuracy, measured from outside each client, side by side with the reference clients.

Rates come from the kernel's per-socket TCP counters (`ss -tinH`, see
tests/interop/socket_counters.py): `bytes_received` summed over the downloading client's peer
connections, `bytes_sent` over the uploading client's, sampled every second on a monotonic
schedule and divided by the measured time between samples. Every client runs on its own
127.0.0.x; the other end is always an uncapped libtorrent peer.

  1. download cap: each client downloads from a libtorrent seed with a 1000 KiB/s cap;
  2. upload cap: each client seeds to a libtorrent leecher with a 1000 KiB/s cap;
     (after a ramp of a few seconds from the first byte, --seconds 1-s samples; mean, min and max
     as fractions of the cap, and the share of samples within +-3 %)
  3. Tessera: cap changed mid-transfer through stdin (1000 -> 500 -> 1500 KiB/s): seconds until
     the 1-s samples stay within +-3 % of the new cap;
  4. Tessera: one global cap over three torrents (one process, three libtorrent seeds);
  5. Tessera swarm: a seed and six leechers, each uploading at most 1 MiB/s, with opentracker:
     completion times against 1.3 x size / (1 MiB/s) and the seed's upload as a multiple of the
     payload.

  tests/bench/run_caps_bench.sh [--only tessera,libtorrent,...] [--skip-swarm] [--seconds 30]
                                [--size-mib 64] [--write docs/benchmarks.md]
"""
import argparse
import os
import platform
import random
import shlex
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
import interop_support as h  # noqa: E402
import socket_counters as sc  # noqa: E402
from bench_transfer import Qbittorrent  # noqa: E402

KIB = 1024
MIB = 1 << 20
CLIENTS = ["tessera", "libtorrent", "qbittorrent", "aria2", "transmission"]
NAMES = {"tessera": "**Tessera**", "qbittorrent": "qbittorrent-nox 4.5.2", "libtorrent": "libtorrent 2.0.8 (python)",
         "aria2": "aria2 1.36.0", "transmission": "Transmission 3.00"}
BINARIES = {"qbittorrent": "qbittorrent-nox", "aria2": "aria2c", "transmission": "transmission-daemon"}
BAND = 0.03

# Addresses (all loopback). This range is kept apart from the interop tests' and the transfer
# benchmark's, and every counter also filters on the peer's address.
TRACKER = "127.0.0.1"
DL_SEED = "127.0.0.150"            # the libtorrent seed every client downloads from
DL_SEED_DIALER = "127.0.0.151"     # a second one that dials Transmission (it never dials loopback)
MULTI_SEEDS = ["127.0.0.152", "127.0.0.153", "127.0.0.154"]


def client_addr(i):
    return f"127.0.0.{160 + i}"     # 160-164: downloading clients, 165: Tessera in steps 3/4


def seeder_addr(i):
    return f"127.0.0.{170 + i}"


def leecher_addr(i):
    return f"127.0.0.{180 + i}"


SWARM_SEED = "127.0.0.190"
SWARM_LEECHERS = [f"127.0.0.{191 + i}" for i in range(6)]


def make_payload(root, name, size_mib, seed):
    """Two files (3/8 and 5/8 of size_mib MiB) of random bytes, distinct for each seed."""
    base = os.path.join(root, name)
    os.makedirs(base, exist_ok=True)
    rng = random.Random(seed)
    total = size_mib * MIB
    for fname, size in (("a.bin", total * 3 // 8), ("b.bin", total - total * 3 // 8)):
        with open(os.path.join(base, fname), "wb") as f:
            left = size
            while left:
                n = min(MIB, left)
                f.write(rng.randbytes(n))
                left -= n
    return base


class Client:
    """A started client: how to tell it is still running, stop it, and what its cap setting is."""

    def __init__(self, pid, stop, alive, setting, units, proc=None):
        self.pid, self.stop, self.alive = pid, stop, alive
        self.setting = setting   # the cap as configured, verbatim
        self.units = units       # (what we think the unit is, the alternative) as bytes per unit
        self.proc = proc         # Tessera's Proc, for stdin commands


def start_client(kind, mode, work, torrent, folder, addr, port, cap_kib):
    """mode: "leech" (download capped) or "seed" (upload capped)."""
    name = f"{kind}-{mode}"
    down = mode == "leech"
    if kind == "tessera":
        flag = "--dl-limit" if down else "--ul-limit"
        p = h.tessera(work, name, "download" if down else "seed", torrent, folder, addr, port,
                      extra=(flag, str(cap_kib)), stdin_pipe=True)
        return Client(p.proc.pid, p.stop, p.running, f"`{flag} {cap_kib}` (KiB/s)", ("KiB", "kB"), p)
    if kind == "libtorrent":
        flag = "--download-limit" if down else "--upload-limit"
        key = "download_rate_limit" if down else "upload_rate_limit"
        p = h.libtorrent(work, name, torrent, folder, addr, port, extra=(flag, str(cap_kib * KIB), "--timeout", "3600"),
                         stdin_pipe=True)
        return Client(p.proc.pid, p.stop, p.running, f"`{key}={cap_kib * KIB}` (B/s)", ("B", None), p)
    if kind == "aria2":
        opt = f"--max-overall-{'download' if down else 'upload'}-limit={cap_kib}K"
        p = h.aria2(work, name, torrent, folder, addr, port, seed=not down, extra=(opt,))
        return Client(p.proc.pid, p.stop, p.running, f"`{opt}` (K = 1024)", ("KiB", "kB"))
    if kind == "transmission":
        # Transmission's speed settings are in kB/s with 1 kB = 1000 B (its speed units).
        kb = round(cap_kib * KIB / 1000)
        key = "speed-limit-down" if down else "speed-limit-up"
        t = h.Transmission(work, name, addr, port, folder, settings={key: kb, f"{key}-enabled": True})
        t.add(torrent)
        return Client(t.proc.proc.pid, t.stop, t.proc.running, f"`\"{key}\": {kb}` (kB/s, 1 kB = 1000 B)",
                      ("kB", "KiB"))
    if kind == "qbittorrent":
        key = "GlobalDLSpeedLimit" if down else "GlobalUPSpeedLimit"
        q = Qbittorrent(work, addr, port, folder, extra_conf=f"Session\\{key}={cap_kib}\n")
        q.add(torrent, folder)
        api = q.limits()[0 if down else 1]
        return Client(q.proc.proc.pid, q.stop, q.proc.running,
                      f"`Session\\{key}={cap_kib}` (KiB/s; Web API reads back {api} B/s)", ("KiB", "kB"))
    raise ValueError(kind)


UNIT_BYTES = {"B": 1, "kB": 1000, "KiB": 1024}


def units_check(client, s):
    """Which reading of the setting's unit the measured rate supports, when two readings differ.
    The median 1-s sample of what the client read or wrote is used: it ignores the stalls and
    bursts that move the mean, and the kernel's window updates that blur the socket counters."""
    assumed, other = client.units
    if other is None or s is None:
        return ""
    alt = UNIT_BYTES[other] / UNIT_BYTES[assumed]   # fraction expected if the unit were `other`
    m = s["app_median"]
    closer = assumed if abs(m - 1) <= abs(m - alt) else other
    verdict = "confirmed" if closer == assumed else "NOT as configured"
    return f"unit {verdict}: median 1 s (queues excluded) {m:.3f}, {other} would give {alt:.3f}"


def measure_window(counter, client, args, size, what):
    """Waits for the first bytes, skips the ramp, then takes args.seconds 1-s samples. Returns
    (summary dict or None, note). The summary also has "app_mean": the mean of what the client
    itself read or wrote (socket queues excluded), from the same readings."""
    first = sc.wait_for_bytes(counter, 64 * KIB, timeout=120, alive=client.alive)
    if first is None:
        return None, f"no {what} traffic within 120 s"
    time.sleep(args.ramp)
    app_field = sc.READ if counter.field == sc.RECEIVED else sc.WRITTEN
    samples, app = sc.sample_series(counter, args.seconds, also=app_field)
    s = sc.summary(samples, args.cap_kib * KIB, BAND)
    s["app_mean"] = sc.mean_rate(app) / (args.cap_kib * KIB)
    s["app_median"] = sc.summary(app, args.cap_kib * KIB, BAND)["median"]
    s["series"] = [round(v / KIB) for _, v in sc.rates(samples)]
    s["app_series"] = [round(v / KIB) for _, v in sc.rates(app)]
    notes = []
    if samples[-1][1] >= 0.98 * size:
        notes.append("the whole payload went through before the window ended: not capped")
    elif s["mean"] > 1.5:
        notes.append("far above the cap: not capped")
    return s, "; ".join(notes)


def row(kind, s, note, setting):
    if s is None:
        return f"| {NAMES.get(kind, kind)} | {setting} | - | - | - | - | - | - | {note} |"
    return (f"| {NAMES.get(kind, kind)} | {setting} | {s['mean']:.3f} | {s['median']:.3f} | {s['min']:.3f} "
            f"| {s['max']:.3f} "
            f"| {s['within'] * 100:.0f} % | {s['app_mean']:.3f} | {note} |")


def print_series(s):
    if s:
        print(f"    1-s samples (KiB/s): {s['series']}\n    same, socket queues excluded: {s['app_series']}",
              flush=True)


def failed(out, kind, error):
    out[kind] = {"summary": None, "note": f"could not start: {error}", "setting": "-"}
    print(f"{kind}: could not start: {error}", flush=True)


def run_downloads(args, work, tracker, torrent, ih, payload_root, size, clients, out):
    lt_seed = h.libtorrent(work, "dl-seed", torrent, payload_root, DL_SEED, h.free_port(DL_SEED),
                           extra=("--timeout", "7200"))
    try:
        tracker.wait_for(ih, seeds=1, timeout=120)
        for i, kind in enumerate(clients):
            dest = os.path.join(work, f"dl-{kind}")
            os.makedirs(dest)
            addr, port = client_addr(i), h.free_port(client_addr(i))
            try:
                c = start_client(kind, "leech", work, torrent, dest, addr, port, args.cap_kib)
            except Exception as e:  # noqa: BLE001 - one client failing to start must not end the run
                failed(out, kind, e)
                continue
            dialer = None
            try:
                if kind == "transmission":
                    dialer = h.libtorrent(work, "dl-seed-dialer", torrent, payload_root, DL_SEED_DIALER,
                                          h.free_port(DL_SEED_DIALER),
                                          extra=("--peer", f"{addr}:{port}", "--timeout", "3600"))
                counter = sc.SocketCounter(addr, sc.RECEIVED, remote_addrs={DL_SEED, DL_SEED_DIALER})
                s, note = measure_window(counter, c, args, size, "download")
                check = units_check(c, s)
                note = "; ".join(x for x in (note, check) if x)
                out[kind] = {"summary": s, "note": note, "setting": c.setting}
                print(row(kind, s, note, c.setting), flush=True)
                print_series(s)
            finally:
                if dialer:
                    dialer.stop()
                c.stop()
                shutil.rmtree(dest, ignore_errors=True)
    finally:
        lt_seed.stop()


def fresh_tracker(work, tracker, hashes):
    """opentracker keeps departed peers listed for a while: a new one on the same port."""
    tracker.stop()
    return h.Tracker(work, port=tracker.port, hashes=hashes)


def run_uploads(args, work, tracker, torrent, ih, payload_root, size, clients, out):
    for i, kind in enumerate(clients):
        tracker = fresh_tracker(work, tracker, [ih])
        addr, port = seeder_addr(i), h.free_port(seeder_addr(i))
        try:
            c = start_client(kind, "seed", work, torrent, payload_root, addr, port, args.cap_kib)
        except Exception as e:  # noqa: BLE001
            failed(out, kind, e)
            continue
        leech = None
        dest = os.path.join(work, f"ul-{kind}")
        try:
            tracker.wait_for(ih, seeds=1, timeout=300)  # seeds announce once their data is checked
            laddr = leecher_addr(i)
            leech = h.libtorrent(work, f"leech-of-{kind}", torrent, dest, laddr, h.free_port(laddr),
                                 extra=("--peer", f"{addr}:{port}", "--timeout", "3600"))
            counter = sc.SocketCounter(addr, sc.SENT, remote_addrs={laddr})
            s, note = measure_window(counter, c, args, size, "upload")
            check = units_check(c, s)
            note = "; ".join(x for x in (note, check) if x)
            out[kind] = {"summary": s, "note": note, "setting": c.setting}
            print(row(kind, s, note, c.setting), flush=True)
            print_series(s)
        finally:
            if leech:
                leech.stop()
            c.stop()
            shutil.rmtree(dest, ignore_errors=True)
    return tracker


def settle_time(rate_series, t_change, target, band=BAND):
    """Seconds from the change until the samples are within +-band of target for good (the end
    of the last 1-s sample outside it; 0 when none is), and until the first sample within it
    begins (0 when the first sample after the change is already in the band; None if none is)."""
    last_bad, first_good = None, None
    start = t_change
    for t_end, v in rate_series:
        if t_end <= t_change:
            continue
        ok = abs(v / target - 1) <= band
        if ok and first_good is None:
            first_good = start - t_change
        if not ok:
            last_bad = t_end - t_change
        start = t_end
    return (last_bad or 0.0), first_good


def change_stats(series, changes, initial_cap):
    """Per cap change: seconds until in band for good, until the first sample in band, and the
    mean from the third sample after the change on, as a fraction of the new cap."""
    out = []
    for j, (t_change, cap) in enumerate(changes):
        t_next = changes[j + 1][0] if j + 1 < len(changes) else float("inf")
        part = [(t, v) for t, v in series if t_change < t <= t_next]
        settle, first = settle_time(part, t_change, cap * KIB)
        steady = part[3:]  # after the 2 s goal plus one sample
        mean = (sum(v for _, v in steady) / len(steady)) / (cap * KIB) if steady else None
        out.append({"from": changes[j - 1][1] if j else initial_cap, "to": cap, "settle": settle, "first": first,
                    "steady_mean": mean})
    return out


def run_change(args, work, tracker, torrent, ih, payload_root, size, out, kind="tessera"):
    """1000 KiB/s, then `dl-limit 500` through stdin, then `dl-limit 1500` (Tessera; libtorrent
    through lt_peer.py's same stdin commands, to check the harness)."""
    lt_seed = h.libtorrent(work, "change-seed", torrent, payload_root, DL_SEED, h.free_port(DL_SEED),
                           extra=("--timeout", "3600"))
    dest = os.path.join(work, "change")
    c = None
    try:
        tracker.wait_for(ih, seeds=1, timeout=120)
        addr = client_addr(5)
        c = start_client(kind, "leech", work, torrent, dest, addr, h.free_port(addr), args.cap_kib)
        counter = sc.SocketCounter(addr, sc.RECEIVED, remote_addrs={DL_SEED})
        if sc.wait_for_bytes(counter, 64 * KIB, timeout=120, alive=c.alive) is None:
            out["error"] = "no download traffic within 120 s"
            return
        time.sleep(args.ramp)
        before, phase = 5, args.change_seconds
        plan = {before: 500, before + phase: 1500}
        changes = []

        def on_tick(k, t):
            if k in plan:
                c.proc.send(f"dl-limit {plan[k]}")
                changes.append((t, plan[k]))

        samples, app = sc.sample_series(counter, before + 2 * phase, on_tick=on_tick, also=sc.READ)
        series, app_series = sc.rates(samples), sc.rates(app)
        out.update({"client": kind, "series": [round(v / KIB) for _, v in series],
                    "app_series": [round(v / KIB) for _, v in app_series],
                    "changes": change_stats(series, changes, args.cap_kib),
                    "app_changes": change_stats(app_series, changes, args.cap_kib), "alive": c.alive()})
        for ch, ach in zip(out["changes"], out["app_changes"]):
            print(f"change {ch['from']} -> {ch['to']} KiB/s: within +-3 % for good after {ch['settle']:.1f} s, "
                  f"first sample in band starts {fmt_s(ch['first'])} after (socket queues excluded: "
                  f"{ach['settle']:.1f} s, {fmt_s(ach['first'])})", flush=True)
        print(f"    1-s samples (KiB/s): {out['series']}\n    same, socket queues excluded: {out['app_series']}",
              flush=True)
    finally:
        if c:
            c.stop()
        lt_seed.stop()
        shutil.rmtree(dest, ignore_errors=True)


def fmt_s(x):
    return "never" if x is None else f"{x:.1f} s"


def run_multi(args, work, tracker, size, out):
    """Tessera: one process, three torrents, one global --dl-limit."""
    torrents, seeds, roots = [], [], []
    dest = os.path.join(work, "multi")
    c = None
    try:
        for j, seed_addr in enumerate(MULTI_SEEDS):
            root = os.path.join(work, f"multi-src{j}")
            payload = make_payload(root, f"multi-payload-{j}", args.size_mib, seed=100 + j)
            t = os.path.join(work, f"multi-{j}.torrent")
            ih = h.make_torrent(payload, t, tracker.http_url, piece_kib=args.piece_kib)
            tracker.allow(ih)
            seeds.append(h.libtorrent(work, f"multi-seed-{j}", t, root, seed_addr, h.free_port(seed_addr),
                                      extra=("--timeout", "3600")))
            tracker.wait_for(ih, seeds=1, timeout=120)
            torrents.append(t)
            roots.append(root)
        addr = client_addr(5)
        p = h.tessera(work, "tessera-multi", "download", torrents, dest, addr, h.free_port(addr),
                      extra=("--dl-limit", str(args.cap_kib)), stdin_pipe=True)
        c = Client(p.proc.pid, p.stop, p.running, f"`--dl-limit {args.cap_kib}`", ("KiB", "kB"), p)
        counter = sc.SocketCounter(addr, sc.RECEIVED, remote_addrs=set(MULTI_SEEDS))
        per_seed = [sc.SocketCounter(addr, sc.RECEIVED, remote_addrs={a}) for a in MULTI_SEEDS]
        s, note = measure_window(counter, c, args, 3 * size, "download")
        if s:
            got = [pc.total() for pc in per_seed]
            s["per_torrent_mib"] = [round(g / MIB, 1) for g in got]
        out.update({"summary": s, "note": note})
        print(row("tessera", s, note, c.setting) + " (sum over 3 torrents)", flush=True)
        print_series(s)
        if s:
            print(f"    received per torrent by the end (MiB): {s['per_torrent_mib']}", flush=True)
    finally:
        if c:
            c.stop()
        for sp in seeds:
            sp.stop()
        shutil.rmtree(dest, ignore_errors=True)
        for r in roots:
            shutil.rmtree(r, ignore_errors=True)


def run_swarm(args, work, tracker, torrent, ih, payload_root, payload, size, out):
    """One Tessera seed and six Tessera leechers (they keep seeding), each capped at 1 MiB/s up."""
    cap_kib = 1024
    tracker = fresh_tracker(work, tracker, [ih])
    procs, dests = [], []
    try:
        seed = h.tessera(work, "swarm-seed", "seed", torrent, payload_root, SWARM_SEED, h.free_port(SWARM_SEED),
                         extra=("--ul-limit", str(cap_kib)))
        procs.append(seed)
        tracker.wait_for(ih, seeds=1, timeout=120)
        seed_up = sc.SocketCounter(SWARM_SEED, sc.ACKED, remote_addrs=set(SWARM_LEECHERS))
        leech_up = [sc.SocketCounter(a, sc.ACKED, remote_addrs=set(SWARM_LEECHERS) | {SWARM_SEED})
                    for a in SWARM_LEECHERS]
        start = time.monotonic()
        for j, a in enumerate(SWARM_LEECHERS):
            d = os.path.join(work, f"swarm-{j}")
            dests.append(d)
            procs.append(h.tessera(work, f"swarm-leech-{j}", "download", torrent, d, a, h.free_port(a),
                                   extra=("--seed", "--ul-limit", str(cap_kib))))
        leechers = procs[1:]
        bound = 1.3 * size / MIB  # seconds: 1.3 x size / (1 MiB/s)
        done = [None] * len(leechers)
        deadline = start + max(3 * bound, 120)
        peak_rates, last = [0.0] * (1 + len(leech_up)), None
        while time.monotonic() < deadline and None in done:
            time.sleep(0.5)
            now = time.monotonic()
            totals = [seed_up.total()] + [c.total() for c in leech_up]
            if last is not None:
                dt = now - last[0]
                peak_rates = [max(p, (b - a) / dt) for p, a, b in zip(peak_rates, last[1], totals)]
            last = (now, totals)
            for j, p in enumerate(leechers):
                if done[j] is None and "download complete" in p.output():
                    done[j] = now - start
        end = time.monotonic()
        # A last reading after a pause: connections still draining keep counting.
        time.sleep(1.0)
        seed_total = seed_up.total()
        leech_totals = [c.total() for c in leech_up]
        ok = [d is not None and h.trees_equal(payload, os.path.join(dests[j], os.path.basename(payload)))
              for j, d in enumerate(done)]
        out.update({"times": done, "ok": ok, "bound": bound, "seed_uploaded": seed_total / size,
                    "seed_mean_up": seed_total / (end - start) / (cap_kib * KIB),
                    "leech_uploaded": [t / size for t in leech_totals],
                    "alive": [p.running() for p in procs]})
        for j, t in enumerate(done):
            print(f"swarm leecher {j}: {'did not complete' if t is None else f'{t:.1f} s'} (bound {bound:.1f} s)"
                  f"{'' if ok[j] else ' FILES DIFFER/INCOMPLETE'}", flush=True)
        print(f"swarm seed uploaded {seed_total / size:.2f} x payload; leechers uploaded "
              f"{[round(t / size, 2) for t in leech_totals]} x payload", flush=True)
    finally:
        for p in reversed(procs):
            p.stop()
        for d in dests:
            shutil.rmtree(d, ignore_errors=True)
    return tracker


def render(args, results, command):
    lines = [f"Run on {time.strftime('%Y-%m-%d')}: `nproc` = {os.cpu_count()}, kernel {platform.release()}, "
             f"loopback only; load average {results['load'][0]:.2f} at the start, {results['load'][1]:.2f} "
             f"at the end (the machine is shared). Command:", "", "```sh", command, "```", "",
             f"Payload: {args.size_mib} MiB in 2 files, {args.piece_kib} KiB pieces. Cap {args.cap_kib} KiB/s "
             f"(1 KiB = 1024 B); after a {args.ramp:g} s ramp from the first byte, {args.seconds} samples of 1 s "
             f"from the kernel's socket counters. Fractions are of the cap; \"within\" is the share of 1-s "
             f"samples within +-{BAND * 100:.0f} %.", ""]
    hdr = ["| client | cap as set | mean | median 1 s | min 1 s | max 1 s | within +-3 % "
           "| mean, socket queues excluded | notes |",
           "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for key, title in (("download", "Download cap (from an uncapped libtorrent seed; `bytes_received`)"),
                       ("upload", "Upload cap (to an uncapped libtorrent leecher; `bytes_sent`)")):
        if results.get(key):
            lines += [f"**{title}**", ""] + hdr
            lines += [row(k, r["summary"], r["note"], r["setting"]) for k, r in results[key].items()]
            lines.append("")
    ch = results.get("change")
    if ch:
        who = NAMES.get(ch.get("client", "tessera"), ch.get("client")).strip("*")
        lines += [f"**{who}: cap changed mid-download through stdin** (goal: within +-3 % after at most 2 s; "
                  "\"for good after\": from the change to the end of the last 1-s sample outside the band; "
                  "the first sample starts at the change)", ""]
        if ch.get("error"):
            lines += [f"Failed: {ch['error']}", ""]
        else:
            lines += ["| change (KiB/s) | within +-3 % for good after | first 1-s sample in band starts "
                      "| mean from the 3rd s (fraction of new cap) | goal met | same, socket queues excluded: "
                      "for good after / first in band |", "|---|---:|---:|---:|---|---|"]
            for c, a in zip(ch["changes"], ch["app_changes"]):
                mean = "-" if c["steady_mean"] is None else f"{c['steady_mean']:.3f}"
                lines.append(f"| {c['from']} -> {c['to']} | {c['settle']:.1f} s | {fmt_s(c['first'])} | {mean} "
                             f"| {'yes' if c['settle'] <= 2.0 else 'no'} | {a['settle']:.1f} s / {fmt_s(a['first'])} |")
            lines += ["", f"1-s samples (KiB/s): {', '.join(str(v) for v in ch['series'])}", ""]
    mu = results.get("multi")
    if mu is not None:
        lines += [f"**Tessera: one `--dl-limit {args.cap_kib}` over three torrents** (three libtorrent seeds; "
                  "sum over all connections)", ""] + hdr
        lines.append(row("tessera", mu.get("summary"), mu.get("note", ""), f"`--dl-limit {args.cap_kib}`"))
        if mu.get("summary"):
            lines += ["", f"Received per torrent by the end of the window (MiB): "
                          f"{', '.join(str(x) for x in mu['summary']['per_torrent_mib'])}"]
        lines.append("")
    sw = results.get("swarm")
    if sw:
        lines += [f"**Tessera swarm**: one `seed --ul-limit 1024` and six `download --seed --ul-limit 1024` "
                  f"with opentracker; goal: each leecher done within 1.3 x size / (1 MiB/s) = {sw['bound']:.1f} s, "
                  "the seed uploading less than 2 x the payload.", "",
                  "| leecher | completion (s) | within bound | files identical |", "|---|---:|---|---|"]
        for j, t in enumerate(sw["times"]):
            tt = "did not complete" if t is None else f"{t:.1f}"
            lines.append(f"| {j + 1} | {tt} | {'yes' if t is not None and t <= sw['bound'] else 'no'} "
                         f"| {'yes' if sw['ok'][j] else 'no'} |")
        lines += ["", f"Seed uploaded {sw['seed_uploaded']:.2f} x the payload "
                      f"({'goal met' if sw['seed_uploaded'] < 2 else 'goal not met'}); its mean upload over the run "
                      f"was {sw['seed_mean_up']:.3f} of 1 MiB/s. Leechers uploaded "
                      f"{', '.join(f'{x:.2f}' for x in sw['leech_uploaded'])} x the payload.", ""]
    for note in results.get("notes", []):
        lines.append(f"- {note}")
    return "\n".join(lines).rstrip() + "\n"


SECTION_HEADING = "## Speed-cap accuracy"
SECTION_INTRO = """
Reproduce (installs what is missing, builds, runs every client in turn, about 12 minutes):

```sh
tests/bench/run_caps_bench.sh --write docs/benchmarks.md
```

- *Measured from outside the clients*, from the kernel's per-socket TCP counters (`ss -tinH`,
  `tests/interop/socket_counters.py`): `bytes_received` summed over the downloading client's
  peer connections, `bytes_sent` over the uploading client's (closed sockets keep their last
  value; `bytes_acked` would lag by the receiver's delayed ACKs), every second on a monotonic schedule, divided by the measured time between samples.
  "Socket queues excluded" is the same with the bytes still waiting in the receive queue
  subtracted (or waiting in the send queue added): what the client itself read or wrote, without
  the kernel's window updates in between.
- *Download / upload cap*: each client in turn, on its own 127.0.0.x, downloads from an
  uncapped libtorrent seed (found through opentracker; Transmission never dials loopback peers,
  so a second seed dials it) or seeds to an uncapped libtorrent leecher that dials it, with a
  1000 KiB/s cap. The window starts 5 s after the first byte.
- *Units*: as documented, and checked on the median 1-s sample: Transmission's speed settings
  are kB/s with 1 kB = 1000 B; qBittorrent's `Session\\GlobalDLSpeedLimit`/`GlobalUPSpeedLimit`
  are KiB/s (its Web API reads them back in bytes/s); aria2's `K` is 1024; libtorrent takes
  bytes/s (lt_peer.py puts loopback peers in the global peer class, or its caps would not apply).
- *Resolution*: peers send 16 KiB blocks, so a 1-s sample moves in steps of 1.6 % of
  1000 KiB/s, 3.2 % of 500 KiB/s; +-3 % is at the edge of what the wire shows at 500 KiB/s.
- *Cap change* (Tessera): `dl-limit 500`, then `dl-limit 1500`, written to its stdin at a sample
  tick; "for good after" is the end of the last 1-s sample outside +-3 % of the new cap.
- *Swarm* (Tessera): seven processes with opentracker; a leecher's time runs from starting the
  leechers until it prints that its download is complete; files compared byte for byte.
"""


def write_section(path, body):
    begin, end = "<!-- caps-bench:begin -->", "<!-- caps-bench:end -->"
    text = open(path).read() if os.path.exists(path) else ""
    block = f"{begin}\n{body}{end}"
    if begin in text and end in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + f"\n\n{SECTION_HEADING}\n{SECTION_INTRO}\n{block}\n"
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default=",".join(CLIENTS), help="comma-separated clients (default: all)")
    ap.add_argument("--skip-swarm", action="store_true")
    ap.add_argument("--seconds", type=int, default=30, help="1-s samples per measurement (default 30)")
    ap.add_argument("--ramp", type=float, default=5.0, help="seconds skipped after the first byte (default 5)")
    ap.add_argument("--size-mib", type=int, default=64)
    ap.add_argument("--piece-kib", type=int, default=256)
    ap.add_argument("--cap-kib", type=int, default=1000)
    ap.add_argument("--change-seconds", type=int, default=12, help="samples after each cap change (default 12)")
    ap.add_argument("--change-client", default="tessera", choices=["tessera", "libtorrent"],
                    help="client of the cap-change step (libtorrent: to check the harness)")
    ap.add_argument("--work", default=None, help="work folder (kept); default a temporary one")
    ap.add_argument("--write", default=None, help="markdown file whose caps-bench section to (re)write")
    args = ap.parse_args()
    clients = [c for c in args.only.split(",") if c]
    for c in clients:
        if c not in CLIENTS:
            ap.error(f"unknown client {c!r} (known: {', '.join(CLIENTS)})")
    expected = args.cap_kib * KIB * (args.ramp + args.seconds + 10)
    if args.size_mib * MIB < expected:
        ap.error(f"--size-mib {args.size_mib} is too small: the transfer would complete inside the window")
    command = "tests/bench/run_caps_bench.sh " + " ".join(shlex.quote(a) for a in sys.argv[1:])

    results = {"download": {}, "upload": {}, "notes": [], "load": [os.getloadavg()[0], 0.0]}
    missing = [c for c in clients if c in BINARIES and shutil.which(BINARIES[c]) is None]
    for c in missing:
        results["notes"].append(f"{NAMES[c]}: `{BINARIES[c]}` is not installed; skipped.")
        print(f"skipping {c}: {BINARIES[c]} not installed", flush=True)
    clients = [c for c in clients if c not in missing]

    work = args.work or tempfile.mkdtemp(prefix="tessera-capbench-")
    os.makedirs(work, exist_ok=True)
    tracker = h.Tracker(work)
    size = args.size_mib * MIB
    try:
        payload_root = os.path.join(work, "src")
        payload = make_payload(payload_root, "caps-payload", args.size_mib, seed=7)
        torrent = os.path.join(work, "caps.torrent")
        ih = h.make_torrent(payload, torrent, tracker.http_url, piece_kib=args.piece_kib)
        tracker.allow(ih)

        print(f"## download cap {args.cap_kib} KiB/s", flush=True)
        run_downloads(args, work, tracker, torrent, ih, payload_root, size, clients, results["download"])
        print(f"## upload cap {args.cap_kib} KiB/s", flush=True)
        tracker = run_uploads(args, work, tracker, torrent, ih, payload_root, size, clients, results["upload"])
        if args.change_client in clients:
            tracker = fresh_tracker(work, tracker, [ih])
            print(f"## {args.change_client}: cap change through stdin", flush=True)
            results["change"] = {}
            run_change(args, work, tracker, torrent, ih, payload_root, size, results["change"], args.change_client)
        if "tessera" in clients:
            print("## Tessera: one cap over three torrents", flush=True)
            tracker = fresh_tracker(work, tracker, [ih])
            results["multi"] = {}
            run_multi(args, work, tracker, size, results["multi"])
            if not args.skip_swarm:
                print("## Tessera swarm: one seed, six leechers, 1 MiB/s up each", flush=True)
                results["swarm"] = {}
                tracker = run_swarm(args, work, tracker, torrent, ih, payload_root, payload, size, results["swarm"])
    finally:
        tracker.stop()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)

    results["load"][1] = os.getloadavg()[0]
    body = render(args, results, command)
    print(body)
    if args.write:
        write_section(args.write, body)


if __name__ == "__main__":
    main()
