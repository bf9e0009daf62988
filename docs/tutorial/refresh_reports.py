#!/usr/bin/env python3
"""refresh_reports.py: re-run the checker for every report pasted in the tutorial.

The pages show real checker output. Each pasted report sits under a marker

    <!-- report: NAME[+stepN] [ids=ID,ID,...|ids=-] -->
    ```
    $ checker/checker ...
    ...
    ```

and this script replaces the fenced block below each marker with a fresh
run: the command line, the report (whole, or only the header, the lines of
the listed IDs and the verdict, with "[...]" where lines were left out;
"ids=-" keeps no check line; "ids=@step" the checks that `checker --list`
puts at the step of NAME+stepN, whichever they are; "ids=@facets", for a
--compare report, its two command lines and its table of facets), and the
exit status.
NAME says what is checked (see candidate_args()); NAME+stepN adds --step N,
NAME+trace --trace, whose timeline "ids=@trace" keeps (the command line, the
report's first line, and the timeline after the report). Each candidate
runs once per refresh, so every excerpt of it on every page comes from the
same run. Scratch directories are shown as /tmp/checker.XXXXXX; pids and
timings are left as they came.

    python3 docs/tutorial/refresh_reports.py          # rewrite the pages
    python3 docs/tutorial/refresh_reports.py --dry-run  # only say what would change

Run it from anywhere after `make`; it needs the built checker and programs.
"""

import argparse
import datetime
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHECKER = "checker/checker"
STEPS = "skeleton/c/steps/bin"
EXERCISES = "skeleton/exercises/bin"   # the exercises' C starting files
FIRST_STOP_STEP = 10                   # from step 10 on: a stop command
NEW_STYLE_STEP = 12                    # from step 12 on: a service for a manager
# Step 12's services are started as exercise 12's grader starts them
# (skeleton/exercises/grade.py): a passed socket, a watchdog, and an abstract
# NOTIFY_SOCKET, so that every check of the step is judged.
SERVICE = ["--profile", "new-style", "--socket-activation", "--watchdog", "500",
           "--notify-socket", "abstract"]


def _steps_signal(name):
    return ["--timeout", "2", "--", f"{STEPS}/{name}", "start", "{pidfile}"]


def _steps_command(name, where=STEPS):
    return ["--timeout", "2", "--stop-command", f"{where}/{name} stop {{pidfile}}",
            "--", f"{where}/{name}", "start", "{pidfile}"]


def _exercise_start(name):
    """exercise/NN-name: the starting file of exercise NN, as graded."""
    if int(name[:2]) >= NEW_STYLE_STEP:
        return ["--timeout", "2"] + SERVICE + ["--", f"{EXERCISES}/{name}"]
    if int(name[:2]) >= FIRST_STOP_STEP:
        return _steps_command(name, EXERCISES)
    return ["--timeout", "2", "--", f"{EXERCISES}/{name}", "start", "{pidfile}"]


def candidate_args(name):
    """The checker's arguments for a report NAME, or None if unknown.

    NAME+stepN is NAME judged with --step N, the student's view; NAME+trace
    is NAME with --trace, its timeline printed after the report."""
    if name.endswith("+trace"):
        args = candidate_args(name[:-len("+trace")])
        return None if args is None else ["--trace"] + args
    base, _, step = name.partition("+step")
    if step:
        args = candidate_args(base)
        return None if args is None or not step.isdigit() else ["--step", step] + args
    if re.fullmatch(r"(0[1-9])-[a-z0-9-]+|seed-as-published|closed-stdio", name):
        return _steps_signal(name)
    if re.fullmatch(r"exercise/[01][0-9]-[a-z0-9-]+", name):
        return _exercise_start(name[len("exercise/"):])
    if re.fullmatch(r"1[0-9]-[a-z0-9-]+", name):
        return _steps_command(name)
    if name.startswith("zoo/"):
        return ["--timeout", "2", "--", f"tests/zoo/bin/{name[4:]}", "{pidfile}"]
    if re.fullmatch(r"pitfall/[a-z-]+", name):
        # One of step 12's mistakes, planted in a minimal service.
        return ["--timeout", "2"] + SERVICE + \
            ["--", "python3", "docs/tutorial/newstyle_pitfalls.py", name[len("pitfall/"):]]
    if re.fullmatch(r"new-style/[01][0-9]-[a-z0-9-]+", name):
        # A classic step program under a service manager: started by it,
        # stopped by its SIGTERM; the notify socket left as systemd's, a path.
        return ["--timeout", "2", "--profile", "new-style", "--",
                f"{STEPS}/{name[len('new-style/'):]}", "start", "{pidfile}"]
    return CANDIDATES.get(name)


CANDIDATES = {
    # "Step 0": a program that does its work in the foreground and never
    # returns, the state every step below changes.
    "foreground-sleep": ["--timeout", "2", "--", "sleep", "30"],
    "mydaemon": ["--timeout", "2",
                 "--stop-command", "skeleton/c/mydaemon stop --pidfile {pidfile}",
                 "--", "skeleton/c/mydaemon", "start", "--pidfile", "{pidfile}"],
    "mydaemon.py": ["--timeout", "2",
                    "--stop-command", "python3 skeleton/python/mydaemon.py stop --pidfile {pidfile}",
                    "--", "python3", "skeleton/python/mydaemon.py", "start", "--pidfile", "{pidfile}"],
    "seed_daemon.py": ["--timeout", "2", "--",
                       "python3", "skeleton/python/seed_daemon.py", "start", "{pidfile}"],
    # The reference as a new-style service (step 12).
    "mydaemon-run": ["--timeout", "2"] + SERVICE + ["--", "skeleton/c/mydaemon", "run"],
    "mydaemon.py-run": ["--timeout", "2"] + SERVICE +
                       ["--", "python3", "skeleton/python/mydaemon.py", "run"],
    # Its two lives side by side: `start` judged classic, `run` new-style
    # (on a port the kernel picks: 7007 may be taken).
    "compare/mydaemon": ["--timeout", "2",
                         "--stop-command", "skeleton/c/mydaemon stop --pidfile {pidfile}",
                         "--compare", "skeleton/c/mydaemon run --port 0",
                         "--compare-profile", "new-style",
                         "--", "skeleton/c/mydaemon", "start", "--pidfile", "{pidfile}"],
}

MARKER = re.compile(r"^<!-- report: (\S+)(?: ids=(\S+))? -->$")
REGENERATED = re.compile(r"^Reports last regenerated: .*$")
CHECK_LINE = re.compile(r"^  (PASS|FAIL|WARN|SKIP)  (\S+)")
SCRATCH = re.compile(r"/tmp/checker\.[A-Za-z0-9]{6}")


def shown_paths(text):
    """The output as a reader's own checkout would print it: paths in the
    kit relative to its top directory, scratch directories unnamed."""
    return SCRATCH.sub("/tmp/checker.XXXXXX", text.replace(f"{ROOT}/", ""))


def run_checker(args):
    """(command line as shown, output lines, exit status) of one run."""
    shown = " ".join([CHECKER] + [shlex.quote(a) if a != "{pidfile}" else a for a in args])
    # A session of its own: the checker hangs up terminals and sweeps
    # processes; nothing of that must reach whoever runs this script.
    done = subprocess.run([str(ROOT / CHECKER)] + args, cwd=ROOT, env=_env(),
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True,
                          start_new_session=True, timeout=120)
    lines = shown_paths(done.stdout).splitlines()
    return shown, lines, done.returncode


def _env():
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    return env


def checks_at_step(step):
    """The IDs that `checker --list` puts at tutorial step STEP."""
    done = subprocess.run([str(ROOT / CHECKER), "--list", "--format", "json"],
                          capture_output=True, text=True, check=True)
    return [c["id"] for c in json.loads(done.stdout)["checks"] if c["step"] == step]


def wanted_ids(name, ids):
    """The IDs of a marker, with "@step" replaced by that step's checks."""
    if ids != ["@step"]:
        return ids
    _, _, step = name.partition("+step")
    if not step.isdigit():
        raise SystemExit(f"refresh_reports: fatal: ids=@step needs NAME+stepN, not {name}")
    return checks_at_step(int(step)) or ["-"]


def facets(lines):
    """A --compare report's "A:" and "B:" lines, its table of facets and
    its verdict, with "[...]" for the table of checks left out."""
    try:
        start = next(i for i, l in enumerate(lines) if l.startswith("  facet "))
    except StopIteration:
        raise SystemExit("refresh_reports: fatal: ids=@facets, but no table of facets")
    heads = [l for l in lines[:start] if l.startswith(("A: ", "B: "))]
    return heads + ["  [...]"] + lines[start:]


def timeline(lines):
    """A --trace report's first line and its timeline, the report between
    them left out."""
    try:
        start = next(i for i, l in enumerate(lines) if l.startswith("trace: "))
    except StopIteration:
        raise SystemExit("refresh_reports: fatal: ids=@trace, but no timeline (NAME+trace?)")
    end = len(lines)
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[:1] + ["  [...]"] + lines[start:end]


def excerpt(lines, ids):
    """The header, the blocks of the given check IDs and the verdict."""
    if not ids:
        return lines
    if ids == ["@facets"]:
        return facets(lines)
    if ids == ["@trace"]:
        return timeline(lines)
    keep, current = [], None
    for i, line in enumerate(lines):
        m = CHECK_LINE.match(line)
        if m:
            current = m.group(2)
        elif not line.startswith("        "):
            current = None
        if i == 0 or line.startswith(("verdict:", "next:")) or (current in ids):
            keep.append(i)
    unknown = set(ids) - {"-"} - \
        {CHECK_LINE.match(l).group(2) for l in lines if CHECK_LINE.match(l)}
    if unknown:
        raise SystemExit(f"refresh_reports: fatal: no check {', '.join(sorted(unknown))} in the report")
    out, last = [], -1
    for i in keep:
        if i != last + 1:
            out.append("  [...]")
        out.append(lines[i])
        last = i
    return out


def render(run, ids):
    shown, lines, status = run
    body = [f"$ {shown}"] + excerpt(lines, ids) + ["$ echo $?", str(status)]
    return body


def refresh_page(path, runs, stamp):
    text = path.read_text().splitlines()
    out, i, changed = [], 0, False
    while i < len(text):
        line = text[i]
        if REGENERATED.match(line):
            out.append(f"Reports last regenerated: {stamp}.")
            i += 1
            continue
        m = MARKER.match(line)
        out.append(line)
        i += 1
        if not m:
            continue
        name, ids = m.group(1), (m.group(2).split(",") if m.group(2) else [])
        if i >= len(text) or not text[i].startswith("```"):
            raise SystemExit(f"refresh_reports: fatal: {path.name}: no code block after {line}")
        end = i + 1
        while end < len(text) and text[end] != "```":
            end += 1
        if end == len(text):
            raise SystemExit(f"refresh_reports: fatal: {path.name}: unterminated block after {line}")
        if name not in runs:
            args = candidate_args(name)
            if args is None:
                raise SystemExit(f"refresh_reports: fatal: {path.name}: unknown report {name}")
            runs[name] = run_checker(args)
        new = render(runs[name], wanted_ids(name, ids))
        changed |= text[i + 1:end] != new
        out += [text[i]] + new + ["```"]
        i = end + 1
    return out, changed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("pages", nargs="*", type=Path)
    args = parser.parse_args()
    if not (ROOT / CHECKER).exists():
        sys.exit(f"refresh_reports: fatal: {CHECKER} is not built: run make first")
    version = subprocess.run([str(ROOT / CHECKER), "--version"], capture_output=True,
                             text=True).stdout.strip()
    stamp = f"{datetime.date.today().isoformat()}, {version}"
    runs = {}
    for page in args.pages or sorted(HERE.glob("*.md")) + [ROOT / "docs" / "trace.md"]:
        lines, changed = refresh_page(page, runs, stamp)
        print(f"{'changed' if changed else 'same   '} {page.name}")
        if not args.dry_run:
            page.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
