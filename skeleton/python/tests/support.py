"""support.py: what the Python twin's tests share.

Processes are awaited through pidfds and pipes, never by sleeping; a
timeout is only the bound after which a test fails. The runner makes the
test process a child subreaper, so every daemon a test starts becomes its
child: it can be reaped, its exit status read, and a leftover found.
"""

import ctypes
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import unittest

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
PYTHON_DIR = os.path.dirname(TESTS_DIR)
REPO_ROOT = os.path.dirname(os.path.dirname(PYTHON_DIR))
MYDAEMON = os.path.join(PYTHON_DIR, "mydaemon.py")
SEED_DAEMON = os.path.join(PYTHON_DIR, "seed_daemon.py")
TIMEOUT = 10.0      # bound for any single wait

if PYTHON_DIR not in sys.path:
    sys.path.insert(0, PYTHON_DIR)

_PR_SET_CHILD_SUBREAPER = 36


def become_subreaper():
    """Adopt orphaned descendants; return None, or why it is not possible."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
            return "prctl(PR_SET_CHILD_SUBREAPER): " + os.strerror(ctypes.get_errno())
    except (OSError, AttributeError) as exc:
        return f"prctl unavailable: {exc}"
    return None


class DirWatch:
    """Wait for a file in a directory to be closed after writing (inotify).

    For the daemons whose launcher returns before their pidfile exists:
    the test waits for the write itself instead of polling for the file.
    """

    IN_CLOSE_WRITE = 0x8
    _EVENT = struct.Struct("iIII")  # wd, mask, cookie, len; then the name

    def __init__(self, directory):
        self._libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self._libc.inotify_init1(os.O_CLOEXEC | os.O_NONBLOCK)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        if self._libc.inotify_add_watch(self.fd, os.fsencode(directory),
                                        self.IN_CLOSE_WRITE) < 0:
            err = ctypes.get_errno()
            os.close(self.fd)
            raise OSError(err, "inotify_add_watch", directory)

    def close(self):
        os.close(self.fd)

    def wait_for(self, name, timeout=TIMEOUT):
        """True once `name` was closed after writing, False after timeout."""
        deadline = time.monotonic() + timeout
        while wait_readable(self.fd, max(0.0, deadline - time.monotonic())):
            if name in self._names(os.read(self.fd, 4096)):
                return True
        return False

    def _names(self, data):
        names, offset = set(), 0
        while offset < len(data):
            _, _, _, length = self._EVENT.unpack_from(data, offset)
            offset += self._EVENT.size
            names.add(os.fsdecode(data[offset:offset + length].rstrip(b"\0")))
            offset += length
        return names


def wait_readable(fd, timeout=TIMEOUT):
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(int(timeout * 1000)))


def is_alive(pid):
    """True while pid has not exited (a zombie has)."""
    return proc_state(pid) not in (None, "Z", "X")


def wait_exit(pid, timeout=TIMEOUT):
    """Wait until pid exits; reap it if it is our child.

    Returns its exit code (negative: killed by that signal), None if it was
    not our child, or raises AssertionError if it outlives timeout.
    """
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return None
    try:
        if not wait_readable(pidfd, timeout):
            raise AssertionError(f"pid {pid} still running after {timeout:g} s")
    finally:
        os.close(pidfd)
    return reap(pid)


def reap(pid):
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return None
    return os.waitstatus_to_exitcode(status)


def stays_alive(pid, seconds):
    """Watch pid for `seconds` (the pidfd wakes us if it dies): True if it lived."""
    pidfd = os.pidfd_open(pid)
    try:
        return not wait_readable(pidfd, seconds)
    finally:
        os.close(pidfd)


def kill_and_reap(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    wait_exit(pid)


def proc_stat(pid):
    """The fields of /proc/PID/stat after the command name, from field 3 (state) on."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return data[data.rindex(b")") + 2:].decode().split()


def proc_state(pid):
    fields = proc_stat(pid)
    return fields[0] if fields else None


def proc_ids(pid):
    """{ppid, pgrp, session, tty_nr} of pid."""
    fields = proc_stat(pid)
    return dict(zip(("ppid", "pgrp", "session", "tty_nr"), map(int, fields[1:5])))


def proc_status(pid):
    """/proc/PID/status as a dict of strings."""
    with open(f"/proc/{pid}/status") as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


def proc_fds(pid):
    """{fd: target} of pid's open descriptors."""
    base = f"/proc/{pid}/fd"
    return {int(n): os.readlink(os.path.join(base, n)) for n in os.listdir(base)}


def children(of=None):
    """{pid: state} of the processes whose parent is `of` (default: us)."""
    of = os.getpid() if of is None else of
    found = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            fields = proc_stat(int(name))
            if fields and int(fields[1]) == of:
                found[int(name)] = fields[0]
    return found


def live_children():
    return {pid for pid, state in children().items() if state not in ("Z", "X")}


def await_children(exclude=()):
    """Wait (bounded) for every live child but `exclude` to exit on its own:
    a refused daemon may still be on its way out when its launcher returns.
    Returns those still alive afterwards."""
    for pid in live_children() - set(exclude):
        try:
            wait_exit(pid)
        except AssertionError:
            pass
    return live_children() - set(exclude)


def sweep_children():
    """Kill and reap whatever children are left; return the pids that were alive."""
    leftovers = sorted(live_children())
    for pid in leftovers:
        kill_and_reap(pid)
    for pid in children():
        reap(pid)
    return leftovers


def sigmask_bits(*signums):
    bits = 0
    for signum in signums:
        bits |= 1 << (signum - 1)
    return bits


def locked_by(path):
    """Pids holding a lock on path's inode, from /proc/locks."""
    st = os.stat(path, follow_symlinks=False)
    holders = set()
    with open("/proc/locks") as f:
        for line in f:
            fields = line.split()
            if fields[1] == "->":
                continue    # a blocked waiter, not a holder
            dev_ino = fields[5].split(":")
            if int(dev_ino[2]) == st.st_ino and \
                    (int(dev_ino[0], 16), int(dev_ino[1], 16)) == \
                    (os.major(st.st_dev), os.minor(st.st_dev)):
                holders.add(int(fields[4]))
    return holders


def run_cli(*args, timeout=TIMEOUT, **kwargs):
    """Run a command to completion; a CompletedProcess with text output."""
    return subprocess.run(args, capture_output=True, text=True,
                          timeout=timeout, **kwargs)


class ScratchTestCase(unittest.TestCase):
    """A private directory per test, and whatever it started killed at the end."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pytwin.")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.addCleanup(self._kill_started)
        self.started = []

    def path(self, name):
        return os.path.join(self.dir, name)

    def track(self, pid):
        self.started.append(pid)
        return pid

    def _kill_started(self):
        for pid in self.started:
            kill_and_reap(pid)

    def read_pidfile(self, path):
        with open(path, "rb") as f:
            return f.read()

    def assertGone(self, pid, timeout=TIMEOUT):
        """pid exits within timeout; returns its exit code if it was our child."""
        return wait_exit(pid, timeout)
