"""Shared helpers for the tessera-cli tests: locating the binary, running it, bencoding."""
import os
import subprocess
import tempfile
import time

CLI = os.environ.get("TESSERA_CLI", "tessera-cli")
# Under ASan/UBSan the binary is several times slower and its RSS includes shadow memory,
# so timing and memory bounds are checked only in the plain build.
SANITIZED = os.environ.get("TESSERA_SANITIZED") == "1"


def run_cli(*args, timeout=30):
    """Runs tessera-cli; returns (exit code, stdout, stderr, seconds, peak RSS in KiB)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen([CLI, *args], stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        # wait4 gives this child's own peak RSS, which Popen.wait() does not.
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > timeout:
                proc.kill()
                os.wait4(proc.pid, 0)
                proc.returncode = -9
                raise AssertionError(f"tessera-cli {' '.join(args)} hung for {timeout}s")
            time.sleep(0.002)
        elapsed = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (proc.returncode, out.read().decode(errors="replace"), err.read().decode(errors="replace"),
                elapsed, usage.ru_maxrss)


def bencode(value):
    if isinstance(value, bool):
        raise TypeError("bool is not bencode")
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, list):
        return b"l" + b"".join(bencode(v) for v in value) + b"e"
    if isinstance(value, dict):
        items = sorted((k.encode() if isinstance(k, str) else k, v) for k, v in value.items())
        return b"d" + b"".join(bencode(k) + bencode(v) for k, v in items) + b"e"
    raise TypeError(type(value))
