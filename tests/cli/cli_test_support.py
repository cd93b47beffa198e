"""Shared helpers for the tessera-cli tests: locating the binary, running it, bencoding."""
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time

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


class RunningCli:
    """tessera-cli running in the background, its stdout collected line by line as it comes, so a
    test can wait for a line (with a generous timeout) while the process goes on."""

    def __init__(self, *args):
        self.args = args
        self.lines = []
        self.cond = threading.Condition()
        self.proc = subprocess.Popen([CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.proc.stdout:
            with self.cond:
                self.lines.append(raw.decode(errors="replace").rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.lines.append(None)  # end of output
            self.cond.notify_all()

    def output(self):
        with self.cond:
            return "\n".join(line for line in self.lines if line is not None)

    def wait_for_line(self, predicate, timeout=60):
        """The first line (seen so far or coming) for which predicate(line) is true."""
        deadline = time.monotonic() + timeout
        seen = 0
        with self.cond:
            while True:
                for line in self.lines[seen:]:
                    if line is None:
                        raise AssertionError(f"tessera-cli {' '.join(self.args)} ended without the line "
                                             f"expected; it printed:\n{self.output()}")
                    if predicate(line):
                        return line
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no line expected from tessera-cli {' '.join(self.args)} "
                                         f"in {timeout} s; it printed:\n{self.output()}")
                self.cond.wait(left)

    def wait(self, timeout):
        """The exit code, or None if still running after `timeout` seconds."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        self.reader.join(timeout=10)
        return code

    def stop(self):
        """Interrupts it (SIGINT, then SIGKILL if it will not go) and returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(timeout=10)
        self.proc.stdout.close()
        return self.proc.returncode


def bound_port(address):
    """A socket bound to a free port on `address` and not listening: connections to it are
    refused, and no other process can take the port while the socket is open."""
    s = socket.socket()
    s.bind((address, 0))
    return s, s.getsockname()[1]
