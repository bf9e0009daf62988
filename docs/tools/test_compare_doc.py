#!/usr/bin/env python3
"""test_compare_doc.py - reruns the comparisons of docs/compare-c-python.md
and checks that what the page states about them still holds.

    docs/tools/test_compare_doc.py [--checker checker/checker] docs/compare-c-python.md

The page marks what this test reads, in HTML comments that do not render:

  <!-- compare-run: NAME -->         the ```sh block after it is one checker
                                     command line (backslash continuations
                                     allowed); it is run with --format json
                                     added, from the top of the repository
  <!-- compare-checks: NAME -->      the table after it lists each check that
                                     does not pass on both sides of run NAME,
                                     with its status in columns A and B
                                     ("pass or fail" allows either); every
                                     check not listed must pass on both
  <!-- compare-checks: NAME from BASE -->  the same, as changes to BASE's table
  <!-- compare-facets: NAME -->      the table after it lists every facet
                                     that the run marks as different, with
                                     the value of each side (a syslog
                                     connection, "socket", is ignored: it
                                     exists only where /dev/log does)

Besides the tables, a few statements of the prose are checked on the JSON
reports (signal masks, the seed port's pidfile bytes and mode, how its
second start is refused); each is named in the output.

A checker that is not built skips everything, saying why. Ends with
"N passed, M failed"; exits 1 when anything failed.
"""
import argparse
import json
import os
import re
import shlex
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RUN_LIMIT_S = 180       # a comparison is two checker runs of a few seconds
STATUSES = ("pass", "fail", "warn", "skip")
MARK = re.compile(r"^<!--\s*compare-(run|checks|facets):\s*(\S+)(?:\s+from\s+(\S+))?\s*-->\s*$")

SIGHUP, SIGINT, SIGPIPE, SIGXFSZ, SIGTERM = (
    int(s) for s in (signal.SIGHUP, signal.SIGINT, signal.SIGPIPE, signal.SIGXFSZ,
                     signal.SIGTERM))


class PageError(Exception):
    pass


# --- reading the page ---------------------------------------------------------

def read_marked(path):
    """{(kind, name): (base, payload)} for every marker of the page."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    marked = {}
    for i, line in enumerate(lines):
        m = MARK.match(line.strip())
        if not m:
            continue
        kind, name, base = m.groups()
        if (kind, name) in marked:
            raise PageError(f"{path}:{i + 1}: a second compare-{kind} marker for {name}")
        where = f"{path}:{i + 1}"
        payload = command_after(lines, i + 1, where) if kind == "run" \
            else table_after(lines, i + 1, where)
        marked[(kind, name)] = (base, payload)
    return marked


def command_after(lines, start, where):
    """The argv of the ```sh block after `start`, without leading VAR=value."""
    i = start
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines) or not lines[i].strip().startswith("```"):
        raise PageError(f"{where}: no code block after the marker")
    body = []
    for line in lines[i + 1:]:
        if line.strip().startswith("```"):
            break
        body.append(line)
    else:
        raise PageError(f"{where}: unterminated code block")
    text = "\n".join(body).replace("\\\n", " ")
    commands = [c for c in text.splitlines() if c.strip() and not c.lstrip().startswith("#")]
    if len(commands) != 1:
        raise PageError(f"{where}: the block must hold exactly one command")
    argv = shlex.split(commands[0])
    while argv and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", argv[0]):
        argv.pop(0)
    if not argv or argv[0] != "checker/checker":
        raise PageError(f"{where}: the command must start with checker/checker")
    return argv


def cells(line):
    return [c.strip().strip("`").strip() for c in line.strip().strip("|").split("|")]


def table_after(lines, start, where):
    """The rows of the markdown table after `start`: [{header: cell}]."""
    i = start
    while i < len(lines) and not lines[i].strip():
        i += 1
    rows = []
    while i < len(lines) and lines[i].lstrip().startswith("|"):
        rows.append(cells(lines[i]))
        i += 1
    if len(rows) < 2 or not set("".join(rows[1])) <= set("-: "):
        raise PageError(f"{where}: no markdown table after the marker")
    return [dict(zip(map(column_name, rows[0]), r)) for r in rows[2:]]


def column_name(header):
    """A header ending in (A) or (B) names that column; any other, its first word."""
    m = re.search(r"\(([AB])\)$", header)
    return m.group(1) if m else (header.split() or [""])[0].lower()


def statuses(cell, where):
    found = set(re.findall(r"\b(" + "|".join(STATUSES) + r")\b", cell))
    if not found:
        raise PageError(f"{where}: {cell!r} names no status")
    return found


def expected_checks(marked, name, seen=()):
    """{check: (allowed A statuses, allowed B statuses)} from the page."""
    if ("checks", name) not in marked:
        raise PageError(f"no compare-checks table for {name}")
    if name in seen:
        raise PageError(f"compare-checks: {name} is its own base")
    base, rows = marked[("checks", name)]
    table = dict(expected_checks(marked, base, seen + (name,))) if base else {}
    for row in rows:
        check = row.get("check")
        if not check or "A" not in row or "B" not in row:
            raise PageError(f"compare-checks {name}: a row needs check, A and B: {row}")
        table[check] = (statuses(row["A"], f"{name}/{check}/A"),
                        statuses(row["B"], f"{name}/{check}/B"))
    return table


def expected_facets(marked, name):
    if ("facets", name) not in marked:
        raise PageError(f"no compare-facets table for {name}")
    return {row["facet"]: (row["A"], row["B"]) for row in marked[("facets", name)][1]}


# --- running the checker ------------------------------------------------------

def run_comparison(checker, argv):
    """(exit status, report) of argv with --format json; the report is None
    with the reason when it is unreadable."""
    argv = [checker, "--format", "json"] + argv[1:]
    with subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as run:
        try:
            out, err = run.communicate(timeout=RUN_LIMIT_S)
        except BaseException:
            # SIGTERM, not SIGKILL: the checker then still ends every process
            # the daemons started, as it promises.
            run.terminate()
            run.communicate()
            raise
    try:
        return run.returncode, json.loads(out)
    except ValueError as exc:
        return run.returncode, f"unreadable report ({exc}); stderr: {err.strip()[:300]}"


def without_syslog(value):
    return ", ".join(p for p in value.split(", ") if p != "socket")


def signal_sets(report):
    """(blocked, ignored) signal numbers from signals-reset's observation."""
    observed = by_id(report)["signals-reset"]["observed"]
    m = re.search(r"SigBlk ([0-9a-f]{16}), SigIgn ([0-9a-f]{16})", observed)
    if not m:
        return None
    return tuple({n + 1 for n in range(64) if int(mask, 16) >> n & 1} for mask in m.groups())


def by_id(report):
    return {c["id"]: c for c in report["checks"]}


# --- the assertions -----------------------------------------------------------

class Tally:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, what, ok, expected=None, got=None):
        if ok:
            self.passed += 1
            print(f"ok   {what}")
        else:
            self.failed += 1
            print(f"FAIL {what}")
            if expected is not None or got is not None:
                print(f"     expected: {expected}\n     got:      {got}")


def judge_checks(t, name, report, table):
    ids = [c["id"] for c in report["a"]["checks"]]
    for check in sorted(set(table) - set(ids)):
        t.check(f"{name}: {check} is a check of this checker", False, "a check ID", check)
    for side, col in (("a", 0), ("b", 1)):
        checks = by_id(report[side])
        got = {i: checks[i]["status"] for i in ids}
        wrong = {i: s for i, s in got.items()
                 if s not in (table[i][col] if i in table else {"pass"})}
        want = {i: "/".join(sorted(table[i][col])) if i in table else "pass" for i in wrong}
        t.check(f"{name}: side {side.upper()} has the statuses of the page's table",
                not wrong, want, {i: f"{s}: {checks[i]['observed']}" for i, s in wrong.items()})


def judge_facets(t, name, report, facets):
    got = {d["facet"]: (d["a"], d["b"]) for d in report["differences"] if "facet" in d}
    t.check(f"{name}: the facets marked different are the page's",
            set(got) == set(facets), sorted(facets), sorted(got))
    for facet in sorted(set(got) & set(facets)):
        values = tuple(without_syslog(v) for v in got[facet])
        t.check(f"{name}: facet {facet!r} reads as on the page",
                values == tuple(without_syslog(v) for v in facets[facet]), facets[facet], values)


def judge_verdicts(t, name, code, report, verdict, status):
    got = (report["a"]["verdict"], report["b"]["verdict"], code)
    t.check(f"{name}: verdicts {verdict} and {verdict}, exit status {status}",
            got == (verdict, verdict, status), (verdict, verdict, status), got)


def judge_reference_prose(t, report):
    """What the page says about signals in the reference pair."""
    a, b = signal_sets(report["a"]), signal_sets(report["b"])
    t.check("reference: C blocks exactly HUP, INT and TERM (for its signalfd), ignores none",
            a == ({SIGHUP, SIGINT, SIGTERM}, set()), "blocked {1, 2, 15}, ignored none", a)
    t.check("reference: Python blocks none, ignores exactly PIPE and XFSZ (the interpreter's)",
            b == (set(), {SIGPIPE, SIGXFSZ}), "blocked none, ignored {13, 25}", b)
    fds = report["a"]["daemon"]["fds"].values()
    t.check("reference: the C daemon's own descriptors include a signalfd",
            "anon_inode:[signalfd]" in fds, "anon_inode:[signalfd]", sorted(fds))


def judge_seed_prose(t, report):
    """What the page says about the seed's Python class, on the JSON."""
    b = by_id(report["b"])
    content = b["pidfile-content"]["observed"]
    t.check('seed: the Python class writes "PID/n"', re.fullmatch(r'"\d+/n"', content),
            '"PID/n"', content)
    safe = b["pidfile-safe"]["observed"]
    t.check("seed: its pidfile has mode 0666", "mode 0666" in safe, "mode 0666", safe)
    removed = b["pidfile-removed"]["observed"]
    t.check("seed: SIGTERM leaves its pidfile behind", removed.startswith("still there"),
            "still there, ...", removed)
    second = b["single-instance"]["observed"]
    t.check("seed: its second start is refused by a traceback, status 1",
            "status 1" in second and "Traceback" in second, "status 1 ... Traceback", second)
    stale = b["stale-pidfile"]["observed"]
    t.check("seed: a stale pidfile refuses its start with the class's message",
            "status 1" in stale and "names a pid: is the daemon running already?/n" in stale,
            "status 1 ... names a pid: is the daemon running already?/n", stale)
    a_sig, b_sig = signal_sets(report["a"]), signal_sets(report["b"])
    t.check("seed: Python ignores PIPE and XFSZ, the C recipe neither",
            a_sig and b_sig and {SIGPIPE, SIGXFSZ} <= b_sig[1]
            and not {SIGPIPE, SIGXFSZ} & a_sig[1], "only B ignores 13 and 25", (a_sig, b_sig))


def judge_own_stop_prose(t, report):
    stop = by_id(report["b"])["stops-on-sigterm"]["observed"]
    t.check("seed-own-stop: the class's own stop exits 1 and the daemon keeps running",
            stop.startswith("still running") and "exited with status 1" in stop,
            "still running ...; the stop command exited with status 1", stop)


RUNS = {
    # name: (verdict of both sides, exit status, extra statements)
    "reference": ("pass", 0, judge_reference_prose),
    "seed": ("fail", 1, judge_seed_prose),
    "seed-own-stop": ("fail", 1, judge_own_stop_prose),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checker", default=os.path.join(ROOT, "checker", "checker"))
    parser.add_argument("page", nargs="?", default=os.path.join(ROOT, "docs", "compare-c-python.md"))
    args = parser.parse_args()
    checker = os.path.abspath(args.checker)
    t = Tally()

    if not os.access(checker, os.X_OK):
        print(f"SKIP every comparison: {checker} is not built (make checker/checker)")
        print(f"{t.passed} passed, {t.failed} failed")
        return 0
    try:
        marked = read_marked(args.page)
        plan = [(name, marked[("run", name)][1], expected_checks(marked, name),
                 expected_facets(marked, name) if ("facets", name) in marked else None)
                for name in RUNS]
    except (OSError, PageError, KeyError) as exc:
        t.check(f"the page's marked commands and tables are readable ({exc})", False)
        print(f"{t.passed} passed, {t.failed} failed")
        return 1

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda s, _f: sys.exit(128 + s))
    for name, argv, checks, facets in plan:
        verdict, status, prose = RUNS[name]
        print(f"# {name}: {shlex.join(argv)}")
        try:
            code, report = run_comparison(checker, argv)
        except subprocess.TimeoutExpired:
            t.check(f"{name}: the checker finishes within {RUN_LIMIT_S} s", False)
            continue
        if not isinstance(report, dict):
            t.check(f"{name}: a JSON report (exit status {code})", False, "JSON", report)
            continue
        judge_verdicts(t, name, code, report, verdict, status)
        judge_checks(t, name, report, checks)
        if facets is not None:
            judge_facets(t, name, report, facets)
        prose(t, report)
    print(f"{t.passed} passed, {t.failed} failed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
