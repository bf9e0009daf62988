#!/usr/bin/env python3
"""make bench (checker): what a checker run costs next to the daemon's own cost.

Runs the checker on a small correct daemon of the zoo RUNS times with
--settle 0, and, in the same run, the daemon alone: three starts and stops,
as many as a checker run makes (first start, second start refused, stale
restart). A start is the launcher returning; a stop is SIGTERM to the pid of
the pidfile, then waiting on a pidfd for its end. Prints the medians and the
ratio. Timings are wall clock, on whatever else the machine is doing: read
the ratio, not the absolute figures.
"""
import json
import os
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECKER = os.path.join(ROOT, "checker", "checker")
DAEMON = os.environ.get("BENCH_DAEMON") or os.path.join(ROOT, "tests", "zoo", "bin", "correct")
RUNS = int(os.environ.get("RUNS", "50"))


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


def time_baseline(tmp):
    pidfile = os.path.join(tmp, "bench.pid")
    start = time.monotonic()
    for _ in range(3):
        one_daemon_cycle(pidfile)
    return time.monotonic() - start


def time_checker():
    start = time.monotonic()
    out = subprocess.run([CHECKER, "--settle", "0", "--format", "json", "--", DAEMON,
                          "{pidfile}"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    elapsed = time.monotonic() - start
    verdict = json.loads(out.stdout)["verdict"]
    if verdict != "pass" and os.environ.get("BENCH_STRICT", "1") == "1":
        sys.exit(f"checker_bench: fatal: the correct daemon did not pass: {out.stdout}")
    return elapsed


def main():
    for path in (CHECKER, DAEMON):
        if not os.access(path, os.X_OK):
            sys.exit(f"checker_bench: fatal: {path} is not built (run make)")
    checker, baseline = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(RUNS):       # interleaved, so both see the same machine
            checker.append(time_checker())
            baseline.append(time_baseline(tmp))
    c, b = statistics.median(checker), statistics.median(baseline)
    print(f"checker bench: {RUNS} runs each, interleaved, --settle 0, daemon {os.path.relpath(DAEMON, ROOT)}")
    print(f"  checker run (median)                    {c * 1000:8.2f} ms")
    print(f"  daemon alone: 3 starts + 3 stops (median) {b * 1000:6.2f} ms")
    print(f"  ratio checker / daemon alone            {c / b:8.2f}")


if __name__ == "__main__":
    main()
