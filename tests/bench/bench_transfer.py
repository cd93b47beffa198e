#!/usr/bin/python3
"""Transfer benchmark, side by side with the reference clients, in one run.

Download: a 1 GiB multi-file torrent (1 MiB pieces) seeded by libtorrent over loopback, fetched in
turn by Tessera, qBittorrent-nox, libtorrent (python3-libtorrent), aria2 and Transmission.
Seeding: each client seeds the same GiB to one libtorrent leecher.

Measured from outside each client: wall time to completion, CPU seconds (user + system, from the
kernel's accounting of the client's processes) per GiB, and peak anonymous memory (RssAnon, so
page cache and memory-mapped files do not count), sampled every 20 ms.

  tests/bench/run_transfer_bench.sh [--size-mib 1024] [--write docs/benchmarks.md]
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
import interop_support as h  # noqa: E402

GIB = 1 << 30


def proc_tree(pid):
    """pid and its descendants (transmission-daemon and qbittorrent-nox run alone, but be safe)."""
    out = [pid]
    try:
        children = open(f"/proc/{pid}/task/{pid}/children").read().split()
        for c in children:
            out += proc_tree(int(c))
    except OSError:
        pass
    return out


def cpu_seconds(pid):
    total = 0.0
    for p in proc_tree(pid):
        try:
            fields = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass
    return total


def rss_anon_kib(pid):
    total = 0
    for p in proc_tree(pid):
        try:
            for line in open(f"/proc/{p}/status"):
                if line.startswith("RssAnon:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


class Sampler:
    """Peak RssAnon and the last CPU reading of a running process, sampled in the background."""

    def __init__(self, pid):
        self.pid = pid
        self.peak_kib = 0
        self.cpu = 0.0
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            self.peak_kib = max(self.peak_kib, rss_anon_kib(self.pid))
            c = cpu_seconds(self.pid)
            if c > 0:
                self.cpu = c
            time.sleep(0.02)

    def finish(self):
        self.stop = True
        self.thread.join()
        c = cpu_seconds(self.pid)
        if c > 0:
            self.cpu = c
        return self


def make_payload(root, size_mib):
    """Eight files of odd sizes adding up to size_mib MiB."""
    base = os.path.join(root, "bench-payload")
    os.makedirs(os.path.join(base, "sub"), exist_ok=True)
    total = size_mib << 20
    weights = [13, 7, 11, 5, 17, 3, 19, 25]
    sizes = [total * w // sum(weights) for w in weights]
    sizes[-1] += total - sum(sizes)
    chunk = random.Random(42).randbytes(1 << 20)
    for i, size in enumerate(sizes):
        path = os.path.join(base, "sub" if i % 2 else "", f"file{i}.bin")
        with open(path, "wb") as f:
            written = 0
            while written < size:
                n = min(len(chunk), size - written)
                # Vary each MiB so pieces differ.
                f.write(chunk[:n - 8] + written.to_bytes(8, "big") if n > 8 else chunk[:n])
                written += n
    return base


class Qbittorrent:
    """qbittorrent-nox on its own address. extra_conf: more `Session\\...=` lines for the
    [BitTorrent] section of its config file (e.g. speed limits, in KiB/s)."""

    def __init__(self, work, address, port, save, extra_conf=""):
        self.profile = os.path.join(work, f"qbt-{port}")
        conf_dir = os.path.join(self.profile, "qBittorrent", "config")
        os.makedirs(conf_dir, exist_ok=True)
        self.webui = h.free_port("127.0.0.1")
        with open(os.path.join(conf_dir, "qBittorrent.conf"), "w") as f:
            f.write(f"""[LegalNotice]
Accepted=true

[BitTorrent]
Session\\Port={port}
Session\\Interface=lo
Session\\InterfaceName=lo
Session\\InterfaceAddress={address}
Session\\DHTEnabled=false
Session\\LSDEnabled=false
Session\\PeXEnabled=false
Session\\BTProtocol=TCP
Session\\DefaultSavePath={save}
Session\\QueueingSystemEnabled=false
Session\\GlobalMaxRatio=-1
{extra_conf}
[Preferences]
WebUI\\Address=127.0.0.1
WebUI\\Port={self.webui}
WebUI\\LocalHostAuth=false
WebUI\\CSRFProtection=false
General\\Locale=en
""")
        self.proc = h.Proc(f"qbittorrent-{port}", ["qbittorrent-nox", f"--profile={self.profile}",
                                                    f"--webui-port={self.webui}"], work)
        h.wait_until(self._up, 20, "qbittorrent-nox web API")

    def _api(self, path, data=None, files=None):
        url = f"http://127.0.0.1:{self.webui}/api/v2/{path}"
        if files:
            boundary = "tesserabench"
            body = b""
            for name, value in (data or {}).items():
                body += f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode()
            for name, (fname, content) in files.items():
                body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{fname}\"\r\n"
                         "Content-Type: application/x-bittorrent\r\n\r\n").encode() + content + b"\r\n"
            body += f"--{boundary}--\r\n".encode()
            req = urllib.request.Request(url, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        elif data is not None:
            req = urllib.request.Request(url, urllib.parse.urlencode(data).encode())
        else:
            req = urllib.request.Request(url)
        return urllib.request.urlopen(req, timeout=5).read()

    def _up(self):
        try:
            self._api("app/version")
            return True
        except OSError:
            return False

    def add(self, torrent, save):
        with open(torrent, "rb") as f:
            self._api("torrents/add", {"savepath": save}, {"torrents": ("t.torrent", f.read())})

    def limits(self):
        """The global (download, upload) limits as the Web API reports them, in bytes/s (0 = none)."""
        return int(self._api("transfer/downloadLimit")), int(self._api("transfer/uploadLimit"))

    def progress(self):
        info = json.loads(self._api("torrents/info"))
        return info[0]["progress"] if info else 0.0

    def stop(self):
        return self.proc.stop(grace=10)


def start_client(kind, work, torrent, folder, address, port, mode):
    """Returns (pid, is_done(), stop())."""
    if kind == "tessera":
        cmd = "download" if mode == "leech" else "seed"
        p = h.tessera(work, f"tessera-{mode}", cmd, torrent, folder, address, port)
        return p.proc.pid, (lambda: p.proc.poll() == 0), p.stop
    if kind == "libtorrent":
        p = h.libtorrent(work, f"libtorrent-{mode}", torrent, folder, address, port, exit_when_done=(mode == "leech"),
                         extra=("--timeout", "600"))
        return p.proc.pid, (lambda: p.proc.poll() == 0), p.stop
    if kind == "aria2":
        p = h.aria2(work, f"aria2-{mode}", torrent, folder, address, port, seed=(mode == "seed"))
        return p.proc.pid, (lambda: p.proc.poll() == 0), p.stop
    if kind == "transmission":
        t = h.Transmission(work, f"transmission-{mode}", address, port, folder)
        t.add(torrent)
        return t.proc.proc.pid, (lambda: t.percent_done() >= 100.0), t.stop
    if kind == "qbittorrent":
        q = Qbittorrent(work, address, port, folder)
        q.add(torrent, folder)
        return q.proc.proc.pid, (lambda: q.progress() >= 1.0), q.stop
    raise ValueError(kind)


def wait_done(is_done, timeout):
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            if is_done():
                return True
        except OSError:
            pass
        time.sleep(0.02)
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--work", default=None)
    ap.add_argument("--clients", default="tessera,qbittorrent,libtorrent,aria2,transmission")
    ap.add_argument("--write", default=None, help="markdown file to (re)write the results section of")
    args = ap.parse_args()
    clients = args.clients.split(",")
    work = args.work or tempfile.mkdtemp(prefix="tessera-bench-")
    os.makedirs(work, exist_ok=True)
    tracker = h.Tracker(work)
    size = args.size_mib << 20
    gib = size / GIB
    results = {}
    try:
        payload = make_payload(work, args.size_mib)
        torrent = os.path.join(work, "bench.torrent")
        ih = h.make_torrent(payload, torrent, tracker.http_url, piece_kib=1024)
        tracker.allow(ih)
        seed_addr = "127.0.0.200"

        # ---- download from a libtorrent seed
        def start_reference_seed(name):
            p = h.libtorrent(work, name, torrent, work, seed_addr, h.free_port(seed_addr), extra=("--timeout", "3600"))
            tracker.wait_for(ih, seeds=1, timeout=120)
            return p

        lt_seed = start_reference_seed("reference-seed")
        for i, kind in enumerate(clients):
            dest = os.path.join(work, f"dl-{kind}")
            os.makedirs(dest)
            addr = f"127.0.0.{210 + i}"
            if kind == "transmission":
                # Transmission never dials loopback peers: the seed must dial it, so a fresh seed
                # starts after Transmission announced, and the clock starts once that seed is listed.
                lt_seed.stop()
                tracker.stop()
                tracker = h.Tracker(work, port=tracker.port, hashes=[ih])
                pid, is_done, stop = start_client(kind, work, torrent, dest, addr, h.free_port(addr), "leech")
                tracker.wait_for(ih, leechers=1, timeout=60)
                lt_seed = start_reference_seed("reference-seed-2")
            else:
                pid, is_done, stop = None, None, None
            start = time.monotonic()
            if pid is None:
                pid, is_done, stop = start_client(kind, work, torrent, dest, addr, h.free_port(addr), "leech")
            sampler = Sampler(pid)
            ok = wait_done(is_done, 600)
            elapsed = time.monotonic() - start
            sampler.finish()
            stop()
            same = ok and h.trees_equal(payload, os.path.join(dest, "bench-payload"), skip_empty=True)
            results.setdefault(kind, {})["download"] = {
                "seconds": elapsed, "cpu_per_gib": sampler.cpu / gib, "peak_anon_mib": sampler.peak_kib / 1024,
                "ok": same}
            print(f"download {kind:13s} {elapsed:6.2f} s  cpu {sampler.cpu / gib:5.2f} s/GiB  "
                  f"anon {sampler.peak_kib / 1024:7.1f} MiB  {'ok' if same else 'FAILED'}", flush=True)
            shutil.rmtree(dest, ignore_errors=True)
        lt_seed.stop()

        # ---- each client seeds to one libtorrent leecher
        for i, kind in enumerate(clients):
            # A fresh tracker per run: opentracker keeps departed seeds listed for a while.
            tracker.stop()
            tracker = h.Tracker(work, port=tracker.port, hashes=[ih])
            addr = f"127.0.0.{230 + i}"
            port = h.free_port(addr)
            pid, _, stop = start_client(kind, work, torrent, work, addr, port, "seed")
            sampler = Sampler(pid)
            # Seeds announce once they have checked their data.
            tracker.wait_for(ih, seeds=1, timeout=300)
            cpu_before = cpu_seconds(pid)
            dest = os.path.join(work, f"ul-{kind}")
            leech_addr = f"127.0.0.{250 + i}"
            start = time.monotonic()
            leech = h.libtorrent(work, f"leech-of-{kind}", torrent, dest, leech_addr, h.free_port(leech_addr),
                                 exit_when_done=True, extra=("--peer", f"{addr}:{port}", "--timeout", "600"))
            ok = leech.wait(600) == 0
            elapsed = time.monotonic() - start
            cpu = cpu_seconds(pid) - cpu_before
            sampler.finish()
            leech.stop()
            stop()
            same = ok and h.trees_equal(payload, os.path.join(dest, "bench-payload"), skip_empty=True)
            results[kind]["seed"] = {"seconds": elapsed, "cpu_per_gib": cpu / gib,
                                     "peak_anon_mib": sampler.peak_kib / 1024, "ok": same}
            print(f"seed     {kind:13s} {elapsed:6.2f} s  cpu {cpu / gib:5.2f} s/GiB  "
                  f"anon {sampler.peak_kib / 1024:7.1f} MiB  {'ok' if same else 'FAILED'}", flush=True)
            shutil.rmtree(dest, ignore_errors=True)
    finally:
        tracker.stop()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)

    table = render(results, args.size_mib)
    print(table)
    if args.write:
        write_section(args.write, table)


def render(results, size_mib):
    names = {"tessera": "**Tessera**", "qbittorrent": "qbittorrent-nox 4.5.2", "libtorrent": "libtorrent 2.0.8 (python)",
             "aria2": "aria2 1.36.0", "transmission": "Transmission 3.00"}
    lines = [f"Payload: {size_mib} MiB in 8 files, 1 MiB pieces, over loopback. "
             f"Run on {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores.", "",
             "| client | download time (s) | download CPU (s/GiB) | download peak anon (MiB) "
             "| seed: leecher time (s) | seeding CPU (s/GiB) | seeding peak anon (MiB) |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for kind, r in results.items():
        d, s = r.get("download", {}), r.get("seed", {})
        cell = lambda x, k, f: (f.format(x[k]) + ("" if x.get("ok") else " (failed)")) if k in x else "-"  # noqa
        lines.append(f"| {names.get(kind, kind)} | {cell(d, 'seconds', '{:.2f}')} | {cell(d, 'cpu_per_gib', '{:.2f}')} "
                     f"| {cell(d, 'peak_anon_mib', '{:.1f}')} | {cell(s, 'seconds', '{:.2f}')} "
                     f"| {cell(s, 'cpu_per_gib', '{:.2f}')} | {cell(s, 'peak_anon_mib', '{:.1f}')} |")
    return "\n".join(lines) + "\n"


def write_section(path, table):
    begin, end = "<!-- transfer-bench:begin -->", "<!-- transfer-bench:end -->"
    text = open(path).read() if os.path.exists(path) else ""
    block = f"{begin}\n{table}{end}"
    if begin in text and end in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text += "\n" + block + "\n"
    with open(path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
