#!/usr/bin/env python3
"""End-to-end test of the checker on the zoo (tests/zoo/expect.txt).

For every case: run the checker with --format json on a zoo daemon, and
check that the report has exactly the contract's shape (every check ID
once, in order), that the set of checks that failed or warned and the exit
status are the expected ones, that the checker removed its scratch
directory, that it signalled no one outside the candidate (witness.c), and
that no zoo process is left running. Finally, from the results actually
seen, check that every check ID was failed by some case and passed by
another: a check that nothing fails is a defect.

Usage: run.py [--checker PATH] [--bin DIR] [--expect FILE] [-v]
              [--settle MS] [--jobs N] [--load N] [--trace]
              [--wrap PROGRAM] [--tmpdir DIR] [--keep-failed DIR] [CASE...]
(naming cases runs only those, without the coverage check)

--settle MS, --jobs N and --load N run the same cases with every checker at
that settle time, N checkers at once, beside N busy loops: the verdicts
must be those of expect.txt, the serial default run's, since no verdict may
depend on timing. --trace runs every checker with --trace: the verdicts
must again be expect.txt's (tracing changes nothing the daemon does), and
every report carries the trace of what each process did. For tests/stress/: --wrap runs every checker under
PROGRAM (PROGRAM CHECKER ARG...), whose lines on stderr that start with its
name and a colon are problems; --tmpdir gives every checker the same TMPDIR
DIR (then the caller checks that DIR is left empty); --keep-failed writes
the argv, stdout and stderr of every failed case into DIR.
A line on stderr starting "checker: internal error" is a problem in any run.
Prints one line per case and closes with "N passed, M failed".
"""

import argparse
import concurrent.futures
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

# The contract's table, in its order.
CHECK_IDS = [
    "launcher-exits", "daemon-running", "no-ctty", "new-session",
    "not-session-leader", "survives-hangup", "cwd", "umask", "stdio",
    "no-inherited-fds", "signals-reset", "pidfile-exists", "pidfile-content",
    "pidfile-safe", "pidfile-locked", "single-instance", "stale-pidfile",
    "no-zombies", "stops-on-sigterm", "pidfile-removed", "no-leftovers",
    "stdio-open", "stop-command", "stays-foreground", "notify-ready",
    "notify-stopping", "reload-on-sighup", "socket-activation", "watchdog",
    "logs-to-stderr",
]
STATUSES = {"pass", "fail", "warn", "skip"}
FAILED = {"fail", "warn"}
REPORT_FIELDS = {"verdict", "profile", "command", "daemon", "checks", "elapsed_ms"}
# Added beside the contract's: "step" and "judged_elsewhere" with --step;
# "notify" and "journal" under new-style ("notify_not_kept" past the kept
# datagrams); "trace" with --trace.
REPORT_FIELDS_ADDED = {"step", "judged_elsewhere", "notify", "notify_not_kept", "journal",
                       "trace"}
DAEMON_FIELDS = {"pid", "sid", "pgid", "ppid", "tty_nr", "cwd", "umask", "fds", "pidfile"}
# Present when the checker saw the daemon end: {"status": N} or {"signal": NAME}.
DAEMON_FIELDS_ADDED = {"exit"}
CHECK_FIELDS = {"id", "status", "expected", "observed", "message"}
# The contract lets the report grow ("add to it freely"); the fields the
# checker adds are listed here, so that any other change of shape, a missing
# field or an unknown new one, still fails.
CHECK_FIELDS_ADDED = {"step", "seed_step"}

CASE_TIMEOUT = 120      # seconds; a fallback, a case takes one to a few
WITNESS_FAILED = 125    # witness.c's exit status for a failed testimony


class Case:
    def __init__(self, line_no, fields):
        if len(fields) != 6:
            raise ValueError(f"expect.txt:{line_no}: {len(fields)} fields, not 6")
        self.name, options, command, failed, exit_status, flags = fields
        self.options = shlex.split(options)
        self.command = shlex.split(command)
        self.failed = set() if failed == "-" else set(failed.split())
        self.exit = int(exit_status)
        self.flags = set()
        self.skips = None
        for flag in flags.split():
            if flag.startswith("skips:"):
                value = flag[len("skips:"):]
                self.skips = set() if value == "-" else set(value.split(","))
            else:
                self.flags.add(flag)
        unknown = (self.failed | (self.skips or set())) - set(CHECK_IDS)
        if unknown:
            raise ValueError(f"expect.txt:{line_no}: unknown IDs {sorted(unknown)}")
        bad = self.flags - {"ns", "usage"}
        if bad:
            raise ValueError(f"expect.txt:{line_no}: unknown flags {sorted(bad)}")

    def profile(self):
        opts = self.options
        for i, opt in enumerate(opts[:-1]):
            if opt == "--profile":
                return opts[i + 1]
        return "sysv"


def read_cases(path):
    cases = []
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cases.append(Case(line_no, [x.strip() for x in line.split("|")]))
    return cases


def fmt(ids):
    return "{" + ", ".join(sorted(ids)) + "}"


# --------------------------------------------------------------- processes

def zoo_processes(bin_dir):
    """pid -> (name, environ) of every live process whose program is in bin/."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            exe = os.readlink(f"/proc/{entry}/exe")   # zombies have none
        except OSError:
            continue
        if exe.endswith(" (deleted)"):
            exe = exe[: -len(" (deleted)")]
        if os.path.dirname(exe) != bin_dir:
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read().split(b"\0")
        except OSError:
            environ = []
        found[int(entry)] = (os.path.basename(exe), environ)
    return found


def leftovers(bin_dir, before, marker):
    """Zoo processes of this run (they carry its marker in their
    environment) born during the case: named, then killed. Zoo processes of
    anyone else, another run or a person trying a daemon, are left alone."""
    left = []
    for pid, (name, environ) in zoo_processes(bin_dir).items():
        if pid in before or marker not in environ:
            continue
        left.append(f"{name}[{pid}]")
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return left


def namespace_usable():
    try:
        r = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=30)
        return r.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


# ----------------------------------------------------------------- checks

def command_problems(command, case, argv_command):
    """The report's command is the one run, with {pidfile} substituted."""
    if not (isinstance(command, list) and command and all(isinstance(a, str) for a in command)):
        return [f"command: expected a list of strings got {command!r}"]
    problems = []
    if any("{pidfile}" in a for a in command):
        problems.append(f"command: {{pidfile}} left unsubstituted in {command!r}")
    if len(command) != len(argv_command) or \
            os.path.basename(command[0]) != os.path.basename(argv_command[0]) or \
            any(got != ran for got, ran in zip(command[1:], argv_command[1:]) if "{" not in ran):
        problems.append(f"command: expected {argv_command!r} got {command!r}")
    return problems


def checks_problems(checks):
    if not isinstance(checks, list) or not all(isinstance(c, dict) for c in checks):
        return [f"checks: expected a list of objects got {checks!r}"]
    problems = []
    missing = set().union(*(CHECK_FIELDS - set(c) for c in checks)) if checks else set()
    unknown = set().union(*(set(c) - CHECK_FIELDS - CHECK_FIELDS_ADDED for c in checks)) if checks else set()
    if missing:
        problems.append(f"checks: fields {fmt(missing)} missing")
    if unknown:
        problems.append(f"checks: fields {fmt(unknown)} not in the contract")
    for c in checks:
        if c.get("status") not in STATUSES:
            problems.append(f"check {c.get('id')!r}: status {c.get('status')!r} is not one of {fmt(STATUSES)}")
    ids = [c.get("id") for c in checks]
    if ids != CHECK_IDS:
        problems.append(f"check IDs: expected the contract's {len(CHECK_IDS)} in order got {ids}")
    return problems


def shape_problems(report, case, argv_command):
    """Everything in which the report departs from the contract's shape."""
    if not isinstance(report, dict):
        return ["the report is not a JSON object"]
    problems = []
    if not REPORT_FIELDS <= set(report) <= REPORT_FIELDS | REPORT_FIELDS_ADDED:
        problems.append(f"report fields: expected {fmt(REPORT_FIELDS)} got {fmt(report)}")
    if report.get("verdict") not in ("pass", "fail"):
        problems.append(f"verdict: expected pass or fail got {report.get('verdict')!r}")
    if report.get("profile") != case.profile():
        problems.append(f"profile: expected {case.profile()!r} got {report.get('profile')!r}")
    problems += command_problems(report.get("command"), case, argv_command)
    elapsed = report.get("elapsed_ms")
    if not isinstance(elapsed, int) or isinstance(elapsed, bool) or elapsed < 0:
        problems.append(f"elapsed_ms: expected a non-negative integer got {elapsed!r}")
    daemon = report.get("daemon")
    if not isinstance(daemon, dict) or not DAEMON_FIELDS <= set(daemon) <= DAEMON_FIELDS | DAEMON_FIELDS_ADDED:
        problems.append(f"daemon: expected an object with {fmt(DAEMON_FIELDS)} got {daemon!r}")
    else:
        if not (daemon["pid"] is None or isinstance(daemon["pid"], int)):
            problems.append(f"daemon.pid: expected an integer or null got {daemon['pid']!r}")
        problems += exit_problems(daemon.get("exit"))
    problems += checks_problems(report.get("checks"))
    return problems


def exit_problems(end):
    """daemon.exit, when present: one of {"status": N} or {"signal": "SIG..."}, and the pid."""
    if end is None:
        return []
    if not isinstance(end, dict) or set(end) - {"pid"} not in ({"status"}, {"signal"}):
        return [f"daemon.exit: expected {{status}} or {{signal}} got {end!r}"]
    if "signal" in end and not (isinstance(end["signal"], str) and end["signal"].startswith("SIG")):
        return [f"daemon.exit.signal: expected a signal name got {end['signal']!r}"]
    if "status" in end and not isinstance(end["status"], int):
        return [f"daemon.exit.status: expected an integer got {end['status']!r}"]
    return []


def verdict_problems(report, exit_status):
    statuses = [c.get("status") for c in report.get("checks", []) if isinstance(c, dict)]
    required_failed = "fail" in statuses
    problems = []
    if exit_status in (0, 1) and required_failed != (exit_status == 1):
        problems.append(f"exit {exit_status} but a required check "
                        f"{'failed' if required_failed else 'did not fail'}")
    if exit_status in (0, 1) and report.get("verdict") != ("pass" if exit_status == 0 else "fail"):
        problems.append(f"exit {exit_status} but verdict {report.get('verdict')!r}")
    return problems


def alarm_lines(stderr, prefixes):
    """Lines on stderr that are findings whatever the case expects."""
    return [l for l in stderr.splitlines() if l.startswith(prefixes)]


def witness_problems(stderr, exit_status):
    lines = [l for l in stderr.splitlines() if l.startswith("witness:")]
    if exit_status == WITNESS_FAILED and not lines:
        lines = ["witness: failed without saying why"]
    return lines


# ----------------------------------------------------------------- a case

class Runner:
    def __init__(self, args, root):
        self.checker = os.path.abspath(args.checker)
        self.bin = os.path.abspath(args.bin)
        self.witness = os.path.join(self.bin, "witness")
        self.root = root
        self.verbose = args.verbose
        self.settle = args.settle
        self.trace = args.trace
        self.wrap = shlex.split(args.wrap) if args.wrap else []
        self.shared_tmpdir = os.path.abspath(args.tmpdir) if args.tmpdir else None
        self.alarms = ("checker: internal error",) + \
            ((os.path.basename(self.wrap[0]) + ":",) if self.wrap else ())
        self.run_id = f"{os.getpid()}-{os.path.basename(root)}"
        self.is_root = os.geteuid() == 0
        self.namespace = self.is_root and namespace_usable()
        self.seen = {}          # case name -> {id: status}

    def skip_reason(self, case):
        if "ns" in case.flags and self.is_root and not self.namespace:
            return "running as root but cannot create a PID namespace (unshare --pid --fork --mount-proc)"
        return None

    def argv(self, case, casedir):
        def subst(arg):
            return arg.replace("{bin}", self.bin).replace("{casedir}", casedir)
        command = [subst(a) for a in case.command]
        argv = self.wrap + [self.checker, "--format", "json"] + [subst(o) for o in case.options]
        if self.settle is not None and "usage" not in case.flags:
            argv += ["--settle", str(self.settle)]
        if self.trace and "usage" not in case.flags:
            argv += ["--trace"]
        if command:
            argv += ["--"] + command
        # Every case runs under the witness, beside a stranger process: a
        # checker that signals anyone outside the candidate's tree is caught
        # whatever the case. As root, in a PID namespace of its own too, so
        # that such a signal cannot reach the real system.
        argv = [self.witness, "--stranger", "--"] + argv
        if self.namespace:
            argv = ["unshare", "--pid", "--fork", "--mount-proc"] + argv
        return argv, command

    def execute(self, argv, casedir, tmpdir, run_id):
        env = dict(os.environ, TMPDIR=tmpdir, ZOO_RUN=run_id)
        proc = subprocess.Popen(argv, cwd=casedir, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
        try:
            out, err = proc.communicate(timeout=CASE_TIMEOUT)
            return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"), False
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"), True

    def run(self, index, case):
        casedir = os.path.join(self.root, f"{index:02d}-{case.name}")
        tmpdir = self.shared_tmpdir or os.path.join(casedir, "tmp")
        os.makedirs(casedir if self.shared_tmpdir else tmpdir, mode=0o711)
        with open(os.path.join(casedir, "not-executable"), "w") as f:
            f.write("#!/bin/sh\nexit 0\n")
        os.chmod(os.path.join(casedir, "not-executable"), 0o644)
        # --trace=FILE through a symbolic link must not write where it points.
        with open(os.path.join(casedir, "victim.html"), "w") as f:
            f.write(VICTIM)
        os.symlink("victim.html", os.path.join(casedir, "link.html"))

        # Each case marks its processes with a marker of its own, so that
        # cases run side by side never count each other's.
        run_id = f"{self.run_id}-{index}"
        before = set(zoo_processes(self.bin))
        argv, command = self.argv(case, casedir)
        status, out, err, timed_out = self.execute(argv, casedir, tmpdir, run_id)
        problems = []
        if timed_out:
            problems.append(f"no end after {CASE_TIMEOUT}s: killed")
        if "usage" in case.flags:
            problems += self.usage_problems(case, status, err)
        else:
            problems += self.report_problems(case, status, out, err, command)
        problems += alarm_lines(err, self.alarms)
        with open(os.path.join(casedir, "victim.html")) as f:
            if f.read() != VICTIM:
                problems.append("a write followed the symbolic link link.html to victim.html")
        left_in_tmp = [] if self.shared_tmpdir else os.listdir(tmpdir)
        if left_in_tmp:
            problems.append(f"$TMPDIR: expected empty got {sorted(left_in_tmp)}")
        left = leftovers(self.bin, before, f"ZOO_RUN={run_id}".encode())
        if left:
            problems.append(f"processes left running: expected none got {', '.join(left)}")
        return problems, argv, out, err

    def usage_problems(self, case, status, err):
        problems = []
        if status != case.exit:
            problems.append(f"exit: expected {case.exit} got {status}")
        lines = err.splitlines()
        if len(lines) != 1 or not lines[0].strip():
            problems.append(f"stderr: expected one line got {len(lines)}: {err.strip()!r}")
        return problems

    def report_problems(self, case, status, out, err, argv_command):
        problems = witness_problems(err, status)
        try:
            report = json.loads(out)
        except ValueError as e:
            return problems + [f"stdout is not JSON ({e}); exit {status}; stderr {err.strip()[:300]!r}"]
        problems += shape_problems(report, case, argv_command)
        if self.trace:
            problems += trace_problems(report)
        checks = report.get("checks") if isinstance(report, dict) else None
        if isinstance(checks, list):
            statuses = {c.get("id"): c.get("status") for c in checks if isinstance(c, dict)}
            self.seen[case.name] = statuses
            failed = {i for i, s in statuses.items() if s in FAILED}
            if failed != case.failed:
                problems.append(f"expected {fmt(case.failed)} got {fmt(failed)}")
            if case.skips is not None:
                skipped = {i for i, s in statuses.items() if s == "skip"}
                if skipped != case.skips:
                    problems.append(f"skipped: expected {fmt(case.skips)} got {fmt(skipped)}")
            problems += verdict_problems(report, status)
            daemon = report.get("daemon")
            if statuses.get("daemon-running") == "pass" and not (isinstance(daemon, dict) and daemon.get("pid")):
                problems.append(f"daemon-running passed but daemon.pid is {daemon and daemon.get('pid')!r}")
        if status != case.exit:
            problems.append(f"exit: expected {case.exit} got {status}")
        return problems

    def coverage_problems(self):
        problems = []
        for check in CHECK_IDS:
            failed_by = [n for n, s in self.seen.items() if s.get(check) in FAILED]
            passed_by = [n for n, s in self.seen.items() if s.get(check) == "pass"]
            if not failed_by:
                problems.append(f"{check} failed by no case")
            if not passed_by:
                problems.append(f"{check} passed by no case")
        return problems


VICTIM = "not the checker's to write\n"
TRACE_KEYS = ("ms", "pid", "ppid", "event", "detail")


def trace_problems(report):
    """Under --trace: the report's trace, in the contract's shape, begins
    with the candidate's exec and follows every process to its end."""
    trace = report.get("trace") if isinstance(report, dict) else None
    if not isinstance(trace, list) or not trace:
        return [f"trace: expected a list of events got {trace!r:.80}"]
    bad = [e for e in trace if not isinstance(e, dict) or any(k not in e for k in TRACE_KEYS)]
    if bad:
        return [f"trace: an event without {'/'.join(TRACE_KEYS)}: {bad[0]!r:.120}"]
    if trace[0]["event"] != "exec":
        return [f"trace: expected the exec first got {trace[0]['event']}: {trace[0]['detail']!r}"]
    spawned = {e["pid"] for e in trace if e["event"] != "checker" and e["pid"] > 0}
    ended = {e["pid"] for e in trace if e["event"] == "exit"}
    unended = sorted(spawned - ended)
    if unended:
        return [f"trace: no end recorded for {unended[:5]}"]
    return []


def explain(argv, out, err):
    """For -v: the command, stderr, and every check that did not pass."""
    print("    command: " + " ".join(shlex.quote(a) for a in argv))
    for line in err.strip().splitlines()[:20]:
        print(f"    stderr: {line}")
    try:
        report = json.loads(out)
        checks = [c for c in report["checks"] if c.get("status") != "pass"]
        print(f"    daemon: {json.dumps(report.get('daemon'))}")
    except (ValueError, KeyError, TypeError, AttributeError):
        for line in out.strip().splitlines()[:20]:
            print(f"    stdout: {line}")
        return
    for c in checks:
        print(f"    {c.get('id')}: {c.get('status')}: observed {c.get('observed')!r}: {c.get('message')}")


def keep_failed(directory, case, argv, out, err):
    """The failed case's command, report and stderr, to be read later."""
    os.makedirs(directory, exist_ok=True)
    base = os.path.join(directory, case.name)
    for suffix, text in ((".argv", shlex.join(argv) + "\n"), (".out", out), (".err", err)):
        with open(base + suffix, "w", encoding="utf-8") as f:
            f.write(text)


def start_busy_loop():
    """A process that keeps one core busy until it is killed."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"],
                            stdin=subprocess.DEVNULL)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checker", default=os.path.join(HERE, "..", "..", "checker", "checker"))
    parser.add_argument("--bin", default=os.path.join(HERE, "bin"))
    parser.add_argument("--expect", default=os.path.join(HERE, "expect.txt"))
    parser.add_argument("-v", "--verbose", action="store_true", help="show output of failed cases")
    parser.add_argument("--settle", type=int, help="run every checker with --settle MS")
    parser.add_argument("--jobs", type=int, default=1, help="checkers run at once")
    parser.add_argument("--load", type=int, default=0, help="busy loops running meanwhile")
    parser.add_argument("--trace", action="store_true", help="run every checker with --trace")
    parser.add_argument("--wrap", help="run every checker under this program (tests/stress/)")
    parser.add_argument("--tmpdir", help="one TMPDIR for every checker (tests/stress/)")
    parser.add_argument("--keep-failed", metavar="DIR", help="keep the output of failed cases in DIR")
    parser.add_argument("cases", nargs="*", help="run only these cases (no coverage check)")
    args = parser.parse_args()

    for path, what in ((args.checker, "the checker"), (os.path.join(args.bin, "witness"), "the zoo")):
        if not os.access(path, os.X_OK):
            print(f"skip zoo: {what} is not built ({path}); run make first")
            print("0 passed, 0 failed")
            return 0

    cases = read_cases(args.expect)
    if args.cases:
        unknown = set(args.cases) - {c.name for c in cases}
        if unknown:
            parser.error(f"unknown cases: {', '.join(sorted(unknown))}")
        cases = [c for c in cases if c.name in args.cases]

    root = tempfile.mkdtemp(prefix="zoo.")
    # Searchable by all (not listable), as /tmp is: a service that gives up
    # root must reach its NOTIFY_SOCKET in a checker's scratch directory.
    os.chmod(root, 0o711)

    def cleanup():
        shutil.rmtree(root, ignore_errors=True)

    def interrupted(sig, frame):
        cleanup()
        sys.exit(128 + sig)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupted)
    passed = failed = 0
    loads = [start_busy_loop() for _ in range(args.load)]
    try:
        runner = Runner(args, root)
        runnable = []
        for index, case in enumerate(cases):
            reason = runner.skip_reason(case)
            if reason:
                print(f"skip {case.name}: {reason}")
            else:
                runnable.append((index, case))
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            results = pool.map(lambda ic: (ic[1], runner.run(*ic)), runnable)
            for case, (problems, argv, out, err) in results:
                if problems:
                    failed += 1
                    print(f"FAIL {case.name}: " + "; ".join(problems))
                    if args.verbose:
                        explain(argv, out, err)
                    if args.keep_failed:
                        keep_failed(args.keep_failed, case, argv, out, err)
                else:
                    passed += 1
                    print(f"ok {case.name}")
                sys.stdout.flush()
        if not args.cases:
            problems = runner.coverage_problems()
            if problems:
                failed += 1
                print("FAIL coverage: " + "; ".join(problems))
            else:
                passed += 1
                print("ok coverage: every check failed by one case and passed by another")
    finally:
        for load in loads:
            load.kill()
            load.wait()
        cleanup()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
