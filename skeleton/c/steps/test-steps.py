#!/usr/bin/env python3
"""test-steps.py: run the checker over every step program and assert, for
each, the exact set of check IDs that come out "fail" or "warn" (profile
sysv), as listed in expected-checks.txt beside this file; and that each
numbered program NN-* passes `checker --step NN`, the student's view: what
it still gets wrong is all taught by later steps (checker --list says which
step turns each check green).

    python3 skeleton/c/steps/test-steps.py [--checker PATH] [NAME...]

The checker defaults to $CHECKER, else checker/checker in this repository.
When it is not built, every program is skipped with the reason. Each run
happens in its own temporary directory, removed on exit or on a signal.
Ends with "N passed, M failed" on a line of its own; exits 1 on a failure.
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
BAD = ("fail", "warn")
# A bounded fallback only: with --timeout 2 each phase of a run is bounded
# by the checker itself.
RUN_LIMIT_S = 120
# Runs at once: each run mostly waits (settle times, timeouts), not computes.
PARALLEL_RUNS = 3


def read_table(path):
    """[(name, stop, {id: reason})] in the file's order."""
    entries, current = [], None
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{path.name}:{number}"
        if not line[0].isspace():
            fields = line.split()
            if len(fields) != 2 or fields[1] not in ("signal", "command"):
                sys.exit(f"test-steps: fatal: {where}: expected 'NAME signal|command'")
            current = (fields[0], fields[1], {})
            entries.append(current)
            continue
        if current is None:
            sys.exit(f"test-steps: fatal: {where}: an ID line before any program line")
        fields = line.split(None, 1)
        if fields == ["-"]:
            continue
        if len(fields) != 2 or fields[0] in current[2]:
            sys.exit(f"test-steps: fatal: {where}: expected 'ID reason', once per ID")
        current[2][fields[0]] = fields[1]
    return entries


def programs_built(bin_dir):
    return sorted(p.name for p in bin_dir.iterdir()
                  if p.is_file() and os.access(p, os.X_OK) and p.suffix != ".o")


def checker_steps(checker):
    """{check ID: the tutorial step that turns it green}, from --list."""
    done = subprocess.run([str(checker), "--list", "--format", "json"],
                          capture_output=True, text=True, check=True)
    return {c["id"]: c["step"] for c in json.loads(done.stdout)["checks"]}


def step_of(name):
    """N for a numbered program NN-name, else None."""
    head = name.split("-", 1)[0]
    return int(head) if head.isdigit() else None


def run_checker(checker, program, stop, scratch, step=None):
    argv = [str(checker), "--format", "json", "--timeout", "2"]
    if step is not None:
        argv += ["--step", str(step)]
    if stop == "command":
        argv += ["--stop-command", f"{program} stop {{pidfile}}"]
    argv += ["--", str(program), "start", "{pidfile}"]
    with subprocess.Popen(argv, cwd=scratch, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as checker_run:
        try:
            out, err = checker_run.communicate(timeout=RUN_LIMIT_S)
        except BaseException:
            # SIGTERM, not SIGKILL: the checker then still ends every
            # process the candidate started, as it promises.
            checker_run.terminate()
            checker_run.communicate()
            raise
    return subprocess.CompletedProcess(argv, checker_run.returncode, out, err)


def read_checks(done):
    """(checks of a JSON report, None) or (None, the problem)."""
    if done.returncode not in (0, 1):
        return None, f"the checker exited {done.returncode}: {done.stderr.strip()}"
    try:
        return json.loads(done.stdout)["checks"], None
    except (ValueError, KeyError, TypeError) as err:
        return None, f"unreadable JSON report ({err}): {done.stdout[:200]!r}"


def judge(name, expected, done):
    """A list of the differences between the table and one checker run."""
    checks, why = read_checks(done)
    if checks is None:
        return [why]
    by_id = {c["id"]: c for c in checks}
    problems = [f"{i}: not a check ID of this checker (typo in the table?)"
                for i in expected if i not in by_id]
    got = {i for i, c in by_id.items() if c["status"] in BAD}
    for i in sorted(got - set(expected)):
        c = by_id[i]
        problems.append(f"{i}: expected pass or skip, got {c['status']}: "
                        f"observed {c.get('observed')!r}; {c.get('message')}")
    for i in sorted(set(expected) & set(by_id) - got):
        c = by_id[i]
        problems.append(f"{i}: expected fail or warn ({expected[i]}), got {c['status']}: "
                        f"observed {c.get('observed')!r}; {c.get('message')}")
    must_exit = 1 if any(c["status"] == "fail" for c in checks) else 0
    if done.returncode != must_exit:
        problems.append(f"the checker exited {done.returncode}, but its report "
                        f"calls for {must_exit}")
    return problems


def judge_step(step, expected, steps, done):
    """The differences between `--step N` and what the table implies: no
    failure at all, and no ID of the table taught at step N or before."""
    checks, why = read_checks(done)
    if checks is None:
        return [why]
    problems = [f"--step {step}: {c['id']} is {c['status']} (observed {c.get('observed')!r}; "
                f"{c.get('message')})" for c in checks if c["status"] == "fail"]
    problems += [f"{i} is in the table, but checker --list puts it at step {steps[i]}: "
                 f"a step-{step} program must not fail it" for i in expected
                 if i in steps and steps[i] <= step]
    if done.returncode != 0:
        problems.append(f"--step {step}: the checker exited {done.returncode}")
    return problems


def check_program(args, steps, scratch, entry):
    """The problems found with one program of the table (empty: it is ok)."""
    name, stop, expected = entry
    program = (args.bin / name).resolve()
    if not os.access(program, os.X_OK):
        return [f"{program} is not built"]
    if any(ch.isspace() for ch in str(program)):
        return [f"{program}: a path with a space cannot go into --stop-command"]
    try:
        problems = judge(name, expected, run_checker(args.checker, program, stop, scratch))
        step = step_of(name)
        if step is not None:
            problems += judge_step(step, expected, steps,
                                   run_checker(args.checker, program, stop, scratch, step))
    except subprocess.TimeoutExpired:
        problems = [f"the checker did not finish within {RUN_LIMIT_S} s"]
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checker", type=Path,
                        default=Path(os.environ.get("CHECKER", ROOT / "checker" / "checker")))
    parser.add_argument("--bin", type=Path, default=HERE / "bin")
    parser.add_argument("--table", type=Path, default=HERE / "expected-checks.txt")
    parser.add_argument("names", nargs="*", help="only these programs")
    args = parser.parse_args()

    table = read_table(args.table)
    if args.names:
        table = [e for e in table if e[0] in args.names]
    passed = failed = 0

    if not os.access(args.checker, os.X_OK):
        for name, _, _ in table:
            print(f"skip {name}: the checker is not built ({args.checker}: not found "
                  f"or not executable; run make)")
        print(f"{passed} passed, {failed} failed")
        return 0

    if not args.names:
        listed = {e[0] for e in table}
        for name in programs_built(args.bin):
            if name not in listed:
                print(f"FAIL {name}: built, but has no entry in {args.table.name}")
                failed += 1

    steps = checker_steps(args.checker)
    scratch = tempfile.mkdtemp(prefix="test-steps.")
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda s, _f: sys.exit(128 + s))
    try:
        with concurrent.futures.ThreadPoolExecutor(PARALLEL_RUNS) as pool:
            found = pool.map(lambda e: check_program(args, steps, scratch, e), table)
            for (name, _, expected), problems in zip(table, found):
                if problems:
                    failed += 1
                    print(f"FAIL {name}")
                    for p in problems:
                        print(f"    {p}")
                else:
                    passed += 1
                    print(f"ok   {name}: fail or warn: {' '.join(expected) or 'none'}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
