#!/usr/bin/env python3
"""syslog_probe.py: what mydaemon.py says to syslog, received on a /dev/log
of our own. Not a test module: test_syslog.py runs it as root inside
`unshare --mount`, so that the /dev it mounts is private to it.

    unshare --mount python3 syslog_probe.py WORKDIR

The host may have no syslog daemon, and its /dev must not be touched: a
directory holding only a bind of /dev/null and our datagram socket named
log is mounted over /dev in the private namespace. Exit status 0 when the
daemon's lines arrived as expected; otherwise each difference is printed.
"""

import os
import re
import signal
import socket
import subprocess
import sys

import support

DAEMON_INFO = 3 * 8 + 6     # facility daemon (3), severity info (6)
LINE = re.compile(r"^<(\d+)>.*?mydaemon\[(\d+)\]: (.*)$", re.S)


def private_dev(workdir):
    """Mount a /dev holding only null and a log socket; the socket."""
    dev = os.path.join(workdir, "dev")
    os.mkdir(dev)
    open(os.path.join(dev, "null"), "w").close()
    subprocess.run(["mount", "--bind", "/dev/null", os.path.join(dev, "null")], check=True)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
    sock.bind(os.path.join(dev, "log"))
    subprocess.run(["mount", "--bind", dev, "/dev"], check=True)
    return sock


def receive(sock, count):
    """The next `count` lines, each (priority, pid, message); fewer on timeout."""
    lines = []
    while len(lines) < count and support.wait_readable(sock.fileno()):
        text = sock.recv(4096).decode(errors="replace").rstrip("\n")
        match = LINE.match(text)
        lines.append((int(match[1]), int(match[2]), match[3]) if match else (None, None, text))
    return lines


def cli(*args):
    return support.run_cli(sys.executable, support.MYDAEMON, *args)


def probe(workdir):
    sock = private_dev(workdir)
    pidfile = os.path.join(workdir, "my.pid")
    failures = []

    def expect(what, messages, pid):
        want = [(DAEMON_INFO, pid, m) for m in messages]
        got = receive(sock, len(want))
        if got != want:
            failures.append(f"{what}: expected {want}\n    got {got}")

    started = cli("start", "--pidfile", pidfile)
    if started.returncode != 0:
        return [f"start: expected exit 0, got {started.returncode}: {started.stderr}"]
    with open(pidfile) as f:
        pid = int(f.read())
    try:
        expect("start", [f"started; pidfile {pidfile}"], pid)
        os.kill(pid, signal.SIGHUP)
        expect("SIGHUP", ["reopened the log on SIGHUP"], pid)
        stopped = cli("stop", "--pidfile", pidfile)
        if stopped.returncode != 0:
            failures.append(f"stop: expected exit 0, got {stopped.returncode}")
        expect("stop", ["stopping on SIGTERM", "stopped"], pid)
    finally:
        support.kill_and_reap(pid)
    return failures


def main(argv):
    if len(argv) != 2:
        print("usage: syslog_probe.py WORKDIR", file=sys.stderr)
        return 2
    failures = probe(argv[1])
    for failure in failures:
        print(failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
