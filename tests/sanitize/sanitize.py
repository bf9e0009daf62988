#!/usr/bin/env python3
"""The kit's C programs under AddressSanitizer, UBSan and LeakSanitizer,
and under valgrind where valgrind can run them; says which tool covered
each binary.

  Check tests   every unit test program, its ASan+UBSan build (DIR/asan/NAME)
                in fork mode, and the plain build under valgrind, but for the
                ones valgrind cannot run: valgrind 3.19 does not know
                pidfd_open (syscall 434), so a program that needs a pidfd
                fails under it for want of the syscall, not for a bug;
  the daemon    skeleton/c/mydaemon's ASan+UBSan build judged by the
                sanitized checker (start, a second start, stop through its
                pidfd, a stale pidfile), then one whole life of `mydaemon
                run` under a service manager played here (READY=1, a served
                connection, watchdog pings, a reload, STOPPING=1, exit 0);
                valgrind runs it in skeleton-c-e2e and skeleton-c-newstyle,
                where its stop falls back from pidfds;
  the zoo       (not with --quick) every case of tests/zoo/expect.txt with
                the sanitized checker on the zoo's daemons built sanitized
                (tests/zoo/bin-asan, on the skeleton's sanitized
                daemonize.o): verdicts as expect.txt and no report.

Every sanitizer writes its reports into a private directory (log_path), so
that the reports of daemons, whose stderr is /dev/null, are not lost: any
file there is a failure, and is printed. Exit code 99 on an ASan or UBSan
error, 23 on a leak.

Usage: sanitize.py [--quick] --tests BIN... [--ck-fork-no BIN...]
                   [--no-valgrind BIN...] --valgrind 'CMD' --checker-asan PATH
                   --mydaemon PATH [--zoo-bin DIR]
Prints one line per binary and tool, a table of what covered what, and
"N passed, M failed".
"""

import argparse
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
ZOO = os.path.join(ROOT, "tests", "zoo")
sys.path.insert(0, ZOO)
import run as zoo  # noqa: E402  (tests/zoo/run.py: the cases, read its way)

PIDFD_REASON = "valgrind 3.19 does not know pidfd_open (syscall 434)"
RUN_TIMEOUT = 600       # seconds, a bound for one program's run
LIFE_TIMEOUT = 20       # seconds, a bound for each event of mydaemon's life


def asan_twin(path):
    return os.path.join(os.path.dirname(path), "asan", os.path.basename(path))


def sanitizer_env(logdir, **extra):
    env = dict(os.environ, **extra)
    env["ASAN_OPTIONS"] = (f"detect_leaks=1:abort_on_error=0:exitcode=99:"
                           f"log_path={logdir}/asan:log_exe_name=1")
    env["UBSAN_OPTIONS"] = f"halt_on_error=1:print_stacktrace=1:exitcode=99:log_path={logdir}/ubsan"
    return env


def reports(logdir, lines=40):
    """The sanitizer reports written into logdir, shortened for the log."""
    found = []
    for name in sorted(os.listdir(logdir)):
        with open(os.path.join(logdir, name), errors="replace") as f:
            text = f.read().splitlines()
        found.append(f"{name}:\n" + "\n".join("        " + l for l in text[:lines]))
    return found


class Results:
    def __init__(self):
        self.passed = self.failed = 0
        self.covered = {}       # binary -> {tool: verdict}

    def record(self, binary, tool, ok, detail="", skipped=None):
        column = self.covered.setdefault(binary, {})
        if skipped:
            print(f"skip {tool} {binary}: {skipped}")
            column[tool] = f"- ({skipped})"
            return
        if ok:
            self.passed += 1
            print(f"ok {tool} {binary}" + (f": {detail}" if detail else ""))
        else:
            self.failed += 1
            print(f"FAIL {tool} {binary}: {detail}")
        column[tool] = "ok" if ok else "FAIL"
        sys.stdout.flush()

    def note(self, binary, tool, text):
        self.covered.setdefault(binary, {})[tool] = text

    def table(self):
        width = max(len(b) for b in self.covered) + 2
        print(f"{'binary':<{width}}{'asan+ubsan':<14}valgrind")
        for binary, tools in self.covered.items():
            print(f"{binary:<{width}}{tools.get('asan+ubsan', '-'):<14}{tools.get('valgrind', '-')}")


def run_program(argv, env, timeout=RUN_TIMEOUT):
    """(exit status, the output's last lines, seconds)."""
    started = time.monotonic()
    try:
        r = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, errors="replace", timeout=timeout)
        status, out = r.returncode, r.stdout
    except subprocess.TimeoutExpired as e:
        out = e.output.decode(errors="replace") if isinstance(e.output, bytes) else (e.output or "")
        status = None
    tail = [l for l in out.splitlines() if l.strip()][-3:]
    return status, tail, time.monotonic() - started


def verdict(status, tail, logdir):
    """(ok, detail) of a program's run under a sanitizer or valgrind."""
    found = reports(logdir) if logdir else []
    if status == 0 and not found:
        return True, ""
    why = "no end within the bound" if status is None else f"exit {status}"
    return False, "; ".join([why] + tail + found)


# ---------------------------------------------------------------- programs

def check_tests(args, results):
    for test in args.tests:
        binary = os.path.relpath(test, ROOT)
        logdir = tempfile.mkdtemp(prefix="sanitize.")
        try:
            env = sanitizer_env(logdir, CK_FORK="yes", CK_TIMEOUT_MULTIPLIER="4")
            status, tail, secs = run_program([asan_twin(test)], env)
            ok, detail = verdict(status, tail, logdir)
            results.record(binary, "asan+ubsan", ok, detail or f"{tail[-1] if tail else ''} ({secs:.1f} s)")
        finally:
            shutil.rmtree(logdir, ignore_errors=True)
        if test in args.no_valgrind:
            results.record(binary, "valgrind", False, skipped=PIDFD_REASON)
        elif args.quick:
            results.note(binary, "valgrind", "in unit-check / skeleton-c-valgrind")
        else:
            fork = "no" if test in args.ck_fork_no else "yes"
            env = dict(os.environ, CK_FORK=fork, CK_TIMEOUT_MULTIPLIER="10")
            status, tail, secs = run_program(shlex.split(args.valgrind) + [test], env)
            ok, detail = verdict(status, tail, None)
            results.record(binary, "valgrind", ok, detail or f"CK_FORK={fork} ({secs:.1f} s)")


def checker_on_mydaemon(args, logdir):
    """The sanitized checker on the sanitized daemon, start/stop style."""
    daemon = asan_twin(args.mydaemon)
    argv = [args.checker_asan, "--format", "json",
            "--stop-command", f"{shlex.quote(daemon)} stop --pidfile {{pidfile}}",
            "--", daemon, "start", "--pidfile", "{pidfile}"]
    status, tail, secs = run_program(argv, sanitizer_env(logdir), timeout=120)
    ok, detail = verdict(status, tail, logdir)
    return ok, detail or f"checker-asan: every check passed ({secs:.1f} s)"


class Manager:
    """A service manager, as far as `mydaemon run` can tell: a notify
    socket, a listening socket passed as descriptor 3, a watchdog."""

    def __init__(self, workdir):
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify_path = os.path.join(workdir, "notify")
        self.notify.bind(self.notify_path)
        self.notify.settimeout(LIFE_TIMEOUT)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.seen = []

    def start(self, daemon, env):
        env = {k: env[k] for k in ("PATH", "ASAN_OPTIONS", "UBSAN_OPTIONS") if k in env}
        env.update(NOTIFY_SOCKET=self.notify_path, LISTEN_FDS="1", LISTEN_FDNAMES="stress",
                   WATCHDOG_USEC="200000")
        listener = self.listener.fileno()
        # LISTEN_PID must be the service's own pid: sh's $$, kept by exec.
        return subprocess.Popen(["/bin/sh", "-c", 'LISTEN_PID=$$ exec "$@"', "sh", daemon, "run"],
                                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, errors="replace", close_fds=False,
                                preexec_fn=lambda: os.dup2(listener, 3))

    def await_message(self, key):
        """Datagrams until one has the line key; the bound is the socket's."""
        while True:
            data = self.notify.recv(4096).decode(errors="replace")
            self.seen.append(data.replace("\n", " "))
            if key in data.splitlines():
                return

    def greeting(self):
        with socket.create_connection(self.listener.getsockname(), timeout=LIFE_TIMEOUT) as c:
            return c.makefile().readline()

    def close(self):
        self.notify.close()
        self.listener.close()


def life_of_run(args, logdir):
    """One whole life of `mydaemon run`, sanitized: every step must come."""
    workdir = tempfile.mkdtemp(prefix="sanitize-run.")
    manager = Manager(workdir)
    proc = manager.start(asan_twin(args.mydaemon), sanitizer_env(logdir))
    step = "READY=1"
    try:
        manager.await_message("READY=1")
        step = "a greeting"
        if manager.greeting() != "hello from mydaemon\n":
            return False, "the greeting is not 'hello from mydaemon'"
        step = "WATCHDOG=1"
        manager.await_message("WATCHDOG=1")
        step = "RELOADING=1 after SIGHUP"
        proc.send_signal(signal.SIGHUP)
        manager.await_message("RELOADING=1")
        step = "READY=1 after the reload"
        manager.await_message("READY=1")
        step = "a greeting after the reload"
        manager.greeting()
        step = "STOPPING=1 after SIGTERM"
        proc.send_signal(signal.SIGTERM)
        manager.await_message("STOPPING=1")
        step = "the exit"
        status = proc.wait(timeout=LIFE_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as e:
        proc.kill()
        proc.wait()
        return False, f"waiting for {step}: {e}; notifications {manager.seen}; " \
                      f"journal {proc.stdout.read().splitlines()[-5:]}"
    finally:
        manager.close()
        shutil.rmtree(workdir, ignore_errors=True)
    journal = proc.stdout.read().splitlines()
    proc.stdout.close()
    ok, detail = verdict(status, journal[-3:], logdir)
    return ok, detail or "run: READY=1, two connections served, watchdog, reload, STOPPING=1, exit 0"


def mydaemon(args, results):
    binary = os.path.relpath(args.mydaemon, ROOT)
    for what in (checker_on_mydaemon, life_of_run):
        logdir = tempfile.mkdtemp(prefix="sanitize.")
        try:
            ok, detail = what(args, logdir)
        finally:
            shutil.rmtree(logdir, ignore_errors=True)
        results.record(binary, "asan+ubsan", ok, detail)
    results.note(binary, "valgrind", "skeleton-c-e2e, skeleton-c-newstyle (no pidfd paths)")


def the_zoo(args, results):
    """run.py with the sanitized checker and daemons; the cases named, so
    that its coverage check (expect.txt's business, zoo-check's) stays out."""
    names = [c.name for c in zoo.read_cases(os.path.join(ZOO, "expect.txt"))]
    logdir = tempfile.mkdtemp(prefix="sanitize.")
    try:
        argv = [sys.executable, "-B", os.path.join(ZOO, "run.py"), "-v",
                "--checker", args.checker_asan, "--bin", args.zoo_bin] + names
        started = time.monotonic()
        r = subprocess.run(argv, env=sanitizer_env(logdir), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, text=True)
        secs = time.monotonic() - started
        failed = [l for l in r.stdout.splitlines() if l.startswith(("FAIL", "    "))]
        found = reports(logdir)
    finally:
        shutil.rmtree(logdir, ignore_errors=True)
    ok = r.returncode == 0 and not found
    last = r.stdout.strip().splitlines()[-1:] or ["no output"]
    detail = f"the zoo, {len(names)} cases: {last[0]} ({secs:.0f} s)"
    # Named as the plain builds, whose sanitized twins were run.
    checker = os.path.relpath(args.checker_asan, ROOT).removesuffix("-asan")
    daemons = os.path.relpath(args.zoo_bin, ROOT).removesuffix("-asan") + "/*"
    for binary, why_not in ((checker, PIDFD_REASON), (daemons, "pidfd_open; the checker starts them")):
        results.record(binary, "asan+ubsan", ok, detail if ok else "; ".join([detail] + failed[:40] + found))
        results.note(binary, "valgrind", f"- ({why_not})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the Check tests and the daemon only, "
                        "no valgrind (make check runs it), no zoo")
    parser.add_argument("--tests", nargs="+", required=True, help="the Check test programs (plain builds)")
    parser.add_argument("--ck-fork-no", nargs="*", default=[], help="tests valgrind runs with CK_FORK=no")
    parser.add_argument("--no-valgrind", nargs="*", default=[], help="tests valgrind cannot run")
    parser.add_argument("--valgrind", required=True, help="the valgrind command line")
    parser.add_argument("--checker-asan", required=True)
    parser.add_argument("--mydaemon", required=True, help="skeleton/c/mydaemon (its twin: asan/mydaemon)")
    parser.add_argument("--zoo-bin", help="the sanitized zoo (tests/zoo/bin-asan)")
    args = parser.parse_args()
    args.checker_asan = os.path.abspath(args.checker_asan)
    if args.zoo_bin:
        args.zoo_bin = os.path.abspath(args.zoo_bin)

    if not args.quick and not shutil.which(shlex.split(args.valgrind)[0]):
        print("skip valgrind: not installed")
        args.quick = True
    results = Results()
    check_tests(args, results)
    mydaemon(args, results)
    if not args.quick and args.zoo_bin:
        the_zoo(args, results)
    print()
    results.table()
    print(f"{results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
