#!/usr/bin/env python3
"""run.py: runs the Python twin's tests (test_*.py here) and ends with the
line "N passed, M failed"; exits 1 on any failure.

    python3 skeleton/python/tests/run.py [-v] [PATTERN...]

PATTERNs select tests whose id contains one of them. A skipped test is not
counted; its reason is printed. The runner is a child subreaper: after the
tests, any process they left running is a failure of its own (then killed).
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import support  # noqa: E402  (needs the path above)


class CountingResult(unittest.TextTestResult):
    """Counts each test (and each failing subtest) once, as passed or failed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.failed_ids = set()
        self.passed = 0

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed += 1

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.failed_ids.add(test.id())

    def addError(self, test, err):
        super().addError(test, err)
        self.failed_ids.add(test.id())

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self.failed_ids.add(test.id())

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        print(f"SKIP {test.id()}: {reason}", file=self.stream, flush=True)


def select(suite, patterns):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from select(item, patterns)
        elif not patterns or any(p in item.id() for p in patterns):
            yield item


def main(argv):
    verbosity = 2 if "-v" in argv else 1
    patterns = [a for a in argv if a != "-v"]
    why_not = support.become_subreaper()
    if why_not:
        print(f"note: leftover sweep limited: {why_not}", file=sys.stderr)
    loader = unittest.TestLoader()
    suite = unittest.TestSuite(select(loader.discover(support.TESTS_DIR), patterns))
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=verbosity,
                                     resultclass=CountingResult)
    result = runner.run(suite)
    # unittest reports no success for a test one of whose subtests failed
    passed = result.passed
    failed = len(result.failed_ids)
    leftovers = support.sweep_children()
    if leftovers:
        print(f"FAIL leftover processes after the tests: {leftovers}", flush=True)
        failed += 1
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
