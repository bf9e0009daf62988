"""test_daemon.py: the Daemon class, started from inside the test process.

Each daemon is forked from this very process, so it inherits everything a
careless daemon would keep: the runner's descriptors, its signal state, its
umask, its working directory and session. The tests check each was shed.
"""

import errno
import json
import os
import signal
import stat
import subprocess
import sys
import unittest

import support
from support import ScratchTestCase

import daemon
from daemon import Daemon, DaemonError

SENTINEL_BLOCKED = signal.SIGRTMIN + 2
SENTINEL_IGNORED = signal.SIGRTMIN + 3


class Idle(Daemon):
    """The default run(): sleeps until a signal."""


class Reloading(Daemon):
    """Writes one line to a FIFO on every SIGHUP."""

    def __init__(self, pidfile, fifo):
        super().__init__(pidfile)
        self.fifo = fifo

    def reload(self):
        fd = os.open(self.fifo, os.O_WRONLY)
        try:
            os.write(fd, b"reloaded\n")
        finally:
            os.close(fd)


class Exiting(Daemon):
    """run() ends on its own, with a chosen status."""

    code = 7

    def run(self):
        raise SystemExit(self.code)


class HostileState:
    """The launcher's state a daemon must not keep: a sentinel signal
    blocked, another ignored, umask 077, an inheritable descriptor."""

    def __enter__(self):
        self.old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, (SENTINEL_BLOCKED,))
        self.old_handler = signal.signal(SENTINEL_IGNORED, signal.SIG_IGN)
        self.old_umask = os.umask(0o077)
        self.fd = os.open("/dev/zero", os.O_RDONLY)
        os.set_inheritable(self.fd, True)
        return self

    def __exit__(self, *exc):
        os.close(self.fd)
        os.umask(self.old_umask)
        signal.signal(SENTINEL_IGNORED, self.old_handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, self.old_mask)


class StartTest(ScratchTestCase):
    """What start() leaves behind at the moment it returns."""

    def start(self, d):
        return self.track(d.start())

    def test_pidfile_exists_when_start_returns(self):
        pidfile = self.path("d.pid")
        pid = self.start(Idle(pidfile))
        self.assertEqual(self.read_pidfile(pidfile), f"{pid}\n".encode())
        self.assertTrue(support.is_alive(pid))

    def test_pidfile_mode_0644_even_under_umask_0(self):
        pidfile = self.path("d.pid")
        pid = self.start(Idle(pidfile))
        self.assertEqual(support.proc_status(pid)["Umask"], "0000")
        st = os.stat(pidfile, follow_symlinks=False)
        self.assertTrue(stat.S_ISREG(st.st_mode))
        self.assertEqual(oct(stat.S_IMODE(st.st_mode)), oct(0o644))

    def test_pidfile_locked_by_the_daemon(self):
        pidfile = self.path("d.pid")
        pid = self.start(Idle(pidfile))
        self.assertEqual(support.locked_by(pidfile), {pid})

    def test_relative_paths_resolved_in_the_caller(self):
        old = os.getcwd()
        os.chdir(self.dir)
        try:
            pid = self.start(Idle("rel.pid"))
        finally:
            os.chdir(old)
        self.assertEqual(self.read_pidfile(self.path("rel.pid")), f"{pid}\n".encode())

    def test_detached_from_session_and_terminal(self):
        pid = self.start(Idle(self.path("d.pid")))
        ids = support.proc_ids(pid)
        self.assertNotEqual(ids["session"], os.getsid(0), "new session")
        self.assertNotEqual(ids["session"], pid, "not a session leader")
        self.assertEqual(ids["tty_nr"], 0, "no controlling terminal")
        self.assertEqual(os.readlink(f"/proc/{pid}/cwd"), "/")

    def test_sheds_the_launchers_state(self):
        pidfile = self.path("d.pid")
        with HostileState() as hostile:
            pid = self.start(Idle(pidfile))
            self.assertNotIn("/dev/zero", support.proc_fds(pid).values(),
                             "the inherited descriptor was closed")
        status = support.proc_status(pid)
        # Only the signals a program can set: glibc keeps 32 and 33 for
        # itself (sigaction refuses them), whatever the launcher did to them.
        settable = support.sigmask_bits(*signal.valid_signals())
        # SIGHUP may show as blocked: wait_for_reload() blocks it around its test
        blocked = int(status["SigBlk"], 16) & settable & ~support.sigmask_bits(signal.SIGHUP)
        self.assertEqual(hex(blocked), hex(0), "no signal blocked")
        self.assertEqual(hex(int(status["SigIgn"], 16) & settable),
                         hex(support.sigmask_bits(signal.SIGPIPE, signal.SIGXFSZ)),
                         "only Python's own SIGPIPE and SIGXFSZ ignored")
        self.assertEqual(status["Umask"], "0000")

    def test_only_its_own_descriptors(self):
        pidfile = self.path("d.pid")
        pid = self.start(Idle(pidfile))
        self.assertEqual(support.proc_fds(pid), {0: "/dev/null", 1: "/dev/null",
                                                 2: "/dev/null", 3: pidfile})

    def test_stdio_to_given_files(self):
        log = self.path("d.log")
        d = Idle(self.path("d.pid"), stdout=log, stderr=log)
        pid = self.start(d)
        fds = support.proc_fds(pid)
        self.assertEqual((fds[1], fds[2]), (log, log))
        self.assertEqual(oct(stat.S_IMODE(os.stat(log).st_mode)), oct(daemon.LOG_MODE))

    def test_no_wakeups_when_idle(self):
        pid = self.start(Idle(self.path("d.pid")))
        # The one timed observation: the daemon's pidfd bounds each wait and
        # would end it early if the daemon died.
        self.assertTrue(support.stays_alive(pid, 0.2))
        before = support.proc_status(pid)["voluntary_ctxt_switches"]
        self.assertTrue(support.stays_alive(pid, 0.5))
        after = support.proc_status(pid)["voluntary_ctxt_switches"]
        self.assertEqual(after, before, "context switches while idle")


class SingleInstanceTest(ScratchTestCase):

    def test_second_instance_refused(self):
        pidfile = self.path("d.pid")
        first = self.track(Idle(pidfile).start())
        before = os.stat(pidfile)
        with self.assertRaises(DaemonError) as caught:
            self.track(Idle(pidfile).start())
        self.assertIn(f"already running as pid {first}", str(caught.exception))
        self.assertEqual(self.read_pidfile(pidfile), f"{first}\n".encode())
        after = os.stat(pidfile)
        self.assertEqual((after.st_ino, after.st_mtime_ns), (before.st_ino, before.st_mtime_ns))
        self.assertEqual(support.await_children(exclude={first}), set(), "refused daemon gone")
        self.assertTrue(support.is_alive(first))

    def test_stale_pidfile_taken_over(self):
        for content in (f"{dead_pid()}\n".encode(), b"1234/n", b""):
            with self.subTest(content=content):
                pidfile = self.path("stale.pid")
                with open(pidfile, "wb") as f:
                    f.write(content)
                os.chmod(pidfile, 0o666)
                ino = os.stat(pidfile).st_ino
                pid = self.track(Idle(pidfile).start())
                self.assertEqual(self.read_pidfile(pidfile), f"{pid}\n".encode())
                st = os.stat(pidfile)
                self.assertEqual(oct(stat.S_IMODE(st.st_mode)), oct(0o644))
                self.assertEqual(st.st_ino, ino)
                Idle(pidfile).stop()
                support.wait_exit(pid)

    @unittest.skipUnless(os.geteuid() == 0, "needs root to create another user's file")
    def test_stale_pidfile_of_another_user_made_ours(self):
        pidfile = self.path("stale.pid")
        with open(pidfile, "w") as f:
            f.write("1234\n")
        os.chown(pidfile, 65534, 65534)
        pid = self.track(Idle(pidfile).start())
        st = os.stat(pidfile)
        self.assertEqual((st.st_uid, st.st_gid), (os.geteuid(), os.getegid()))
        self.assertEqual(self.read_pidfile(pidfile), f"{pid}\n".encode())

    def test_symlinked_pidfile_refused(self):
        target = self.path("target")
        with open(target, "w") as f:
            f.write("keep\n")
        pidfile = self.path("d.pid")
        os.symlink(target, pidfile)
        with self.assertRaises(DaemonError) as caught:
            Idle(pidfile).start()
        self.assertIn(os.strerror(errno.ELOOP), str(caught.exception))
        with open(target) as f:
            self.assertEqual(f.read(), "keep\n")
        self.assertTrue(os.path.islink(pidfile))

    def test_fifo_pidfile_refused_without_hanging(self):
        pidfile = self.path("d.pid")
        os.mkfifo(pidfile)
        with self.assertRaises(DaemonError) as caught:
            Idle(pidfile).start()
        self.assertIn("not a regular file", str(caught.exception))

    def test_failure_reported_to_the_launcher(self):
        cases = {
            "pidfile": (Idle(self.path("missing/d.pid")), "unable to create pidfile"),
            "stdout": (Idle(self.path("d.pid"), stdout=self.path("missing/log")),
                       "unable to open"),
        }
        for name, (d, message) in cases.items():
            with self.subTest(name):
                with self.assertRaises(DaemonError) as caught:
                    d.start()
                self.assertIn(message, str(caught.exception))
                self.assertIn(os.strerror(errno.ENOENT), str(caught.exception))
        self.assertFalse(os.path.exists(self.path("d.pid")))


class StopTest(ScratchTestCase):

    def test_stop(self):
        pidfile = self.path("d.pid")
        d = Idle(pidfile)
        pid = self.track(d.start())
        self.assertEqual(d.stop(), pid)
        self.assertFalse(support.is_alive(pid), "exited when stop() returned")
        self.assertFalse(os.path.exists(pidfile))
        self.assertEqual(support.reap(pid), 0)

    def test_stop_signals_clean_up(self):
        for signum in (signal.SIGTERM, signal.SIGINT):
            with self.subTest(signal=signum.name):
                pidfile = self.path("d.pid")
                pid = self.track(Idle(pidfile).start())
                os.kill(pid, signum)
                self.assertEqual(support.wait_exit(pid), 0, "exit status")
                self.assertFalse(os.path.exists(pidfile), "pidfile removed")

    def test_run_returning_cleans_up(self):
        pidfile = self.path("d.pid")
        # run() may end before start() even looks: the pidfile is then gone
        pid = self.track(Exiting(pidfile).start())
        self.assertEqual(support.wait_exit(pid), Exiting.code)
        self.assertFalse(os.path.exists(pidfile))

    def test_stop_when_not_running(self):
        self.assertIsNone(Idle(self.path("absent.pid")).stop())

    def test_stop_never_signals_an_unlocked_pid(self):
        # A live process that merely appears in a stale pidfile
        bystander = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                                     stdin=subprocess.PIPE)
        try:
            pidfile = self.path("d.pid")
            with open(pidfile, "w") as f:
                f.write(f"{bystander.pid}\n")
            self.assertIsNone(Idle(pidfile).stop())
            self.assertTrue(support.is_alive(bystander.pid))
            self.assertTrue(os.path.exists(pidfile), "a stale pidfile is left alone")
        finally:
            bystander.stdin.close()
            bystander.wait(support.TIMEOUT)

    def test_restart(self):
        pidfile = self.path("d.pid")
        d = Idle(pidfile)
        old = self.track(d.start())
        new = self.track(d.restart())
        self.assertNotEqual(new, old)
        self.assertFalse(support.is_alive(old))
        self.assertEqual(self.read_pidfile(pidfile), f"{new}\n".encode())


class StatusTest(ScratchTestCase):

    def test_status_through_a_life(self):
        pidfile = self.path("d.pid")
        d = Idle(pidfile)
        self.assertEqual(d.status(), (daemon.STOPPED, None))
        pid = self.track(d.start())
        self.assertEqual(d.status(), (daemon.RUNNING, pid))
        support.kill_and_reap(pid)      # a crash: no cleanup, lock released
        self.assertEqual(d.status(), (daemon.STALE, pid))
        new = self.track(d.start())
        self.assertEqual(d.status(), (daemon.RUNNING, new))


class ReloadTest(ScratchTestCase):

    def test_each_sighup_calls_reload(self):
        fifo = self.path("fifo")
        os.mkfifo(fifo)
        reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        self.addCleanup(os.close, reader)
        # Our own writer keeps the FIFO from reporting a hang-up (POLLHUP)
        # each time the daemon closes its end.
        keeper = os.open(fifo, os.O_WRONLY)
        self.addCleanup(os.close, keeper)
        pid = self.track(Reloading(self.path("d.pid"), fifo).start())
        for _ in range(3):
            os.kill(pid, signal.SIGHUP)
            self.assertTrue(support.wait_readable(reader), "reload() ran")
            self.assertEqual(os.read(reader, 100), b"reloaded\n")
        self.assertTrue(support.is_alive(pid))


class CloseInheritedFdsTest(unittest.TestCase):

    def test_keeps_only_what_it_is_told(self):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                extra = [os.open("/dev/null", os.O_RDONLY) for _ in range(4)]
                before = [int(n) for n in os.listdir("/proc/self/fd")]
                daemon.close_inherited_fds(keep=(w, extra[1]))
                left = sorted(fd for fd in before if fd > 2 and is_open(fd))
                os.write(w, json.dumps([left, [w, extra[1]]]).encode())
                code = 0
            finally:
                os._exit(code)
        os.close(w)
        with os.fdopen(r, "rb") as f:
            left, kept = json.loads(f.read())
        self.assertEqual(support.wait_exit(pid), 0)
        self.assertEqual(left, sorted(kept))


def is_open(fd):
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def dead_pid():
    """The pid of a process that has exited and been reaped."""
    proc = subprocess.Popen([sys.executable, "-c", ""])
    proc.wait(support.TIMEOUT)
    return proc.pid


if __name__ == "__main__":
    unittest.main()
