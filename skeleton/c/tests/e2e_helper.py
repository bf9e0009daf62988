#!/usr/bin/env python3
"""Event-based waits and fixtures for e2e.sh (standard library only).

    wait-gone PID SECONDS       exit 0 once PID has exited (pidfd), 1 on timeout
    reaped CMD ARG...           run CMD as a child subreaper; exit with its
                                status once every process it left behind has
                                exited too, or 99 (after killing them) when
                                some outlive 5 seconds
    hostile CMD ARG...          exec CMD the way the checker does, minus the
                                terminal: umask 077, cwd the work directory,
                                marker files open on fds 3, 4 and 9 (no
                                close-on-exec), SIGRTMIN+2 blocked,
                                SIGRTMIN+3 and SIGUSR1 ignored
    hold-lock PATH CONTENT      write CONTENT to PATH, hold a POSIX write lock
                                on it, print "locked", release on stdin EOF
    syslog MYDAEMON PIDFILE DIR as root inside `unshare --mount`: receive the
                                daemon's syslog lines on a private /dev/log
                                while it starts, reloads and stops
    checker-verdict             read a checker JSON report on stdin; exit 0
                                when its verdict is pass and no check failed
                                or warned, printing the offenders otherwise
"""
import ctypes
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def wait_gone(pid, seconds):
    """True once pid has exited, False if it outlives the timeout."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        ready, _, _ = select.select([fd], [], [], seconds)
        return bool(ready)
    finally:
        os.close(fd)


def children_of(pid):
    """Pids whose parent is pid, read the procps way (name up to the last ')')."""
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except (FileNotFoundError, ProcessLookupError):
            continue
        fields = stat[stat.rindex(b")") + 2:].split()
        if int(fields[1]) == pid:
            kids.append(int(entry))
    return kids


class Timeout(Exception):
    pass


def on_alarm(signum, frame):
    raise Timeout()


def reaped(argv):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit(f"e2e_helper: fatal: unable to become a subreaper: {os.strerror(ctypes.get_errno())}")
    status = subprocess.run(argv).returncode
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(5)
    try:
        while True:
            os.waitpid(-1, 0)
    except ChildProcessError:
        signal.alarm(0)
        return status
    except Timeout:
        pass
    left = children_of(os.getpid())
    print(f"e2e_helper: leftover processes: {left}", file=sys.stderr)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    try:
        while True:
            os.waitpid(-1, 0)
    except ChildProcessError:
        pass
    return 99


def hostile(argv):
    marker = os.path.abspath("marker")
    for fd in (3, 4, 9):
        got = os.open(marker, os.O_RDWR | os.O_CREAT, 0o600)
        if got != fd:
            os.dup2(got, fd, inheritable=True)
            os.close(got)
        os.set_inheritable(fd, True)
    os.umask(0o077)
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGRTMIN + 2])
    signal.signal(signal.SIGRTMIN + 3, signal.SIG_IGN)
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    os.execv(argv[0], argv)


def hold_lock(path, content):
    import fcntl
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    os.write(fd, content.encode())
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fcntl(F_SETLK), like the daemon's
    print("locked", flush=True)
    sys.stdin.read()
    os.close(fd)
    return 0


def syslog(mydaemon, pidfile, workdir):
    """Binds a socket where the daemon will look for /dev/log and collects
    what it says. Runs in a private mount namespace: the host's /dev is
    never touched. /dev may lack a log socket (no syslog daemon), so a
    private /dev holding only null and log is mounted over it."""
    dev = os.path.join(workdir, "dev")
    os.mkdir(dev)
    open(os.path.join(dev, "null"), "w").close()
    subprocess.run(["mount", "--bind", "/dev/null", os.path.join(dev, "null")], check=True)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(os.path.join(dev, "log"))
    subprocess.run(["mount", "--rbind", dev, "/dev"], check=True)
    lines = []

    def expect(fragment, seconds=10):
        deadline = time.monotonic() + seconds
        while not any(fragment in line for line in lines):
            left = deadline - time.monotonic()
            ready, _, _ = select.select([sock], [], [], max(left, 0))
            if not ready:
                return False
            lines.append(sock.recv(4096).decode(errors="replace"))
        return True

    failures = []
    start = subprocess.run([mydaemon, "start", "--pidfile", pidfile])
    if start.returncode != 0:
        failures.append(f"start: expected exit 0, got {start.returncode}")
    else:
        with open(pidfile) as f:
            pid = int(f.read())
        tag = f"mydaemon[{pid}]: "
        # <30> is facility daemon (3) * 8 + severity info (6).
        if not expect(f"<30>"):
            failures.append("no line with priority <30> (daemon.info) arrived")
        if not expect(tag + "started"):
            failures.append(f"expected a line '{tag}started...'")
        os.kill(pid, signal.SIGHUP)
        if not expect(tag + "reopened the log on SIGHUP"):
            failures.append("expected the SIGHUP line after re-opening the log")
        stop = subprocess.run([mydaemon, "stop", "--pidfile", pidfile])
        if stop.returncode != 0:
            failures.append(f"stop: expected exit 0, got {stop.returncode}")
        if not expect(tag + "stopping on SIGTERM"):
            failures.append("expected a 'stopping on SIGTERM' line")
        if not expect(tag + "stopped"):
            failures.append("expected a 'stopped' line")
    for line in lines:
        print(f"    received: {line}")
    for failure in failures:
        print(f"    {failure}")
    return 1 if failures else 0


def checker_verdict():
    text = sys.stdin.read()
    try:
        report = json.loads(text)
    except ValueError as e:
        print(f"    expected a JSON report, got ({e}): {text[:500]}")
        return 1
    bad = [c for c in report.get("checks", []) if c.get("status") in ("fail", "warn")]
    for c in bad:
        print(f"    {c.get('id')}: {c.get('status')}: expected {c.get('expected')!r}, "
              f"observed {c.get('observed')!r} {c.get('message', '')}")
    skipped = [c.get("id") for c in report.get("checks", []) if c.get("status") == "skip"]
    if skipped:
        print(f"    skipped: {', '.join(skipped)}")
    if report.get("verdict") != "pass":
        print(f"    verdict: expected pass, got {report.get('verdict')}")
    return 0 if report.get("verdict") == "pass" and not bad and report.get("checks") else 1


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "wait-gone":
        return 0 if wait_gone(int(args[0]), float(args[1])) else 1
    if cmd == "reaped":
        return reaped(args)
    if cmd == "hostile":
        return hostile(args)
    if cmd == "hold-lock":
        return hold_lock(args[0], args[1])
    if cmd == "syslog":
        return syslog(*args)
    if cmd == "checker-verdict":
        return checker_verdict()
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
