#!/usr/bin/env python3
"""test_compare_doc.py - reruns the comparisons of docs/compare-c-python.md
and checks that what the page states about them still holds.

    docs/tools/test_compare_doc.py [--checker checker/checker] docs/compare-c-python.md

The page marks what this test reads, in HTML comments that do not render:

  <!-- compare-run: NAME -->         the ```sh block after it is one checker
                                     command line (backslash continuations
                                     allowed); it is run with --format json
                                     added, from the top of the repository
  <!-- compare-checks: NAME -->      the table after it lists each check of
                                     run NAME whose status is not the default,
                                     with its status in columns A and B
                                     ("pass or fail" allows either). A check
                                     not listed must pass on a side whose
                                     profile judges it (judged_by, from
                                     checker --list --format json), and skip
                                     on one whose profile does not;
                                     stop-command skips on a side that has no
                                     stop command
  <!-- compare-checks: NAME from BASE -->  the same, as changes to BASE's table
  <!-- compare-facets: NAME -->      the table after it lists every facet
                                     that the run marks as different, with
                                     the value of each side (where /dev/log
                                     exists, a syslog connection, "socket",
                                     is ignored; a pipe's inode number,
                                     pipe:[123], is read as pipe:[N])

Besides the tables, the statements of the prose are checked on the JSON
reports (signal masks, how each daemon ended, the seed port's pidfile bytes
and mode, how its second start and its stop are refused, what a service
manager's start changes); each is named in the output.

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

def judged_by(checker):
    """{check ID: set of the profiles that judge it}, from the checker's table."""
    out = subprocess.run([checker, "--list", "--format", "json"], stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    return {c["id"]: set(c["judged_by"]) for c in json.loads(out)["checks"]}


def option(argv, name):
    """The value of --name VALUE or --name=VALUE among the checker's own
    options (before --), or None."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == name and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(name + "="):
            return arg[len(name) + 1:]
    return None


def sides(argv):
    """{side: (profile, has a stop command)} as the command line sets them."""
    profile = option(argv, "--profile") or "sysv"
    return {"a": (profile, option(argv, "--stop-command") is not None),
            "b": (option(argv, "--compare-profile") or profile,
                  option(argv, "--compare-stop-command") is not None)}


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


def facet_text(value):
    """A facet's text without what only this machine or this run has: the
    syslog connection (only where /dev/log exists) and a pipe's inode."""
    value = re.sub(r"pipe:\[\d+\]", "pipe:[N]", value)
    if os.path.exists("/dev/log"):
        value = ", ".join(p for p in value.split(", ") if p != "socket")
    return value


def signal_sets(report):
    """(blocked, ignored) signal numbers from signals-reset's observation."""
    observed = by_id(report)["signals-reset"]["observed"]
    m = re.search(r"SigBlk ([0-9a-f]{16}), SigIgn ([0-9a-f]{16})", observed)
    if not m:
        return None
    return tuple({n + 1 for n in range(64) if int(mask, 16) >> n & 1} for mask in m.groups())


def by_id(report):
    return {c["id"]: c for c in report["checks"]}


def own_fds(report):
    """The targets of the daemon's descriptors above 2, in fd order."""
    fds = report["daemon"]["fds"] or {}
    return [fds[k] for k in sorted(fds, key=int) if int(k) > 2]


def kinds(targets):
    """socket:[123] and pipe:[123] without their inode numbers."""
    return [re.sub(r"^(socket|pipe):\[\d+\]$", r"\1", t) for t in targets]


def messages(report, key):
    """The notify datagrams holding the line key ("READY=1")."""
    return [m for m in report.get("notify", []) if key in m["message"].split("\n")]


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


def default_status(check, side, judged):
    """What a check not listed in the page's table must report on a side."""
    profile, has_stop = side
    if profile not in judged.get(check, ()):
        return "skip"
    if check == "stop-command" and not has_stop:
        return "skip"
    return "pass"


def judge_checks(t, name, report, table, argv, judged):
    ids = [c["id"] for c in report["a"]["checks"]]
    t.check(f"{name}: both reports list the checks of checker --list, in its order",
            ids == list(judged) and [c["id"] for c in report["b"]["checks"]] == ids,
            list(judged), (ids, [c["id"] for c in report["b"]["checks"]]))
    for check in sorted(set(table) - set(ids)):
        t.check(f"{name}: {check} is a check of this checker", False, "a check ID", check)
    for (side, setup), col in zip(sides(argv).items(), (0, 1)):
        t.check(f"{name}: side {side.upper()} ran under profile {setup[0]}",
                report[side]["profile"] == setup[0], setup[0], report[side]["profile"])
        checks = by_id(report[side])
        want = {i: table[i][col] if i in table else {default_status(i, setup, judged)}
                for i in ids}
        wrong = {i: s for i, s in ((i, checks[i]["status"]) for i in ids) if s not in want[i]}
        t.check(f"{name}: side {side.upper()} has the statuses of the page's table",
                not wrong, {i: "/".join(sorted(want[i])) for i in wrong},
                {i: f"{s}: {checks[i]['observed']}" for i, s in wrong.items()})


def judge_facets(t, name, report, facets):
    got = {d["facet"]: (d["a"], d["b"]) for d in report["differences"] if "facet" in d}
    t.check(f"{name}: the facets marked different are the page's",
            set(got) == set(facets), sorted(facets), sorted(got))
    for facet in sorted(set(got) & set(facets)):
        values = tuple(facet_text(v) for v in got[facet])
        t.check(f"{name}: facet {facet!r} reads as on the page",
                values == tuple(facet_text(v) for v in facets[facet]), facets[facet], values)


def judge_verdicts(t, name, code, report, verdict, status):
    got = (report["a"]["verdict"], report["b"]["verdict"], code)
    t.check(f"{name}: verdicts {verdict} and {verdict}, exit status {status}",
            got == (verdict, verdict, status), (verdict, verdict, status), got)


def ended(report):
    """daemon.exit without its pid: {"status": N} or {"signal": NAME}."""
    return {k: v for k, v in (report["daemon"].get("exit") or {}).items() if k != "pid"}


def judge_reference_prose(t, report, _judged):
    """What the page says about signals, descriptors and the stop in the
    reference pair."""
    a, b = signal_sets(report["a"]), signal_sets(report["b"])
    t.check("reference: C blocks exactly HUP, INT and TERM (for its signalfd), ignores none",
            a == ({SIGHUP, SIGINT, SIGTERM}, set()), "blocked {1, 2, 15}, ignored none", a)
    t.check("reference: Python blocks none, ignores exactly PIPE and XFSZ (the interpreter's)",
            b == (set(), {SIGPIPE, SIGXFSZ}), "blocked none, ignored {13, 25}", b)
    fds = report["a"]["daemon"]["fds"].values()
    t.check("reference: the C daemon's own descriptors include a signalfd",
            "anon_inode:[signalfd]" in fds, "anon_inode:[signalfd]", sorted(fds))
    got = (ended(report["a"]), ended(report["b"]))
    t.check("reference: both daemons, stopped by their own stop, exit with status 0",
            got == ({"status": 0}, {"status": 0}), "status 0 twice", got)


def judge_seed_prose(t, report, _judged):
    """What the page says about the seed's two daemons, on the JSON."""
    a, b = by_id(report["a"]), by_id(report["b"])
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
    closed = a["stdio-open"]["observed"]
    t.check("seed: the C recipe's daemon has 0, 1 and 2 closed",
            closed == "fd 0 closed, fd 1 closed, fd 2 closed",
            "fd 0 closed, fd 1 closed, fd 2 closed", closed)
    stale = a["stale-pidfile"]["observed"]
    t.check("seed: the C recipe leaves the stale pidfile as it was",
            re.fullmatch(r'the pidfile holds "(\d+)\\n" after a start with a stale one '
                         r'naming pid \1', stale), 'holds "N\\n" ... naming pid N', stale)
    second = re.search(r"exited with status 0 and left pid (\d+)", a["single-instance"]["observed"])
    left = a["no-leftovers"]["observed"]
    t.check("seed: the C recipe's second daemon is the one left over",
            second and left == f"1 left: {second.group(1)} (seed-as-publish)",
            "1 left: the pid of the second start", (a["single-instance"]["observed"], left))
    got = (ended(report["a"]), ended(report["b"]))
    t.check("seed: both daemons are ended by SIGTERM's default action",
            got == ({"signal": "SIGTERM"}, {"signal": "SIGTERM"}), "SIGTERM twice", got)


def judge_own_stop_prose(t, report, _judged):
    b = by_id(report["b"])
    stop = b["stops-on-sigterm"]["observed"]
    t.check("seed-own-stop: the class's own stop exits 1, the daemon runs on until the "
            "checker's SIGTERM",
            stop.startswith("still running") and "which exited with status 1" in stop
            and stop.endswith("the checker's own SIGTERM then ended it"),
            "still running ... which exited with status 1; the checker's own SIGTERM then "
            "ended it", stop)
    command = b["stop-command"]["observed"]
    t.check("seed-own-stop: stop-command sees the traceback and status 1",
            "exited with status 1" in command and "Traceback" in command,
            "exited with status 1 ... Traceback", command)
    got = ended(report["b"])
    t.check("seed-own-stop: the daemon is ended by the checker's SIGTERM",
            got == {"signal": "SIGTERM"}, {"signal": "SIGTERM"}, got)


def judge_new_style_prose(t, name, report, judged, b_fds):
    """What the page says of a classic daemon (A) beside its new-style mode
    (B); b_fds: the kinds of B's own descriptors, in fd order."""
    a, b = report["a"], report["b"]
    da, db = a["daemon"], b["daemon"]
    t.check(f"{name}: B leads its session and group (the manager's setsid), A does not",
            db["sid"] == db["pid"] == db["pgid"] and da["sid"] != da["pid"],
            "B: sid = pgid = pid; A: sid != pid", (da, db))
    t.check(f"{name}: both have the checker as parent (A adopted, B started by it)",
            da["ppid"] == db["ppid"], "the same ppid", (da["ppid"], db["ppid"]))
    t.check(f"{name}: umask 0000 set by A, 0022 left by the manager in B",
            (da["umask"], db["umask"]) == ("0000", "0022"), ("0000", "0022"),
            (da["umask"], db["umask"]))
    fds = db["fds"]
    t.check(f"{name}: B has /dev/null on 0, and 1 and 2 on one pipe",
            fds.get("0") == "/dev/null" and re.fullmatch(r"pipe:\[\d+\]", fds.get("1", ""))
            and fds.get("1") == fds.get("2"), "/dev/null, pipe:[N], the same pipe",
            [fds.get(k) for k in "012"])
    t.check(f"{name}: B's own descriptors are {', '.join(b_fds)}",
            kinds(own_fds(b)) == b_fds, b_fds, own_fds(b))
    t.check(f"{name}: B has no pidfile, A has one",
            db["pidfile"] is None and da["pidfile"] is not None, "null, a path",
            (da["pidfile"], db["pidfile"]))
    journal = b.get("journal") or []
    t.check(f"{name}: B's journal holds its log lines, A has none",
            "journal" not in a and any("serving on" in line for line in journal),
            "a line 'serving on ...'", journal)
    ready, stopping = messages(b, "READY=1"), messages(b, "STOPPING=1")
    reloading = messages(b, "RELOADING=1")
    t.check(f"{name}: B sent READY=1, RELOADING=1 with MONOTONIC_USEC=, READY=1, STOPPING=1, "
            f"all from its own pid",
            "notify" not in a and len(ready) == 2 and len(reloading) == 1 and len(stopping) == 1
            and "MONOTONIC_USEC=" in reloading[0]["message"]
            and {m["pid"] for m in b["notify"]} == {db["pid"]},
            "2 READY=1, 1 RELOADING=1, 1 STOPPING=1, from pid " + str(db["pid"]),
            b.get("notify"))
    got = (ended(a), ended(b))
    t.check(f"{name}: both exit with status 0 when stopped",
            got == ({"status": 0}, {"status": 0}), "status 0 twice", got)
    marked = {d["check"] for d in report["differences"] if "check" in d}
    lone = {i for i, p in judged.items() if len({a["profile"], b["profile"]} & p) == 1}
    t.check(f"{name}: no check that only one profile judges is marked different",
            not marked & lone, "none of " + ", ".join(sorted(lone)), sorted(marked & lone))
    skips = {(s, c["message"]) for s, r in (("A", a), ("B", b)) for c in r["checks"]
             if r["profile"] not in judged[c["id"]]}
    t.check(f"{name}: the checks a profile does not judge say why they skip",
            skips == {("A", "(a new-style check: --profile new-style)"),
                      ("B", "(not in the new-style profile: the service manager does this)")},
            "one message per side", sorted(skips))


def judge_new_style_c(t, report, judged):
    judge_new_style_prose(t, "new-style-c", report, judged,
                          ["socket", "anon_inode:[signalfd]", "socket"])


def judge_new_style_python(t, report, judged):
    judge_new_style_prose(t, "new-style-python", report, judged,
                          ["socket", "socket", "socket", "socket"])


RUNS = {
    # name: (verdict of both sides, exit status, statements of the prose)
    "reference": ("pass", 0, judge_reference_prose),
    "seed": ("fail", 1, judge_seed_prose),
    "seed-own-stop": ("fail", 1, judge_own_stop_prose),
    "new-style-c": ("pass", 0, judge_new_style_c),
    "new-style-python": ("pass", 0, judge_new_style_python),
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
    judged = judged_by(checker)

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
        judge_checks(t, name, report, checks, argv, judged)
        if facets is not None:
            judge_facets(t, name, report, facets)
        prose(t, report, judged)
    print(f"{t.passed} passed, {t.failed} failed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
