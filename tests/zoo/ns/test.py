#!/usr/bin/env python3
"""The new-style zoo's own test: every --profile new-style case of
expect-lines.txt run under harness.py, which must see exactly the expected
checks fail (or warn) and give the expected exit status; each run must leave
no process and no temporary directory behind; and, over all cases, each
new-style check must be failed by one case and passed by another.

Classic-profile lines are the checker's to judge (tests/zoo/run.py) and are
skipped here. Prints one line per case and "N passed, M failed".

Usage: test.py [--bin DIR] [--expect FILE] [-v] [CASE...]
"""

import argparse
import os
import shlex
import sys

sys.dont_write_bytecode = True
import harness  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
NEW_STYLE_IDS = ["stays-foreground", "notify-ready", "notify-stopping", "reload-on-sighup",
                 "socket-activation", "watchdog", "logs-to-stderr"]


class Case:
    def __init__(self, line_no, line):
        fields = [f.strip() for f in line.split("|")]
        if len(fields) != 6:
            raise ValueError(f"line {line_no}: {len(fields)} fields, not 6")
        self.name, options, command, failed, status, flags = fields
        self.options = shlex.split(options)
        self.command = shlex.split(command)
        self.failed = set() if failed == "-" else set(failed.split())
        self.exit = int(status)
        self.skips = None
        for flag in flags.split():
            if flag.startswith("skips:"):
                self.skips = set(flag[len("skips:"):].split(","))


def read_cases(path):
    with open(path, encoding="utf-8") as f:
        return [Case(n, line) for n, line in enumerate(f, 1)
                if line.strip() and not line.lstrip().startswith("#")]


def harness_args(case, bin_dir):
    """The case's checker options, as the harness takes them; None when the
    case is not a new-style one."""
    if "--profile" not in case.options or \
            case.options[case.options.index("--profile") + 1] != "new-style":
        return None
    command = [a.replace("{bin}", bin_dir) for a in case.command]
    return harness.parse_args(case.options + ["--"] + command)


def problems_of(case, run):
    problems = []
    got = run.failed()
    if got != case.failed:
        problems.append(f"failed: expected {sorted(case.failed) or '-'} got {sorted(got) or '-'}")
    if run.exit_status() != case.exit:
        problems.append(f"exit: expected {case.exit} got {run.exit_status()}")
    if case.skips is not None:
        expected = case.skips & set(harness.CHECKS)
        skipped = {c for c, (s, _) in run.verdicts.items() if s == "skip"}
        if skipped != expected:
            problems.append(f"skipped: expected {sorted(expected)} got {sorted(skipped)}")
    if os.path.exists(run.tmpdir):
        problems.append(f"{run.tmpdir} left behind")
    left = harness.descendants(os.getpid())
    if left:
        problems.append(f"processes left running: {sorted(left)}")
    return problems


def coverage(seen):
    problems = []
    for check in NEW_STYLE_IDS:
        statuses = [v[check][0] for v in seen.values()]
        if "fail" not in statuses:
            problems.append(f"{check} failed by no case")
        if "pass" not in statuses:
            problems.append(f"{check} passed by no case")
    return problems


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin", default=os.path.join(HERE, "..", "bin"))
    p.add_argument("--expect", default=os.path.join(HERE, "expect-lines.txt"))
    p.add_argument("-v", "--verbose", action="store_true", help="show what the harness saw")
    p.add_argument("cases", nargs="*")
    args = p.parse_args()
    bin_dir = os.path.abspath(args.bin)
    if not os.access(os.path.join(bin_dir, "ns-correct"), os.X_OK):
        print(f"skip zoons: the new-style zoo is not built ({bin_dir}); run make first")
        print("0 passed, 0 failed")
        return 0

    harness.become_subreaper()
    cases = read_cases(args.expect)
    if args.cases:
        cases = [c for c in cases if c.name in args.cases]
    passed = failed = 0
    seen = {}
    for case in cases:
        opts = harness_args(case, bin_dir)
        if opts is None:
            print(f"skip {case.name} (a classic-profile case: the checker's own, tests/zoo/run.py)")
            continue
        run = harness.Run(opts.command, **harness.run_options(opts)).execute()
        seen[case.name] = run.verdicts
        problems = problems_of(case, run)
        if problems:
            failed += 1
            print(f"FAIL {case.name}: " + "; ".join(problems))
        else:
            passed += 1
            print(f"ok {case.name}")
        if problems or args.verbose:
            harness.print_run(run)
        sys.stdout.flush()
    if not args.cases:
        problems = coverage(seen)
        if problems:
            failed += 1
            print("FAIL coverage: " + "; ".join(problems))
        else:
            passed += 1
            print("ok coverage: every new-style check failed by one case and passed by another")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
