#!/usr/bin/env python3
"""The marks of `checker --trace`, end to end: each failed check tied to the
event (or the process) that explains it (checker/trace_explain*.c).

Runs `checker --trace --format json` on zoo daemons, one per kind of
failure, on the seed as published and on the correct daemon, and asserts,
for every check that failed or warned, that the JSON trace carries its ID
on an event of the expected kind done by a process of the expected role
(trace_json.c writes "check" and "why" on a marked event, and an
{"event": "note"} entry for a mark on a process or a launch); that no
check that passed is marked; that every mark has a sentence; and that the
correct daemon gets no mark at all.

    run.py --checker checker/checker --zoo tests/zoo/bin --seed skeleton/c/steps/bin/seed-as-published
           [--jobs N] [--show] [--only NAME]

--show prints every mark (check, event, role, sentence): what a student
would read. As root, every checker runs in a PID namespace of its own
(unshare --pid --fork --mount-proc), as the zoo's own runner does; the
cases marked dangerous skip when none can be made. Prints one line per
case (ok / FAIL / skip) and "N passed, M failed".
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile

# name, checker options, command ({bin}, {seed}; {pidfile} is the
# checker's), {check: [(event, role), ...]} with every failed or warned
# check listed (the mark must be on one of the pairs given; role None: a
# mark on a whole launch), dangerous (runs only in a PID namespace as root)
CASES = [
    ("correct", [], ["{bin}/correct", "{pidfile}"], {}, False),
    ("seed-as-published", ["--timeout", "1"], ["{seed}"], {
        "not-session-leader": [("setsid", "daemon")],
        "no-inherited-fds": [("note", "daemon")],
        "signals-reset": [("note", "daemon")],
        "stdio-open": [("close", "daemon")],
        "single-instance": [("exit", "second start")],
        "no-leftovers": [("checker", "checker")],
    }, False),
    ("exits-immediately", [], ["{bin}/exits-immediately", "{pidfile}"], {
        "launcher-exits": [("exit", "launcher")],
        "daemon-running": [("exit", "launcher")],
        "pidfile-exists": [("exit", "launcher")],
    }, False),
    ("launcher-fails", [], ["{bin}/launcher-fails", "{pidfile}"], {
        "launcher-exits": [("exit", "launcher")],
        "daemon-running": [("exit", "intermediate")],
        "pidfile-exists": [("exit", "launcher")],
    }, False),
    ("dies-after-ready", [], ["{bin}/dies-after-ready", "{pidfile}"], {
        "daemon-running": [("exit", "intermediate")],
    }, False),
    ("never-detaches", ["--timeout", "1"], ["{bin}/never-detaches", "{pidfile}"], {
        "launcher-exits": [("note", "daemon")],
        "no-ctty": [("note", "daemon")],
        "new-session": [("note", "daemon")],
        "survives-hangup": [("exit", "daemon")],
    }, True),
    ("no-setsid", [], ["{bin}/no-setsid", "{pidfile}"], {
        "no-ctty": [("note", "daemon")],
        "new-session": [("note", "daemon")],
        "survives-hangup": [("exit", "daemon")],
    }, False),
    ("setpgid-only", [], ["{bin}/setpgid-only", "{pidfile}"], {
        "no-ctty": [("setpgid", "intermediate")],
        "new-session": [("setpgid", "intermediate")],
    }, False),
    ("no-second-fork", [], ["{bin}/no-second-fork", "{pidfile}"], {
        "not-session-leader": [("setsid", "daemon")],
    }, False),
    ("wrong-cwd", [], ["{bin}/wrong-cwd", "{pidfile}"], {
        "cwd": [("note", "daemon")],
    }, False),
    ("correct-expected-cwd-tmp", ["--cwd", "/tmp"], ["{bin}/correct", "{pidfile}"], {
        "cwd": [("chdir", "daemon")],
    }, False),
    ("wrong-umask", [], ["{bin}/wrong-umask", "{pidfile}"], {
        "umask": [("note", "daemon")],
    }, False),
    ("correct-expected-umask-077", ["--umask", "077"], ["{bin}/correct", "{pidfile}"], {
        "umask": [("umask", "daemon")],
    }, False),
    ("stdio-open", [], ["{bin}/stdio-open", "{pidfile}"], {
        "stdio": [("note", "daemon")],
    }, False),
    ("stdio-closed-reused", [], ["{bin}/stdio-closed-reused", "{pidfile}"], {
        "stdio": [("open", "daemon")],
        "stdio-open": [("close", "daemon")],
    }, False),
    ("stdio-data-files", [], ["{bin}/stdio-data-files", "{pidfile}"], {
        "stdio": [("close", "daemon"), ("open", "daemon")],
    }, False),
    ("keeps-inherited-fds", [], ["{bin}/keeps-inherited-fds", "{pidfile}"], {
        "no-inherited-fds": [("note", "daemon")],
    }, False),
    ("signals-not-reset", [], ["{bin}/signals-not-reset", "{pidfile}"], {
        "signals-reset": [("note", "daemon")],
    }, False),
    ("zombie-maker", ["--timeout", "1"], ["{bin}/zombie-maker", "{pidfile}"], {
        "no-zombies": [("exit", "worker")],
    }, False),
    ("pidfile-late", [], ["{bin}/pidfile-late", "{pidfile}"], {
        "pidfile-exists": [("open", "daemon")],
    }, False),
    ("pidfile-no-newline", [], ["{bin}/pidfile-no-newline", "{pidfile}"], {
        "pidfile-content": [("pidfile-write", "daemon")],
    }, False),
    ("pidfile-wrong-pid", [], ["{bin}/pidfile-wrong-pid", "{pidfile}"], {
        "pidfile-content": [("pidfile-write", "daemon")],
        "stale-pidfile": [("pidfile-write", "daemon")],
    }, False),
    ("pidfile-world-writable", [], ["{bin}/pidfile-world-writable", "{pidfile}"], {
        "pidfile-safe": [("open", "daemon")],
    }, False),
    ("pidfile-symlink", [], ["{bin}/pidfile-symlink", "{pidfile}"], {
        "pidfile-safe": [("note", None)],
    }, False),
    ("pidfile-unlocked", [], ["{bin}/pidfile-unlocked", "{pidfile}"], {
        "pidfile-locked": [("open", "daemon")],
    }, False),
    ("stale-blocks", [], ["{bin}/stale-blocks", "{pidfile}"], {
        "stale-pidfile": [("exit", "launcher")],
    }, False),
    ("keeps-pidfile", [], ["{bin}/keeps-pidfile", "{pidfile}"], {
        "pidfile-removed": [("exit", "daemon")],
    }, False),
    ("ignores-sigterm", ["--timeout", "1"], ["{bin}/ignores-sigterm", "{pidfile}"], {
        "stops-on-sigterm": [("sigaction", "daemon")],
    }, True),
    ("leaves-child", [], ["{bin}/leaves-child", "{pidfile}"], {
        "no-leftovers": [("checker", "checker")],
    }, True),
    ("no-single-instance", ["--timeout", "1"], ["{bin}/no-single-instance", "{pidfile}"], {
        "single-instance": [("lock", "daemon")],
        "no-leftovers": [("checker", "checker")],
    }, True),
    ("hostile-pid1", [], ["{bin}/hostile-pid1", "{pidfile}"], {
        "pidfile-content": [("pidfile-write", "daemon")],
        "stale-pidfile": [("pidfile-write", "daemon")],
    }, True),
    ("stop-command-fails", ["--stop-command", "false"], ["{bin}/correct", "{pidfile}"], {
        "stops-on-sigterm": [("exit", "stop command")],
        "stop-command": [("exit", "stop command")],
    }, False),
    ("stop-command-stale-pid", ["--stop-command", "kill $(cat {pidfile})"],
     ["{bin}/pidfile-wrong-pid", "{pidfile}"], {
        "pidfile-content": [("pidfile-write", "daemon")],
        "stale-pidfile": [("pidfile-write", "daemon")],
        "stops-on-sigterm": [("kill", "stop command")],
        "stop-command": [("kill", "stop command")],
    }, False),
    ("stop-command-signals-nothing", ["--stop-command", "true"], ["{bin}/correct", "{pidfile}"], {
        "stops-on-sigterm": [("exit", "stop command")],
    }, False),
    ("stop-command-leaves", ["--stop-command", "{bin}/correct {pidfile} stop; sleep 30 &"],
     ["{bin}/correct", "{pidfile}"], {
        "stop-command": [("checker", "checker"), ("note", "stop command")],
    }, False),
    ("ns-forks-away", ["--profile", "new-style", "--timeout", "1"], ["{bin}/ns-forks-away"], {
        "stays-foreground": [("exit", "launcher")],
        "notify-ready": [("note", "service")],
    }, False),
    ("ns-notify-from-child", ["--profile", "new-style", "--timeout", "1"],
     ["{bin}/ns-notify-from-child"], {
        "notify-ready": [("note", "worker")],
    }, False),
    ("ns-abstract-as-path", ["--profile", "new-style", "--notify-socket", "abstract",
                             "--timeout", "1"], ["{bin}/ns-abstract-as-path"], {
        "notify-ready": [("note", "service")],
        "notify-stopping": [("exit", "service")],
    }, False),
    ("ns-no-stopping", ["--profile", "new-style"], ["{bin}/ns-no-stopping"], {
        "notify-stopping": [("exit", "service")],
    }, False),
    ("ns-dies-on-sighup", ["--profile", "new-style"], ["{bin}/ns-dies-on-sighup"], {
        "reload-on-sighup": [("exit", "service")],
    }, False),
    ("ns-reload-no-monotonic", ["--profile", "new-style"], ["{bin}/ns-reload-no-monotonic"], {
        "reload-on-sighup": [("checker", "checker")],
    }, False),
    ("ns-binds-own-socket", ["--profile", "new-style", "--socket-activation"],
     ["{bin}/ns-binds-own-socket"], {
        "notify-ready": [("note", "service")],
        "socket-activation": [("note", "service")],
    }, False),
    ("ns-no-watchdog", ["--profile", "new-style", "--watchdog", "300"], ["{bin}/ns-no-watchdog"], {
        "watchdog": [("note", "service")],
    }, False),
    ("ns-watchdog-from-child", ["--profile", "new-style", "--watchdog", "300"],
     ["{bin}/ns-watchdog-from-child"], {
        "watchdog": [("note", "worker")],
    }, False),
    ("ns-stdio-devnull", ["--profile", "new-style"], ["{bin}/ns-stdio-devnull"], {
        "logs-to-stderr": [("dup", "service")],
    }, False),
    ("ns-ignores-sigterm", ["--profile", "new-style", "--timeout", "1"],
     ["{bin}/ns-ignores-sigterm"], {
        "stops-on-sigterm": [("sigaction", "service")],
    }, True),
]


def namespace_usable():
    try:
        r = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10)
        return r.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def marks_of(trace):
    """Every (check, event, role, why) the trace carries."""
    out = []
    for e in trace:
        for check in e.get("check", []):
            out.append((check, e.get("event"), e.get("role"), e.get("why", {}).get(check, "")))
    return out


def problems_of(report, expected):
    checks = {c["id"]: c["status"] for c in report.get("checks", [])}
    failed = {cid for cid, st in checks.items() if st in ("fail", "warn")}
    marks = marks_of(report.get("trace", []))
    problems = []
    for cid in sorted(failed - set(expected)):
        problems.append(f"{cid} {checks[cid]}ed, which this case does not expect")
    for cid in sorted(set(expected) - failed):
        problems.append(f"{cid} expected to fail, but {checks.get(cid, 'absent')}")
    for cid, event, role, why in marks:
        if cid not in failed:
            problems.append(f"{cid} ({checks.get(cid, 'no such check')}) marked on {event}/{role}")
        elif not why:
            problems.append(f"{cid}: a mark on {event}/{role} without a sentence")
    for cid in sorted(failed & set(expected)):
        mine = [(event, role) for c, event, role, _ in marks if c == cid]
        if not mine:
            problems.append(f"{cid}: no mark; expected one on {expected[cid]}")
        elif not any(m in expected[cid] for m in mine):
            problems.append(f"{cid}: marked on {mine}, expected one of {expected[cid]}")
    return problems, marks


def run_case(case, args, namespace):
    name, opts, command, expected, dangerous = case
    if dangerous and os.geteuid() == 0 and not namespace:
        return "skip", f"{name} (root, and no PID namespace: unshare --pid --fork --mount-proc)", []
    subst = {"{bin}": args.zoo, "{seed}": args.seed}

    def fill(word):
        for k, v in subst.items():
            word = word.replace(k, v)
        return word
    argv = [args.checker, "--trace", "--format", "json"] + [fill(o) for o in opts] + ["--"] + \
        [fill(c) for c in command]
    if namespace:
        argv = ["unshare", "--pid", "--fork", "--mount-proc"] + argv
    with tempfile.TemporaryDirectory(prefix="explain-") as tmp:
        try:
            r = subprocess.run(argv, cwd=tmp, capture_output=True, text=True, timeout=90,
                               env=dict(os.environ, TMPDIR=tmp))
        except subprocess.TimeoutExpired:
            return "FAIL", f"{name}: the checker did not finish in 90 s", []
    try:
        report = json.loads(r.stdout)
    except ValueError:
        return "FAIL", f"{name}: no JSON report (exit {r.returncode}): {r.stderr.strip()[:200]}", []
    if r.returncode not in (0, 1):
        return "FAIL", f"{name}: exit {r.returncode}: {r.stderr.strip()[:200]}", []
    problems, marks = problems_of(report, expected)
    if problems:
        return "FAIL", f"{name}: " + "; ".join(problems), marks
    return "ok", f"{name} ({len(marks)} mark{'' if len(marks) == 1 else 's'})", marks


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--checker", default="checker/checker")
    p.add_argument("--zoo", default="tests/zoo/bin")
    p.add_argument("--seed", default="skeleton/c/steps/bin/seed-as-published")
    p.add_argument("--jobs", type=int, default=4)
    p.add_argument("--show", action="store_true", help="print every mark's sentence")
    p.add_argument("--only", action="append", help="run only this case (repeatable)")
    args = p.parse_args()
    args.checker = os.path.abspath(args.checker)
    args.zoo = os.path.abspath(args.zoo)
    args.seed = os.path.abspath(args.seed)
    for path in (args.checker, args.seed):
        if not os.access(path, os.X_OK):
            print(f"explain: {path} is missing: run make first", file=sys.stderr)
            return 2
    namespace = os.geteuid() == 0 and shutil.which("unshare") and namespace_usable()
    cases = [c for c in CASES if not args.only or c[0] in args.only]
    passed = failed = 0
    # The checkers mostly wait (settle times, timeouts): a few at once
    # keep the whole under the time make check allows it.
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda c: run_case(c, args, namespace), cases))
    for verdict, line, marks in results:
        print(f"{verdict} {line}")
        if args.show:
            for cid, event, role, why in marks:
                print(f"    {cid} <- {event}/{role}: {why}")
        passed += verdict == "ok"
        failed += verdict == "FAIL"
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
