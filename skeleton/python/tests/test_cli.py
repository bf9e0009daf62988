"""test_cli.py: mydaemon.py as a user runs it: start, status, stop, restart,
--foreground, and the exit statuses each promises."""

import os
import signal
import subprocess
import sys

import support
from support import MYDAEMON, ScratchTestCase


class CliTest(ScratchTestCase):

    def setUp(self):
        super().setUp()
        self.pidfile = self.path("my.pid")

    def cli(self, *args):
        return support.run_cli(sys.executable, MYDAEMON, *args, "--pidfile", self.pidfile)

    def running_pid(self):
        with open(self.pidfile) as f:
            return self.track(int(f.read()))

    def assertExit(self, result, code):
        self.assertEqual(result.returncode, code,
                         f"exit status; stdout {result.stdout!r}, stderr {result.stderr!r}")

    def test_a_whole_life(self):
        self.assertExit(self.cli("status"), 3)
        started = self.cli("start")
        self.assertExit(started, 0)
        self.assertEqual((started.stdout, started.stderr), ("", ""), "silent success")
        pid = self.running_pid()
        status = self.cli("status")
        self.assertExit(status, 0)
        self.assertIn(f"running as pid {pid}", status.stdout)

        second = self.cli("start")
        self.assertExit(second, 1)
        self.assertRegex(second.stderr,
                         rf"^mydaemon: fatal: unable to lock .*: already running as pid {pid}\n$")

        self.assertExit(self.cli("stop"), 0)
        self.assertEqual(support.wait_exit(pid), 0)
        self.assertFalse(os.path.exists(self.pidfile))
        self.assertExit(self.cli("status"), 3)
        again = self.cli("stop")
        self.assertExit(again, 0)
        self.assertIn("not running", again.stderr)

    def test_stale_pidfile(self):
        with open(self.pidfile, "w") as f:
            f.write("1234/n")
        status = self.cli("status")
        self.assertExit(status, 1)
        self.assertIn("stale", status.stdout)
        self.assertExit(self.cli("start"), 0)
        pid = self.running_pid()
        self.assertExit(self.cli("status"), 0)
        self.assertExit(self.cli("stop"), 0)
        support.wait_exit(pid)

    def test_restart(self):
        self.assertExit(self.cli("restart"), 0)     # when stopped: a start
        first = self.running_pid()
        self.assertExit(self.cli("restart"), 0)
        second = self.running_pid()
        self.assertNotEqual(first, second)
        self.assertEqual(support.wait_exit(first), 0)
        self.assertTrue(support.is_alive(second))

    def test_foreground(self):
        proc = subprocess.Popen(
            [sys.executable, MYDAEMON, "start", "--foreground", "--pidfile", self.pidfile],
            stderr=subprocess.PIPE, text=True)
        self.track(proc.pid)
        try:
            # LOG_PERROR copies each syslog line to stderr: the started line
            # comes once the pidfile is written.
            line = proc.stderr.readline()
            self.assertEqual(line, f"mydaemon[{proc.pid}]: started; pidfile {self.pidfile}\n")
            with open(self.pidfile) as f:
                self.assertEqual(f.read(), f"{proc.pid}\n")
            proc.send_signal(signal.SIGHUP)
            self.assertEqual(proc.stderr.readline(),
                             f"mydaemon[{proc.pid}]: reopened the log on SIGHUP\n")
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(support.TIMEOUT), 0)
            self.assertEqual(proc.stderr.read(), f"mydaemon[{proc.pid}]: stopping on SIGTERM\n"
                                                 f"mydaemon[{proc.pid}]: stopped\n")
            self.assertFalse(os.path.exists(self.pidfile))
        finally:
            proc.stderr.close()

    def test_usage_error(self):
        result = support.run_cli(sys.executable, MYDAEMON, "frobnicate")
        self.assertExit(result, 2)
        self.assertIn("usage:", result.stderr)

    def test_refused_start_reports_why(self):
        result = support.run_cli(sys.executable, MYDAEMON, "start",
                                 "--pidfile", self.path("missing/my.pid"))
        self.assertExit(result, 1)
        self.assertRegex(result.stderr, r"^mydaemon: fatal: unable to create pidfile "
                                        r".*missing/my.pid: No such file or directory\n$")
        self.assertEqual(support.await_children(), set(), "refused daemon gone")
