#!/usr/bin/env python3
"""make bench (checker): what a checker run costs next to what it checks.

Every row is a ratio of two medians measured side by side in one run, the
two kinds of measurement interleaved so that both see the same machine:

  quiet        a checker run (--settle 0) on a small correct daemon of the
               zoo, against the daemon alone: three starts and stops, as
               many as a checker run makes (first start, second start
               refused, stale restart). A start is the launcher returning; a
               stop is SIGTERM to the pidfile's pid, then its end on a pidfd.
  crowd        the same checker run with CROWD (4,000) unrelated sleeping
               processes on the machine, against it without them: the
               checker's cost must follow the candidate, not the machine.
  new-style    a new-style checker run (--settle 0) on the reference's
               `mydaemon run`, against the reference's own start until
               READY=1 plus its stop, with a notify socket of this script's.
  trace        a checker run with --trace on the correct daemon, against the
               same run without it.
  trace-40     the same with the zoo's daemon that forks 40 workers.

Timings are wall clock, on whatever else the machine does: read the ratios,
not the absolute figures. RUNS (default 30) sets the runs per side.
"""
import json
import os
import select
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECKER = os.path.join(ROOT, "checker", "checker")
DAEMON = os.environ.get("BENCH_DAEMON") or os.path.join(ROOT, "tests", "zoo", "bin", "correct")
SERVICE = os.path.join(ROOT, "skeleton", "c", "mydaemon")
SLEEPERS = os.path.join(ROOT, "tests", "bench", "sleepers")
WORKERS = os.path.join(ROOT, "tests", "zoo", "bin", "forks-40-workers")
RUNS = int(os.environ.get("RUNS", "30"))
CROWD = int(os.environ.get("CROWD", "4000"))
AIMS = {"quiet": 1.5, "crowd": 1.3, "new-style": 1.5, "trace": 3.0, "trace-40": 3.0}


def wait_gone(pid, timeout=5.0):
    """Wait for pid to end, on a pidfd (no polling loop)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        select.select([fd], [], [], timeout)
    finally:
        os.close(fd)


def one_daemon_cycle(pidfile):
    """Start the daemon, stop it with SIGTERM, wait for its end."""
    subprocess.run([DAEMON, pidfile], check=True, stdin=subprocess.DEVNULL)
    with open(pidfile) as f:
        pid = int(f.read())
    os.kill(pid, signal.SIGTERM)
    wait_gone(pid)


def time_daemon_alone(tmp):
    pidfile = os.path.join(tmp, "bench.pid")
    start = time.monotonic()
    for _ in range(3):
        one_daemon_cycle(pidfile)
    return time.monotonic() - start


def time_checker(*args):
    start = time.monotonic()
    out = subprocess.run([CHECKER, "--settle", "0", "--format", "json", *args],
                         capture_output=True, text=True, stdin=subprocess.DEVNULL)
    elapsed = time.monotonic() - start
    verdict = json.loads(out.stdout)["verdict"] if out.stdout else "none"
    if verdict != "pass" and os.environ.get("BENCH_STRICT", "1") == "1":
        sys.exit(f"checker_bench: fatal: the correct daemon did not pass: {out.stdout[-2000:]}"
                 f"{out.stderr}")
    return elapsed


def time_classic_checker(*options, daemon=DAEMON):
    return time_checker(*options, "--", daemon, "{pidfile}")


def time_service_alone(tmp):
    """The reference as a manager runs it: start, READY=1, SIGTERM, its end."""
    path = os.path.join(tmp, "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    env = {"PATH": os.environ.get("PATH", ""), "NOTIFY_SOCKET": path}
    start = time.monotonic()
    proc = subprocess.Popen([SERVICE, "run", "--port", "0"], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/")
    while b"READY=1" not in sock.recv(4096).split(b"\n"):
        pass
    proc.send_signal(signal.SIGTERM)
    proc.wait()
    elapsed = time.monotonic() - start
    sock.close()
    os.unlink(path)
    return elapsed


def time_service_checker():
    return time_checker("--profile", "new-style", "--", SERVICE, "run", "--port", "0")


def interleaved(a, b, runs):
    """Medians of a() and b(), called in turn."""
    ta, tb = [], []
    for _ in range(runs):
        ta.append(a())
        tb.append(b())
    return statistics.median(ta), statistics.median(tb)


class Crowd:
    """CROWD sleeping processes, started and ended by this script."""

    def __enter__(self):
        self.proc = subprocess.Popen([SLEEPERS, str(CROWD)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        if self.proc.stdout.readline().strip() != "ready":
            sys.exit("checker_bench: fatal: the sleepers did not start")
        return self

    def __exit__(self, *exc):
        self.proc.stdin.close()
        self.proc.wait()


def row(name, what, a, b):
    ratio = a / b
    aim = AIMS[name]
    print(f"  {name:10} {what:58} {a * 1000:8.2f} / {b * 1000:7.2f} ms = "
          f"{ratio:5.2f}  (aim <= {aim}{'' if ratio <= aim else ': NOT MET'})")


def main():
    for path in (CHECKER, DAEMON, SERVICE, SLEEPERS, WORKERS):
        if not os.access(path, os.X_OK):
            sys.exit(f"checker_bench: fatal: {path} is not built (run make)")
    print(f"checker bench: {RUNS} runs per side, interleaved, --settle 0")
    with tempfile.TemporaryDirectory() as tmp:
        c, d = interleaved(time_classic_checker, lambda: time_daemon_alone(tmp), RUNS)
        row("quiet", "checker run / the daemon's own 3 starts and stops", c, d)
        # The crowd comes and goes around each pair of runs would cost
        # seconds; instead, quiet runs before and after the crowded ones.
        before = [time_classic_checker() for _ in range(RUNS // 2)]
        with Crowd():
            crowded = [time_classic_checker() for _ in range(RUNS)]
        after = [time_classic_checker() for _ in range(RUNS - RUNS // 2)]
        row("crowd", f"checker run beside {CROWD} sleeping processes / without",
            statistics.median(crowded), statistics.median(before + after))
        s, o = interleaved(time_service_checker, lambda: time_service_alone(tmp), RUNS)
        row("new-style", "new-style run / the service's own start to READY=1 and stop", s, o)
        t, u = interleaved(lambda: time_classic_checker("--trace"), time_classic_checker, RUNS)
        row("trace", "checker run with --trace / without", t, u)
        t, u = interleaved(lambda: time_classic_checker("--trace", daemon=WORKERS),
                           lambda: time_classic_checker(daemon=WORKERS), RUNS)
        row("trace-40", "the same, on a daemon with 40 workers", t, u)


if __name__ == "__main__":
    main()
