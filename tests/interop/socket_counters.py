"""Transfer rates measured from outside a client: the kernel's per-socket TCP byte counters.

`ss -tinH src ADDR` lists a client's TCP sockets (it runs on its own 127.0.0.x) with their
`tcp_info` counters. A downloading client's payload shows in `bytes_received` of its sockets, an
uploading client's in `bytes_sent` (what left it, retransmissions included; on loopback nothing is
lost) or `bytes_acked` (what the other end has acknowledged: it lags by the receiver's delayed
ACKs, up to tens of milliseconds, so 1-s samples of it wobble by a few percent). The totals are summed over the client's connections; a socket that disappears
(closed, then gone from the table) keeps the last value seen, so totals never go backwards.

Shared by tests/interop/test_throttled.py and tests/bench/bench_caps.py.
"""
import re
import statistics
import subprocess
import time

RECEIVED = "bytes_received"
ACKED = "bytes_acked"
SENT = "bytes_sent"
# Derived: what the client itself read from its sockets (bytes_received less what still waits in
# the receive queue) and wrote to them (bytes_acked plus what waits in the send queue). They
# leave out the kernel's socket buffers, which can hold megabytes over loopback.
READ = "read"
WRITTEN = "written"

_COUNTER = re.compile(r"\b(bytes_received|bytes_acked|bytes_sent):(\d+)")


def _split_endpoint(text):
    """"127.0.0.5:6881", "127.0.0.5%lo:6881" (a socket bound to a device), "[::1]:6881"."""
    host, _, port = text.rpartition(":")
    return host.split("%")[0].strip("[]"), int(port) if port.isdigit() else 0


def snapshot(local_addr):
    """{(local, remote): {RECEIVED: n, ACKED: n, READ: n, WRITTEN: n}} for the TCP sockets bound
    to local_addr (listening sockets excluded; a counter the kernel omits is 0)."""
    out = subprocess.run(["ss", "-tinH", "src", local_addr], capture_output=True, text=True, check=True).stdout
    sockets = {}
    key = None
    for line in out.splitlines():
        if not line.strip():
            continue
        if not line[0].isspace():
            # "STATE RECV-Q SEND-Q LOCAL PEER"
            fields = line.split()
            key = None
            if len(fields) >= 5:
                key = (_split_endpoint(fields[3]), _split_endpoint(fields[4]))
                sockets[key] = {RECEIVED: 0, ACKED: 0, SENT: 0, "recv_q": int(fields[1]), "send_q": int(fields[2])}
        elif key is not None:
            for name, value in _COUNTER.findall(line):
                sockets[key][name] = int(value)
    for c in sockets.values():
        c[READ] = max(0, c[RECEIVED] - c.pop("recv_q"))
        c[WRITTEN] = c[ACKED] + c.pop("send_q")
    return sockets


FIELDS = (RECEIVED, ACKED, SENT, READ, WRITTEN)


class SocketCounter:
    """Running totals of the counters over a client's sockets.

    local_addr: the client's 127.0.0.x. field: the one total() returns (RECEIVED, ACKED, READ or
    WRITTEN); every call tracks all of them (see last). remote_addrs: when given, only connections
    to these addresses count (e.g. the peers, not the tracker); exclude_addrs: never count
    connections to these (default: 127.0.0.1, where the tracker and the web/RPC APIs live).
    """

    def __init__(self, local_addr, field, remote_addrs=None, exclude_addrs=("127.0.0.1",)):
        self.local_addr = local_addr
        self.field = field
        self.remote_addrs = set(remote_addrs) if remote_addrs else None
        self.exclude_addrs = set(exclude_addrs or ())
        self.live = {}                            # (local, remote) -> {field: last value seen}
        self.retired = dict.fromkeys(FIELDS, 0)   # last values of the sockets that are gone
        self.last = dict.fromkeys(FIELDS, 0)      # every field's total at the last reading
        self.connections = 0                      # sockets counted at the last reading

    def _wanted(self, remote_host):
        if remote_host in self.exclude_addrs:
            return False
        return self.remote_addrs is None or remote_host in self.remote_addrs

    def totals(self):
        """{field: bytes so far over all the client's connections, closed ones included}."""
        now = {}
        for (local, remote), counters in snapshot(self.local_addr).items():
            if local[0] == self.local_addr and self._wanted(remote[0]):
                now[(local, remote)] = counters
        for key, last in self.live.items():
            cur = now.get(key)
            # Gone, or the same 4-tuple reused by a new socket (its counters restarted).
            if cur is None or cur[RECEIVED] < last[RECEIVED] or cur[ACKED] < last[ACKED]:
                for f in FIELDS:
                    self.retired[f] += last[f]
        self.live = now
        self.connections = len(now)
        self.last = {f: self.retired[f] + sum(c[f] for c in now.values()) for f in FIELDS}
        return self.last

    def total(self):
        """Bytes of `field` so far over all the client's connections, closed ones included."""
        return self.totals()[self.field]

    def sample(self):
        """(monotonic time, total): the time is the middle of the `ss` call."""
        t0 = time.monotonic()
        total = self.total()
        return (t0 + time.monotonic()) / 2, total


def wait_for_bytes(counter, min_bytes, timeout, poll=0.1, alive=None):
    """Polls until the counter passes min_bytes; returns the sample, or None after timeout (or
    once alive() turns false)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        t, total = counter.sample()
        if total >= min_bytes:
            return t, total
        if alive is not None and not alive():
            return None
        time.sleep(poll)
    return None


def sample_series(counters, intervals, period=1.0, on_tick=None, also=None):
    """Samples every counter every `period` seconds on a monotonic schedule (tick k at start +
    k * period, so late wake-ups do not drift), intervals + 1 samples in all.

    counters: one SocketCounter or a list of them (their totals are summed). on_tick(k, t) is
    called after sample k (it may change the client's caps). Returns [(t, total), ...] of each
    counter's own field; with also=FIELD, also the same samples of that field (same `ss` calls):
    (samples, also_samples)."""
    if isinstance(counters, SocketCounter):
        counters = [counters]

    def take():
        t0 = time.monotonic()
        readings = [(c.field, c.totals()) for c in counters]
        t = (t0 + time.monotonic()) / 2
        return (t, sum(r[f] for f, r in readings)), (t, sum(r[also] for _, r in readings) if also else 0)

    start = time.monotonic()
    first = take()
    samples, extra = [first[0]], [first[1]]
    if on_tick:
        on_tick(0, samples[0][0])
    for k in range(1, intervals + 1):
        delay = start + k * period - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        a, b = take()
        samples.append(a)
        extra.append(b)
        if on_tick:
            on_tick(k, samples[-1][0])
    return (samples, extra) if also else samples


def rates(samples):
    """[(t_end, bytes per second)] of each interval, divided by its measured length."""
    return [(t1, (b1 - b0) / (t1 - t0)) for (t0, b0), (t1, b1) in zip(samples, samples[1:])]


def mean_rate(samples):
    """Bytes per second over the whole series (first to last sample)."""
    (t0, b0), (t1, b1) = samples[0], samples[-1]
    return (b1 - b0) / (t1 - t0)


def summary(samples, cap_bytes, band=0.03):
    """Mean, median, min and max 1-interval rate as fractions of cap_bytes, and the share of
    intervals within +-band of it."""
    r = [v for _, v in rates(samples)]
    within = sum(1 for v in r if abs(v / cap_bytes - 1) <= band)
    return {"mean": mean_rate(samples) / cap_bytes, "median": statistics.median(r) / cap_bytes,
            "min": min(r) / cap_bytes, "max": max(r) / cap_bytes, "within": within / len(r), "samples": len(r),
            "bytes": samples[-1][1] - samples[0][1]}
