#!/usr/bin/env python3
"""newstyle.py: `skeleton/c/mydaemon run` under a service manager played by
the test: the cases of skeleton/python/tests/newstyle_cases.py (the same
ones the Python twin passes), then whole runs under valgrind.

    python3 -B skeleton/c/tests/newstyle.py [PATTERN...]

Prints one line per test (ok / FAIL with the details / skip with the
reason) and ends with "N passed, M failed"; exits 1 on any failure. The
runner is a child subreaper: a process that a test left behind is a
failure of its own, then killed.
"""

import os
import shlex
import shutil
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "skeleton", "python", "tests"))

import manager  # noqa: E402  (the path above)
import support  # noqa: E402
from newstyle_cases import HOOK_SCRIPT, NewStyleCases  # noqa: E402

MYDAEMON = os.path.join(ROOT, "skeleton", "c", "mydaemon")
VALGRIND_TIMEOUT = 60.0


class CRunTest(NewStyleCases, support.ScratchTestCase):
    """The shared cases, on `mydaemon run`."""

    units_dir = os.path.join(ROOT, "skeleton", "c", "systemd")
    installed = {"/usr/local/bin/mydaemon": MYDAEMON}

    def program(self, *args):
        return [MYDAEMON, "run", *args]


class CValgrindTest(support.ScratchTestCase):
    """A whole life of `mydaemon run` under valgrind: READY, a connection,
    a reload with its hook, SIGTERM. No error, no leak, and only the
    standard descriptors left at the exit."""

    def setUp(self):
        super().setUp()
        self.valgrind = shutil.which("valgrind")
        if not self.valgrind:
            self.skipTest("valgrind is not installed")

    def life_under_valgrind(self, listen):
        hook = os.path.join(self.dir, "hook.py")
        with open(hook, "w") as f:
            f.write(HOOK_SCRIPT)
        argv = [self.valgrind, "--track-fds=yes", "--leak-check=full",
                "--errors-for-leak-kinds=definite,indirect,possible", "--error-exitcode=99",
                # Its report on the service's stderr, which the manager reads:
                # a log file opened at start-up would count among the
                # service's descriptors at the exit.
                "--log-fd=2", MYDAEMON, "run", "--port", "0",
                "--reload-hook", shlex.join([sys.executable, hook])]
        m = manager.Manager(self.dir)
        self.addCleanup(m.close)
        service = m.start(argv, listen=listen, watchdog_usec=None if listen is None else 200000)
        self.addCleanup(service.kill)
        ready = m.wait_for(service, "READY", "1", timeout=VALGRIND_TIMEOUT)
        address = listen.getsockname() if listen else manager.serving_address(ready)
        self.assertEqual(manager.fetch_line(address, VALGRIND_TIMEOUT), "hello from mydaemon\n")
        service.signal(manager.signal.SIGHUP)
        m.wait_for(service, "RELOADING", "1", timeout=VALGRIND_TIMEOUT)
        m.wait_for(service, "READY", "1", timeout=VALGRIND_TIMEOUT)
        service.wait_output("exited with status 0", timeout=VALGRIND_TIMEOUT)
        service.signal(manager.signal.SIGTERM)
        code = service.wait_exit(VALGRIND_TIMEOUT)
        report = service.output
        self.assertEqual(code, 0, f"exit status (99: valgrind found errors)\n{report}")
        self.assertIn("ERROR SUMMARY: 0 errors", report)
        self.assertIn("All heap blocks were freed", report)
        self.assertIn("FILE DESCRIPTORS: 3 open (3 std) at exit.", report)

    def test_socket_activated_life_under_valgrind(self):
        listener = manager.tcp_listener()
        self.addCleanup(listener.close)
        self.life_under_valgrind(listener)

    def test_own_socket_life_under_valgrind(self):
        self.life_under_valgrind(None)


class LineResult(unittest.TestResult):
    """One line per test, as the kit's end-to-end runners print them."""

    def __init__(self):
        super().__init__()
        self.passed = 0
        self.failed = 0

    @staticmethod
    def name(test):
        return f"{type(test).__name__}.{test._testMethodName}"

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed += 1
        print(f"ok    {self.name(test)}", flush=True)

    def _fail(self, test, err):
        self.failed += 1
        print(f"FAIL  {self.name(test)}", flush=True)
        for line in self._exc_info_to_string(err, test).rstrip().splitlines():
            print(f"        {line}", flush=True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._fail(test, err)

    def addError(self, test, err):
        super().addError(test, err)
        self._fail(test, err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        print(f"skip  {self.name(test)}: {reason}", flush=True)


def main(patterns):
    if not os.access(MYDAEMON, os.X_OK):
        sys.exit(f"newstyle: fatal: {MYDAEMON} is not built (run make)")
    why_not = support.become_subreaper()
    if why_not:
        print(f"note: leftover sweep limited: {why_not}", file=sys.stderr)
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    for case in (CRunTest, CValgrindTest):
        for test in loader.loadTestsFromTestCase(case):
            if not patterns or any(p in test.id() for p in patterns):
                suite.addTest(test)
    result = LineResult()
    suite.run(result)
    leftovers = support.sweep_children()
    if leftovers:
        print(f"FAIL  leftover processes after the tests: {leftovers}", flush=True)
        result.failed += 1
    if result.skipped:
        print(f"{len(result.skipped)} skipped")
    print(f"{result.passed} passed, {result.failed} failed", flush=True)
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
