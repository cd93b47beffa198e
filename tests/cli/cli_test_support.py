"""Shared helpers for the tessera-cli tests: locating the binary, running it, bencoding."""
import os
import signal
import subprocess
import tempfile
import threading

CLI = os.environ.get("TESSERA_CLI", "tessera-cli")
# Under ASan/UBSan the binary is several times slower and its RSS includes shadow memory,
# so the plain build's CPU and memory bounds do not apply there.
SANITIZED = os.environ.get("TESSERA_SANITIZED") == "1"


def run_cli(*args, timeout=30):
    """Runs tessera-cli; returns (exit code, stdout, stderr, CPU seconds, peak RSS in KiB).

    CPU time (user + system, the child's own, from wait4) rather than wall time: it does not grow
    when other work shares the machine. `timeout` is only a safety net against a hang."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([CLI, *args], stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        hung = threading.Event()

        def kill():
            hung.set()
            os.kill(proc.pid, signal.SIGKILL)

        killer = threading.Timer(timeout, kill)
        killer.start()
        try:
            # Waits for the exit without reaping it, so the pid stays this child's until the
            # timer is surely stopped.
            os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
        finally:
            killer.cancel()
            killer.join()
        # wait4 gives this child's own CPU time and peak RSS, which Popen.wait() does not.
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if hung.is_set() and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
            raise AssertionError(f"tessera-cli {' '.join(args)} hung for {timeout}s")
        out.seek(0)
        err.seek(0)
        return (proc.returncode, out.read().decode(errors="replace"), err.read().decode(errors="replace"),
                usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


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
