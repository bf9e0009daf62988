#!/usr/bin/env python3
"""Stress test of the checker: the whole zoo, many checkers at once.

Each round runs tests/zoo/run.py on every case of tests/zoo/expect.txt with
N checkers at once beside L busy loops, and then judges the round as a
whole:

  verdicts     every case as expect.txt says (run.py's own judgement, the
               serial default run's verdicts), and no stderr line of the
               checker starting "checker: internal error";
  descriptors  every checker runs under tests/stress/exitwitness, which
               compares its descriptors at exec and at exit (a ptrace stop
               before the kernel closes them) and names any it left open;
  processes    exitwitness is a subreaper below which everything the
               checker started stays, so any process that outlived its
               checker is named (stopped and traced ones too) and killed,
               whatever its environment; after the round, /proc is searched
               for any process carrying the round's marker in its
               environment (everything run.py starts inherits it; the
               checker hands it on, but to a new-style service, which gets
               a clean environment), and for any stopped or traced process
               running a program of the round (the checker, exitwitness, a
               zoo program) started during it; other such processes without
               the marker are named but not counted: someone may be trying
               the same checker meanwhile;
  scratch      every checker of the round shares one private TMPDIR, so
               that two checkers' scratch directories would collide there
               and any that survives is seen; it must be empty at the end,
               and nothing else may appear beside it.

Naming the cases leaves out run.py's coverage check: coverage is a property
of expect.txt, checked by the serial zoo-check, not of timing.

The output of each failed case (command, JSON report, stderr) is kept in a
directory named at the end: a verdict that differs under load may be a
checker bug, to be read, not retried away.

Usage: stress.py [--jobs N] [--load L] [--rounds R] [--settle MS]
                 [--checker PATH] [--bin DIR] [--keep DIR]
Prints one line per round and check, then "N passed, M failed".
"""

import argparse
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
ZOO = os.path.join(ROOT, "tests", "zoo")
sys.path.insert(0, ZOO)
import run as zoo  # noqa: E402  (tests/zoo/run.py: the cases, read its way)

MARKER = "STRESS_RUN"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
STATE_NAMES = {"T": "stopped", "t": "stopped by a tracer", "Z": "zombie",
               "D": "in uninterruptible sleep", "R": "running", "S": "sleeping"}


# --------------------------------------------------------------- processes

def boot_ticks_now():
    """Now, in the clock ticks since boot that /proc/PID/stat counts in."""
    with open("/proc/uptime", encoding="ascii") as f:
        return int(float(f.read().split()[0]) * CLOCK_TICKS)


def process_facts(pid):
    """(comm, state, ppid, start in ticks since boot, exe, environ, argv)
    or None if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode(errors="replace")
        with open(f"/proc/{pid}/environ", "rb") as f:
            environ = f.read().split(b"\0")
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().decode(errors="replace").rstrip("\0").replace("\0", " ")
    except OSError:
        return None
    comm = stat[stat.index("(") + 1:stat.rindex(")")]
    rest = stat[stat.rindex(")") + 2:].split()
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        exe = ""
    return comm, rest[0], int(rest[1]), int(rest[19]), exe, environ, argv


def round_processes(marker, programs, since):
    """Processes that may be the round's, still there: those carrying its
    marker, and those running one of its programs that started during the
    round. [(pid, description, ours, state)]: ours when the marker proves
    it; without it, the process may be someone else's run of the same
    programs (a person trying the checker meanwhile)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        facts = process_facts(entry)
        if facts is None:
            continue
        comm, state, ppid, start, exe, environ, argv = facts
        ours = marker in environ
        if exe.endswith(" (deleted)"):
            exe = exe[: -len(" (deleted)")]
        if not ours and not (start >= since and exe in programs):
            continue
        if state in ("Z", "X"):
            continue        # dead already: its parent reaps it
        found.append((int(entry), f"{comm}[{entry}] {STATE_NAMES.get(state, state)}, parent {ppid}, "
                                  f"{'with' if ours else 'without'} the marker, "
                                  f"started {(start - since) / CLOCK_TICKS:.2f} s into the round: "
                                  f"{argv[:160]}", ours, state))
    return found


def kill_leftovers(found, timeout=10):
    """Kill those that carry the round's marker (the round started them),
    through pidfds, so that no reused pid is hit; wait for their ends."""
    poller, fds = select.poll(), []
    for pid, _, ours, _ in found:
        if not ours:
            continue
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        fds.append(fd)
        poller.register(fd, select.POLLIN)
        try:
            signal.pidfd_send_signal(fd, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    pending = set(fds)
    try:
        while pending and time.monotonic() < deadline:
            for fd, _ in poller.poll(max(0.0, deadline - time.monotonic()) * 1000):
                poller.unregister(fd)
                pending.discard(fd)
    finally:
        for fd in fds:
            os.close(fd)


def sweep(marker, rounds=50):
    """After an interruption: kill what carries the marker until none is left
    (a killed parent's children are found on the next pass)."""
    for _ in range(rounds):
        found = [f for f in round_processes(marker, set(), 0) if f[2]]
        if not found:
            return
        kill_leftovers(found)


# ----------------------------------------------------------------- scratch

def survivors(directory, limit=20):
    """Paths left under directory, relative to it, at most limit of them."""
    left = []
    for top, dirs, files in os.walk(directory):
        for name in sorted(dirs + files):
            left.append(os.path.relpath(os.path.join(top, name), directory))
            if len(left) >= limit:
                return left + ["..."]
    return left


# ------------------------------------------------------------------ rounds

class Round:
    def __init__(self, number, args, witness, keep_root):
        self.number = number
        self.args = args
        self.witness = witness
        self.keep = os.path.join(keep_root, f"round-{number}")
        self.results = []           # (ok, text)

    def result(self, ok, text):
        self.results.append((ok, f"round {self.number}: {text}"))

    def run_zoo(self, tmp_root, shared_tmp, marker, names):
        a = self.args
        argv = [sys.executable, os.path.join(ZOO, "run.py"), "-v",
                "--checker", a.checker, "--bin", a.bin,
                "--jobs", str(a.jobs), "--load", str(a.load),
                "--tmpdir", shared_tmp, "--keep-failed", self.keep]
        if a.settle is not None:
            argv += ["--settle", str(a.settle)]
        if self.witness:
            argv += ["--wrap", self.witness]
        env = dict(os.environ, TMPDIR=tmp_root, **{MARKER: marker})
        proc = subprocess.Popen(argv + names, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, text=True)
        lines = []
        try:
            for line in proc.stdout:
                lines.append(line.rstrip("\n"))
                if line.startswith(("FAIL", "skip", "    ")):
                    print(f"    round {self.number}: {line.rstrip()}", flush=True)
        except BaseException:
            # Interrupted: run.py would finish its queue first. Stop it;
            # what it started carries the marker and is swept by the caller.
            proc.kill()
            raise
        finally:
            proc.stdout.close()
            status = proc.wait()
        return status, lines

    def judge_verdicts(self, status, lines, names, seconds):
        cases = [l for l in lines if l.startswith(("ok ", "FAIL ", "skip "))]
        failed = [l.split(":")[0][len("FAIL "):] for l in cases if l.startswith("FAIL ")]
        skipped = [l for l in cases if l.startswith("skip ")]
        a = self.args
        how = (f"{len(cases)} cases in {seconds:.1f} s, {a.jobs} checkers at once, "
               f"{a.load} busy loops, settle {'default' if a.settle is None else a.settle}")
        how += f", {len(skipped)} skipped" if skipped else ""
        if len(cases) != len(names):
            self.result(False, f"verdicts: run.py ran {len(cases)} of {len(names)} cases "
                               f"(exit {status}; last line {lines[-1] if lines else None!r})")
        elif failed:
            self.result(False, f"verdicts: {len(failed)} of {len(cases)} cases differ from "
                               f"expect.txt: {', '.join(failed)} ({how})")
        else:
            watched = ", no descriptor left open, no process left by a checker" if self.witness else ""
            self.result(True, f"verdicts of {len(cases)} cases as expect.txt{watched} ({how})")

    def judge_processes(self, marker, programs, since):
        """A process with the marker is a leftover; one without it counts
        only if it is stopped or traced, which no run of anyone's leaves a
        process in on purpose: the others are named, not counted."""
        found = round_processes(marker.encode(), programs, since)
        kill_leftovers(found)
        counted = [d for _, d, ours, state in found if ours or state in ("T", "t")]
        for _, d, ours, state in found:
            if not (ours or state in ("T", "t")):
                print(f"    round {self.number}: not counted (no marker, not stopped): {d}")
        if counted:
            self.result(False, "processes left after the round: " + ", ".join(counted))
        else:
            self.result(True, "no process of the round left")

    def judge_scratch(self, tmp_root, shared_tmp):
        left = survivors(shared_tmp)
        beside = sorted(set(os.listdir(tmp_root)) - {os.path.basename(shared_tmp)})
        if left or beside:
            self.result(False, "scratch left: " +
                        ", ".join([f"$TMPDIR/{p}" for p in left] + [f"beside $TMPDIR: {p}" for p in beside]))
        else:
            self.result(True, "every checker's scratch directory removed (one shared TMPDIR)")

    def run(self, names):
        marker = f"{uuid.uuid4().hex}-{self.number}"
        tmp_root = tempfile.mkdtemp(prefix="stress.")
        shared_tmp = os.path.join(tmp_root, "tmp")
        os.mkdir(shared_tmp, 0o700)
        # Searchable by all (not listable), as /tmp is, and as run.py makes
        # its own: a service that gives up root (ns-drops-privileges) must
        # reach its NOTIFY_SOCKET in a checker's scratch directory.
        os.chmod(tmp_root, 0o711)
        os.chmod(shared_tmp, 0o711)
        programs = {os.path.realpath(p) for p in (self.args.checker, self.witness or self.args.checker)}
        programs |= {os.path.join(os.path.realpath(self.args.bin), n) for n in os.listdir(self.args.bin)}
        since = boot_ticks_now()
        started = time.monotonic()
        try:
            status, lines = self.run_zoo(tmp_root, shared_tmp, marker, names)
            seconds = time.monotonic() - started
            self.judge_verdicts(status, lines, names, seconds)
            self.judge_processes(f"{MARKER}={marker}", programs, since)
            self.judge_scratch(tmp_root, shared_tmp)
        except BaseException:
            sweep(f"{MARKER}={marker}".encode())
            raise
        finally:
            shutil.rmtree(tmp_root, ignore_errors=True)
        for ok, text in self.results:
            print(f"{'ok' if ok else 'FAIL'} {text}", flush=True)
        return self.results


def witness_usable(witness):
    """exitwitness needs ptrace; without it the descriptor check is skipped."""
    try:
        r = subprocess.run([witness, "--", "true"], stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return str(e)
    if r.returncode != 0 or r.stderr:
        return r.stderr.strip() or f"exit {r.returncode}"
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=16, help="checkers at once")
    parser.add_argument("--load", type=int, default=2, help="busy loops meanwhile")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--settle", type=int, help="every checker's --settle MS")
    parser.add_argument("--checker", default=os.path.join(ROOT, "checker", "checker"))
    parser.add_argument("--bin", default=os.path.join(ZOO, "bin"))
    parser.add_argument("--witness", default=os.path.join(HERE, "exitwitness"))
    parser.add_argument("--keep", help="where to keep failed cases' output "
                                       "(default: a new directory in $TMPDIR, named at the end)")
    args = parser.parse_args()
    args.checker, args.bin = os.path.abspath(args.checker), os.path.abspath(args.bin)

    for path, what in ((args.checker, "the checker"), (os.path.join(args.bin, "witness"), "the zoo"),
                       (args.witness, "exitwitness")):
        if not os.access(path, os.X_OK):
            print(f"skip stress: {what} is not built ({path}); run make first")
            print("0 passed, 0 failed")
            return 0
    witness = os.path.abspath(args.witness)
    why_not = witness_usable(witness)
    if why_not:
        print(f"skip descriptors and adopted processes: exitwitness cannot run here ({why_not})")
        witness = None

    names = [c.name for c in zoo.read_cases(os.path.join(ZOO, "expect.txt"))]
    keep_root = os.path.abspath(args.keep) if args.keep else tempfile.mkdtemp(prefix="stress-failed.")

    # run.py stops its busy loops and its cases on SIGTERM and SIGHUP: pass
    # them on as a KeyboardInterrupt, which ends the round's run.py first.
    def interrupted(sig, frame):
        raise KeyboardInterrupt
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupted)

    results = []
    try:
        for number in range(1, args.rounds + 1):
            results += Round(number, args, witness, keep_root).run(names)
    except KeyboardInterrupt:
        print("stress: interrupted; what the round had started is killed", file=sys.stderr)
        return 130
    finally:
        if os.path.isdir(keep_root) and os.listdir(keep_root):
            print(f"the failed cases' commands, reports and stderr are kept in {keep_root}")
        elif not args.keep:
            shutil.rmtree(keep_root, ignore_errors=True)
    passed = sum(1 for ok, _ in results if ok)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
