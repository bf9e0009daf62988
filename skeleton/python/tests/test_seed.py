"""test_seed.py: the seed's class, as seed_daemon.py retells it, shows the
seed's faults, each where its docstring says (the numbers below are its list).

The port's launcher returns before the pidfile exists (bug 7), so these
tests wait (inotify) for the daemon to close the pidfile it wrote.
"""

import os
import signal
import stat
import sys

import support
from support import SEED_DAEMON, ScratchTestCase

import pidfile

SENTINEL_BLOCKED = signal.SIGRTMIN + 2
SENTINEL_IGNORED = signal.SIGRTMIN + 3


class SeedTest(ScratchTestCase):

    def setUp(self):
        super().setUp()
        self.pidfile = self.path("seed.pid")
        self.watch = support.DirWatch(self.dir)
        self.addCleanup(self.watch.close)

    def seed(self, command, **kwargs):
        return support.run_cli(sys.executable, SEED_DAEMON, command, self.pidfile,
                               **kwargs)

    def start(self, **kwargs):
        """Start the port; its daemon's pid, once the pidfile is written."""
        result = self.seed("start", **kwargs)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(self.watch.wait_for("seed.pid"), "pidfile written")
        content = self.read_pidfile(self.pidfile)
        self.assertRegex(content, rb"^\d+/n$")
        return self.track(int(content[:-2]))

    def test_pidfile_content_and_mode(self):
        """Bugs 1 and 3: "PID/n", mode 0666; bug 6: no lock."""
        pid = self.start()
        self.assertEqual(self.read_pidfile(self.pidfile), f"{pid}/n".encode())
        self.assertEqual(oct(stat.S_IMODE(os.stat(self.pidfile).st_mode)), oct(0o666))
        self.assertIsNone(pidfile.inspect(self.pidfile).holder)

    def test_keeps_inherited_descriptors_and_signals(self):
        """Bugs 9 and 10."""
        fd = os.open("/dev/zero", os.O_RDONLY)
        old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, (SENTINEL_BLOCKED,))
        old_handler = signal.signal(SENTINEL_IGNORED, signal.SIG_IGN)
        try:
            pid = self.start(pass_fds=(fd,))
        finally:
            signal.signal(SENTINEL_IGNORED, old_handler)
            signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
            os.close(fd)
        self.assertIn("/dev/zero", support.proc_fds(pid).values())
        status = support.proc_status(pid)
        self.assertTrue(int(status["SigBlk"], 16) & support.sigmask_bits(SENTINEL_BLOCKED))
        self.assertTrue(int(status["SigIgn"], 16) & support.sigmask_bits(SENTINEL_IGNORED))

    def test_sigterm_leaves_the_pidfile_which_blocks_start(self):
        """Bugs 5, then 2 and 4: SIGTERM skips atexit; the next start dies on "/n"."""
        pid = self.start()
        os.kill(pid, signal.SIGTERM)
        self.assertEqual(support.wait_exit(pid), -signal.SIGTERM)
        self.assertTrue(os.path.exists(self.pidfile), "pidfile left behind")
        again = self.seed("start")
        self.assertEqual(again.returncode, 1)
        self.assertIn("ValueError", again.stderr)

    def test_stop_cannot_read_its_own_pidfile(self):
        """Bug 2: stop crashes on "PID/n" and the daemon keeps running."""
        pid = self.start()
        result = self.seed("stop")
        self.assertEqual(result.returncode, 1)
        self.assertIn("ValueError: invalid literal for int()", result.stderr)
        self.assertTrue(support.is_alive(pid))

    def test_stale_pidfile_blocks_start(self):
        """Bugs 4 and 1: a well-formed pidfile naming a dead pid refuses start,
        with a message ending in "/n"."""
        with open(self.pidfile, "w") as f:
            f.write("999999\n")
        result = self.seed("start")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stderr, f"{self.pidfile} names a pid: "
                                        "is the daemon running already?/n")
        self.assertEqual(support.await_children(), set(), "no daemon left")
