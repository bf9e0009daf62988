#!/usr/bin/env python3
"""side_reports.py: re-runs what the tutorial's side pages show, and pastes
the fresh output into them: docs/tutorial/seed-python-class.md (the seed's
class, method by method) and docs/tutorial/daemon3.md (glibc's daemon(3)).

Each pasted block sits under a marker, an HTML comment that does not render:

  <!-- side-report: NAME [ids=ID,ID,...|ids=-] -->
        the checker's text report of run NAME, whole or in excerpt, in the
        format of docs/tutorial/refresh_reports.py (whose functions do it)
  <!-- side-observed: NAME ids=ID,ID,... -->
        run NAME with --format json: each listed check's status and what it
        observed, passes included (a text report shows that only for failures)
  <!-- side-session: NAME -->
        a short shell session (SESSIONS below), every command run for real

Each run happens once per invocation, so every excerpt of it on a page comes
from the same run. A line that starts with "These reports were generated on"
gets the date and the checker's version. Scratch directories are shown as
/tmp/checker.XXXXXX (and /tmp/seed.XXXXXX); pids and timings are as they came.

    python3 docs/tools/side_reports.py [--dry-run] [PAGE...]    (make side-reports)

Needs `make` first (the checker, daemon3). It becomes a child subreaper, so
that the daemons its shell sessions start stay its children, and kills and
reaps every one of them before it exits.
"""
import argparse
import ctypes
import datetime
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True      # no __pycache__ beside the imported tools
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "docs" / "tutorial"))
import refresh_reports  # noqa: E402  (the tutorial's own report format)

PAGES = [ROOT / "docs" / "tutorial" / "seed-python-class.md",
         ROOT / "docs" / "tutorial" / "daemon3.md"]
SEED = "skeleton/python/seed_daemon.py"
DAEMON3 = "skeleton/c/daemon3/daemon3"

# NAME: (the checker's arguments, whether a re-run must give the same
# statuses: check_side_pages.py re-runs those in `make check`). The seed's
# class wins or loses the race of fault 7 at random, so its runs are not
# re-run there (skeleton/python/tests/test_checker.py judges them instead).
RUNS = {
    "seed_daemon.py": (["--timeout", "2", "--", "python3", SEED, "start", "{pidfile}"], False),
    "seed_daemon.py+own-stop": (["--timeout", "2", "--stop-command",
                                 f"python3 {SEED} stop {{pidfile}}",
                                 "--", "python3", SEED, "start", "{pidfile}"], False),
    "seed_daemon.py+profile-seed": (["--profile", "seed", "--timeout", "2", "--",
                                     "python3", SEED, "start", "{pidfile}"], False),
    "mydaemon.py": (refresh_reports.CANDIDATES["mydaemon.py"], False),
    "daemon3": (["--timeout", "2", "--", DAEMON3], True),
    "daemon3-c": (["--timeout", "2", "--", DAEMON3, "-c"], True),
    "daemon3-n": (["--timeout", "2", "--", DAEMON3, "-n"], True),
}

MARKER = re.compile(r"^<!-- side-(report|observed|session): (\S+)(?: ids=(\S+))? -->$")
STAMP = re.compile(r"^These reports were generated on .*$")
SCRATCH = re.compile(r"/tmp/checker\.[A-Za-z0-9]{6}")
_PR_SET_CHILD_SUBREAPER = 36


class PageError(Exception):
    pass


# --- the checker's runs ------------------------------------------------------

def checker_argv(name, json_format=False):
    if name not in RUNS:
        raise PageError(f"unknown run {name} (see RUNS)")
    args = RUNS[name][0]
    return ["--format", "json"] + args if json_format else list(args)


def run_json(args):
    """(command line as shown, report) of one run with --format json."""
    shown = " ".join(["checker/checker"] + [a if a == "{pidfile}" else shlex.quote(a)
                                            for a in args])
    done = subprocess.run([str(ROOT / "checker" / "checker")] + args, cwd=ROOT,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          start_new_session=True, timeout=120)
    try:
        return shown, json.loads(SCRATCH.sub("/tmp/checker.XXXXXX",
                                             done.stdout.replace(f"{ROOT}/", "")))
    except ValueError:
        raise PageError(f"{shown}: no JSON report (exit {done.returncode}): "
                        f"{done.stderr.strip()[:300]}") from None


def render_observed(run, ids):
    shown, report = run
    by_id = {c["id"]: c for c in report["checks"]}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise PageError(f"no check {', '.join(unknown)} in the report of {shown}")
    width = max(len(i) for i in ids)
    return ([f"$ {shown}", "  (from its report: each check's id, status and observed)"]
            + [f"  {i:<{width}}  {by_id[i]['status']:<4}  {by_id[i]['observed']}" for i in ids]
            + [f"  verdict: {report['verdict']}"])


# --- the shell sessions ------------------------------------------------------

def session_restart(scratch):
    """The class's restart() on a running daemon of its own."""
    pidfile = f"{scratch}/seed.pid"
    return [f"python3 {SEED} start {pidfile}",
            "echo $?",
            ("wait", pidfile),
            f"cat {pidfile}; echo",
            f"python3 {SEED} restart {pidfile}",
            "echo $?",
            f"kill -0 $(cut -d/ -f1 {pidfile}) && echo still running"]


SESSIONS = {"restart": session_restart}


def run_session(name):
    if name not in SESSIONS:
        raise PageError(f"unknown session {name} (see SESSIONS)")
    scratch = tempfile.mkdtemp(prefix="seed.")
    try:
        shown, status = [], 0
        for step in SESSIONS[name](scratch):
            if isinstance(step, tuple):
                shown.append(f"# (start may return before the pidfile is written, fault 7: "
                             f"it held a line {wait_for_pid(step[1])} ms later)")
                continue
            if step == "echo $?":
                shown += ["$ echo $?", str(status)]
                continue
            done = subprocess.run(["bash", "-c", step], cwd=ROOT, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True, timeout=60)
            status = done.returncode
            shown += [f"$ {step}"] + done.stdout.splitlines()
        return [line.replace(scratch, "/tmp/seed.XXXXXX") for line in shown]
    finally:
        sweep_children()
        shutil.rmtree(scratch, ignore_errors=True)


def wait_for_pid(path, limit_s=10.0):
    """Milliseconds until path holds a whole line; a bounded poll (fault 7:
    nothing tells when the class's daemon has written it)."""
    start = time.monotonic()
    while time.monotonic() - start < limit_s:
        try:
            with open(path, "rb") as f:
                if f.read().endswith(b"/n"):
                    return round((time.monotonic() - start) * 1000)
        except FileNotFoundError:
            pass
        time.sleep(0.01)
    raise PageError(f"{path}: no pid written within {limit_s:g} s")


def become_subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        err = ctypes.get_errno()
        sys.exit(f"side_reports: fatal: unable to become a child subreaper: {os.strerror(err)}")


def sweep_children():
    """Kill and reap every process left as our child (the sessions' daemons,
    which came to us as orphans): none of them outlives this script."""
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if entry.isdigit() and parent_of(int(entry)) == me:
            try:
                os.kill(int(entry), signal.SIGKILL)
            except ProcessLookupError:
                pass
    while True:
        try:
            if os.waitpid(-1, 0)[0] == 0:
                break
        except ChildProcessError:
            break


def parent_of(pid):
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return int(data[data.rindex(b")") + 2:].split()[1])


# --- the pages ---------------------------------------------------------------

def fresh_block(kind, name, ids, cache):
    key = (kind, name)
    if key not in cache:
        if kind == "report":
            cache[key] = refresh_reports.run_checker(checker_argv(name))
        elif kind == "observed":
            cache[key] = run_json(checker_argv(name, json_format=True))
        else:
            cache[key] = run_session(name)
    if kind == "report":
        return refresh_reports.render(cache[key], ids)
    if kind == "observed":
        if not ids or ids == ["-"]:
            raise PageError(f"side-observed: {name} needs ids=")
        return render_observed(cache[key], ids)
    return cache[key]


def refresh_page(path, cache, stamp):
    """The page's new lines, and whether they differ from the old ones."""
    text = path.read_text().splitlines()
    out, i = [], 0
    while i < len(text):
        line = text[i]
        i += 1
        if STAMP.match(line):
            out.append(f"These reports were generated on {stamp}.")
            continue
        out.append(line)
        m = MARKER.match(line)
        if not m:
            continue
        kind, name, ids = m.group(1), m.group(2), (m.group(3).split(",") if m.group(3) else [])
        end = block_end(text, i, f"{path.name}:{i}")
        out += [text[i]] + fresh_block(kind, name, ids, cache) + ["```"]
        i = end + 1
    return out, out != text


def block_end(text, i, where):
    if i >= len(text) or not text[i].startswith("```"):
        raise PageError(f"{where}: no code block after the marker")
    for end in range(i + 1, len(text)):
        if text[end] == "```":
            return end
    raise PageError(f"{where}: unterminated code block")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="only say what would change")
    parser.add_argument("pages", nargs="*", type=Path)
    args = parser.parse_args()
    checker = ROOT / "checker" / "checker"
    if not os.access(checker, os.X_OK) or not os.access(ROOT / DAEMON3, os.X_OK):
        sys.exit("side_reports: fatal: checker/checker or daemon3 is not built: run make first")
    become_subreaper()
    version = subprocess.run([str(checker), "--version"], capture_output=True,
                             text=True).stdout.strip()
    stamp = f"{datetime.date.today().isoformat()} with {version}"
    cache = {}
    try:
        for page in args.pages or PAGES:
            lines, changed = refresh_page(page, cache, stamp)
            print(f"{'changed' if changed else 'same   '} {page.relative_to(ROOT)}")
            if not args.dry_run:
                page.write_text("\n".join(lines) + "\n")
    except PageError as exc:
        sys.exit(f"side_reports: fatal: {exc}")
    finally:
        sweep_children()


if __name__ == "__main__":
    main()
