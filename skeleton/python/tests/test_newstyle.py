"""test_newstyle.py: the twin's new-style mode, `mydaemon.py run`, under a
service manager played by the test (the cases of newstyle_cases.py, shared
with the C daemon), and the units of its own protocol modules, sdnotify.py
and listenfds.py."""

import errno
import os
import socket
import sys
import unittest

import support
from newstyle_cases import NewStyleCases
from support import MYDAEMON, PYTHON_DIR

import listenfds    # noqa: E402  (support put the twin's directory on the path)
import sdnotify     # noqa: E402


class PythonRunTest(NewStyleCases, support.ScratchTestCase):
    """The cases, on `python3 mydaemon.py run`."""

    units_dir = os.path.join(PYTHON_DIR, "systemd")
    installed = {"/usr/local/lib/mydaemon/mydaemon.py": MYDAEMON,
                 "/usr/bin/python3": sys.executable}

    def program(self, *args):
        return [sys.executable, MYDAEMON, "run", *args]


class NotifyAddressTest(unittest.TestCase):

    def test_unset_or_empty_means_no_manager(self):
        self.assertIsNone(sdnotify.parse_address(None))
        self.assertIsNone(sdnotify.parse_address(""))
        sdnotify.Notifier("").send("READY=1")   # a no-op, no error

    def test_path_stays_a_path(self):
        self.assertEqual(sdnotify.parse_address("/run/systemd/notify"), "/run/systemd/notify")

    def test_abstract_name_gets_a_nul_and_no_more(self):
        self.assertEqual(sdnotify.parse_address("@foo/bar"), b"\0foo/bar")

    def test_other_forms_are_refused(self):
        for value in ("vsock:2:1234", "relative/path"):
            with self.assertRaises(OSError) as cm:
                sdnotify.parse_address(value)
            self.assertEqual(cm.exception.errno, errno.EAFNOSUPPORT)

    def test_too_long_is_refused(self):
        sdnotify.parse_address("/" + "x" * 107)
        with self.assertRaises(OSError) as cm:
            sdnotify.parse_address("/" + "x" * 108)
        self.assertEqual(cm.exception.errno, errno.ENAMETOOLONG)

    def test_one_datagram_to_an_abstract_name(self):
        name = f"daemon-kit/test-sdnotify/{os.getpid()}"
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as receiver:
            receiver.bind(b"\0" + name.encode())
            notifier = sdnotify.Notifier("@" + name)
            try:
                notifier.send("READY=1", "STATUS=serving")
                notifier.reloading("STATUS=reloading")
            finally:
                notifier.close()
            self.assertEqual(receiver.recv(4096), b"READY=1\nSTATUS=serving")
            lines = receiver.recv(4096).decode().split("\n")
        self.assertEqual(lines[0], "RELOADING=1")
        self.assertRegex(lines[1], r"^MONOTONIC_USEC=[0-9]+$")
        self.assertEqual(lines[2], "STATUS=reloading")

    def test_a_missing_socket_is_an_error_not_a_crash(self):
        notifier = sdnotify.Notifier(os.path.join("/nonexistent", str(os.getpid())))
        try:
            with self.assertRaises(OSError):
                notifier.send("READY=1")
        finally:
            notifier.close()


class WatchdogRulesTest(unittest.TestCase):

    def test_rules(self):
        me = os.getpid()
        self.assertIsNone(sdnotify.watchdog_usec(None, None, me))
        self.assertEqual(sdnotify.watchdog_usec("200000", None, me), 200000)
        self.assertEqual(sdnotify.watchdog_usec("200000", str(me), me), 200000)
        self.assertIsNone(sdnotify.watchdog_usec("200000", str(me + 1), me))
        for usec, pid in (("0", None), ("-5", None), ("2e5", None), (" 1", None),
                          ("100", "x"), ("100", "0")):
            with self.assertRaises(ValueError, msg=(usec, pid)):
                sdnotify.watchdog_usec(usec, pid, me)


class ListenFdsTest(unittest.TestCase):

    def test_rules(self):
        me = os.getpid()
        self.assertEqual(listenfds.take(None, "1", me), 0)
        self.assertEqual(listenfds.take(str(me + 1), "1", me), 0, "another process's")
        self.assertEqual(listenfds.take(str(me), None, me), 0)
        self.assertEqual(listenfds.take(str(me), "0", me), 0)
        for pid, fds in (("x", "1"), ("0", "1"), (str(me), "-1"), (str(me), "one")):
            with self.assertRaises(ValueError, msg=(pid, fds)):
                listenfds.take(pid, fds, me)

    def test_listening_stream_only(self):
        with socket.socket() as listening, socket.socket() as idle, \
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as datagram:
            listening.bind(("127.0.0.1", 0))
            listening.listen()
            sock = listenfds.listening_stream(os.dup(listening.fileno()))
            sock.close()
            for other, code in ((idle, errno.EINVAL), (datagram, errno.EPROTOTYPE)):
                fd = other.fileno()
                with self.assertRaises(OSError) as cm:
                    listenfds.listening_stream(fd)
                self.assertEqual(cm.exception.errno, code)
                os.fstat(fd)    # left open
        r, w = os.pipe()
        try:
            with self.assertRaises(OSError) as cm:
                listenfds.listening_stream(r)
            self.assertEqual(cm.exception.errno, errno.ENOTSOCK)
            os.fstat(r)
        finally:
            os.close(r)
            os.close(w)
