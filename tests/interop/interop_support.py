"""Harness for interop tests: a real opentracker and real clients, each on its own 127.0.0.x.

Every process is started here and stopped here by PID (SIGTERM, then SIGKILL after a grace
period); nothing is looked up by name. All traffic stays on loopback.
"""
import filecmp
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

PYTHON = "/usr/bin/python3"  # Debian's python, which has the libtorrent module
HERE = os.path.dirname(os.path.abspath(__file__))
TESSERA_CLI = os.environ.get("TESSERA_CLI", "tessera-cli")


def free_port(address):
    """A TCP port free on `address` right now (bound and released)."""
    for _ in range(200):
        port = random.randint(20000, 60000)
        with socket.socket() as s:
            try:
                s.bind((address, port))
            except OSError:
                continue
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            try:
                u.bind((address, port))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port")


class Proc:
    """A started process with its output in a log file; stop() ends it by PID."""

    def __init__(self, name, argv, workdir, env=None, user=None, stdin_pipe=False):
        self.name = name
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.PIPE if stdin_pipe else subprocess.DEVNULL, env=env, cwd=workdir)

    def send(self, line):
        """Writes one line to the process's stdin (started with stdin_pipe=True)."""
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def running(self):
        return self.proc.poll() is None

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, grace=5.0):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdin:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        self.log.close()
        return self.proc.returncode

    def output(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")


class Tracker:
    """opentracker on 127.0.0.1 (HTTP and UDP on one port), whitelist-only as Debian builds it."""

    def __init__(self, workdir, port=None, hashes=()):
        self.dir = tempfile.mkdtemp(prefix="ot-", dir=workdir)
        os.chmod(self.dir, 0o755)
        self.port = port or free_port("127.0.0.1")
        self.hashes = list(hashes)
        self._write_whitelist()
        with open(os.path.join(self.dir, "opentracker.conf"), "w") as f:
            f.write("access.whitelist /whitelist\n")  # opentracker chroots into -d
        os.chmod(os.path.join(self.dir, "opentracker.conf"), 0o644)
        self.proc = Proc("opentracker", ["opentracker", "-i", "127.0.0.1", "-p", str(self.port), "-P",
                                         str(self.port), "-u", "nobody", "-d", self.dir, "-f",
                                         os.path.join(self.dir, "opentracker.conf")], workdir)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("opentracker did not start: " + self.proc.output())

    @property
    def http_url(self):
        return f"http://127.0.0.1:{self.port}/announce"

    @property
    def udp_url(self):
        return f"udp://127.0.0.1:{self.port}/announce"

    def _write_whitelist(self):
        path = os.path.join(self.dir, "whitelist")
        with open(path, "w") as f:
            f.write("".join(h + "\n" for h in self.hashes))
        os.chmod(path, 0o644)

    def allow(self, info_hash_hex):
        self.hashes.append(info_hash_hex)
        self._write_whitelist()
        self.proc.proc.send_signal(signal.SIGHUP)
        time.sleep(0.3)

    def scrape(self, info_hash_hex):
        q = urllib.parse.quote(bytes.fromhex(info_hash_hex))
        body = urllib.request.urlopen(f"http://127.0.0.1:{self.port}/scrape?info_hash={q}", timeout=5).read()
        # Tiny bencode reader for the two counters we need.
        def num(key):
            k = f"{len(key)}:{key}i".encode()
            i = body.find(k)
            if i < 0:
                return 0
            j = body.index(b"e", i + len(k))
            return int(body[i + len(k):j])
        return num("complete"), num("incomplete")

    def wait_for(self, info_hash_hex, seeds=0, leechers=0, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s, l = self.scrape(info_hash_hex)
            if s >= seeds and l >= leechers:
                return
            time.sleep(0.2)
        raise AssertionError(f"tracker never listed {seeds} seeds / {leechers} leechers "
                             f"(has {self.scrape(info_hash_hex)})")

    def stop(self):
        self.proc.stop()


def make_payload(root, name, seed=1, sizes=None):
    """A multi-file payload with odd sizes, an empty file and nested folders."""
    rng = random.Random(seed)
    sizes = sizes or {"a.bin": 3_000_017, "empty.txt": 0, "nested/deeper/b.bin": 1_048_577,
                      "nested/c.txt": 333, "z.bin": 2_222_222}
    base = os.path.join(root, name)
    for rel, size in sizes.items():
        path = os.path.join(base, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(rng.randbytes(size))
    return base


def make_torrent(payload_dir, out_path, announce, piece_kib=64, private=True):
    """announce None: a torrent without a tracker (found through the DHT or given peers)."""
    args = ["mktorrent", "-l", str(piece_kib.bit_length() + 9), "-o", out_path]
    if announce:
        args += ["-a", announce]
    if private:
        args.append("-p")
    subprocess.run(args + [payload_dir], check=True, capture_output=True)
    info = json.loads(subprocess.run([TESSERA_CLI, "info", "--json", out_path], check=True,
                                     capture_output=True, text=True).stdout)
    return info["info_hash"]


def trees_equal(a, b, skip_empty=False):
    """True when both folders hold the same files with the same bytes (empty files included,
    unless skip_empty: Transmission 3.00 never creates zero-length files)."""
    for dirpath, _, files in os.walk(a):
        for f in files:
            pa = os.path.join(dirpath, f)
            pb = os.path.join(b, os.path.relpath(pa, a))
            if skip_empty and os.path.getsize(pa) == 0:
                continue
            if not os.path.isfile(pb) or not filecmp.cmp(pa, pb, shallow=False):
                return False
    return True


def wait_until(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def tessera(workdir, name, command, torrent, folder, address, port, extra=(), stdin_pipe=False):
    """torrent: one .torrent path, or a list of them (download only)."""
    flag = "-o" if command == "download" else "-d"
    torrents = [torrent] if isinstance(torrent, str) else list(torrent)
    return Proc(name, [TESSERA_CLI, command, *torrents, flag, folder, "--listen", f"{address}:{port}", *extra],
                workdir, stdin_pipe=stdin_pipe)


def libtorrent(workdir, name, torrent, folder, address, port, exit_when_done=False, extra=(), stdin_pipe=False):
    argv = [PYTHON, os.path.join(HERE, "lt_peer.py"), "--torrent", torrent, "--dir", folder, "--address", address,
            "--port", str(port), *extra]
    if exit_when_done:
        argv.append("--exit-when-done")
    return Proc(name, argv, workdir, stdin_pipe=stdin_pipe)


def aria2(workdir, name, torrent, folder, address, port, seed=False, extra=()):
    argv = ["aria2c", f"--interface={address}", f"--listen-port={port}", "--enable-dht=false",
            "--enable-dht6=false", "--bt-enable-lpd=false", "--enable-peer-exchange=false",
            "--file-allocation=none", "--summary-interval=0", "--console-log-level=warn",
            "--bt-tracker-connect-timeout=5", "--bt-tracker-timeout=5", "--allow-overwrite=true",
            f"--dir={folder}"]
    argv += ["--check-integrity=true", "--seed-ratio=0.0"] if seed else ["--seed-time=0"]
    return Proc(name, argv + list(extra) + [torrent], workdir)


class Transmission:
    """transmission-daemon on its own address, driven through transmission-remote."""

    def __init__(self, workdir, name, address, port, folder, settings=None):
        """settings: entries of settings.json to override (speed limits are in kB/s, 1 kB = 1000 B)."""
        self.config = os.path.join(workdir, f"{name}-config")
        os.makedirs(self.config, exist_ok=True)
        self.rpc_port = free_port("127.0.0.1")
        self.folder = folder
        conf = {
            "bind-address-ipv4": address, "bind-address-ipv6": "::1", "peer-port": port,
            "peer-port-random-on-start": False, "port-forwarding-enabled": False,
            "dht-enabled": False, "lpd-enabled": False, "pex-enabled": False, "utp-enabled": False,
            "encryption": 0, "rpc-enabled": True, "rpc-bind-address": "127.0.0.1", "rpc-port": self.rpc_port,
            "rpc-authentication-required": False, "rpc-whitelist-enabled": False,
            "rpc-host-whitelist-enabled": False, "download-dir": folder, "incomplete-dir-enabled": False,
            "start-added-torrents": True, "ratio-limit-enabled": False, "idle-seeding-limit-enabled": False,
            "speed-limit-down-enabled": False, "speed-limit-up-enabled": False, "message-level": 2,
            "cache-size-mb": 4, "peer-limit-per-torrent": 60,
        }
        conf.update(settings or {})
        with open(os.path.join(self.config, "settings.json"), "w") as f:
            json.dump(conf, f)
        self.proc = Proc(name, ["transmission-daemon", "-f", "-g", self.config], workdir)
        wait_until(lambda: self._remote("-l").returncode == 0, 15, "transmission-daemon RPC")

    def _remote(self, *args):
        return subprocess.run(["transmission-remote", f"127.0.0.1:{self.rpc_port}", *args], capture_output=True,
                              text=True)

    def add(self, torrent):
        r = self._remote("--add", torrent, "--download-dir", self.folder)
        if r.returncode != 0:
            raise RuntimeError("transmission-remote --add failed: " + r.stdout + r.stderr)

    def verify(self):
        self._remote("-t", "all", "--verify")

    def percent_done(self):
        out = self._remote("-t", "all", "-i").stdout
        for line in out.splitlines():
            if "Percent Done:" in line:
                return float(line.split(":")[1].strip().rstrip("%"))
        return 0.0

    def stop(self):
        return self.proc.stop(grace=10)
