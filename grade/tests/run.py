#!/usr/bin/env python3
"""run.py - the tests of checker-grade.

A made-up class is written into a scratch directory and graded:
- as root, isolated: a correct C and a correct Python daemon, one with a
  planted fault of each, one that does not compile, one whose start never
  returns, one whose build never ends, a fork loop, a disk filler, a
  deleter, and a folder with nothing to run. Every row is checked, and that
  the CSV, the JSON and the HTML say the same, that the deleter deleted
  nothing, that no process of any submission's user remains, and that no
  temporary file is left;
- unisolated (--no-isolation), the benign ones and a per-student override:
  the tables must say that the run was not isolated;
- the page in headless Chromium (its DOM, its links, a screenshot kept in
  grade/tests/out/);
- an interrupted run leaves nothing running; bad input exits 2 with one
  line; `make install` puts checker-grade where it finds the checker; the
  man page renders cleanly.

Each case prints "ok NAME", "FAIL NAME" (with what was expected and what
came) or "skip NAME: reason"; the last line is "N passed, M failed".
"""
import csv
import html.parser
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GRADE = os.path.join(ROOT, "grade", "checker-grade")
CHECKER = os.path.join(ROOT, "checker", "checker")
MAN = os.path.join(ROOT, "docs", "man", "checker-grade.1")
OUT = os.path.join(HERE, "out")
BOX_TMP = "/tmp"    # where checker-grade mounts each sandbox's private tmpfs
UID_FIRST, UID_COUNT = 0x7E000000, 0x10000

sys.path.insert(0, HERE)
import make_class  # noqa: E402

results = {"passed": 0, "failed": 0, "skipped": 0}


def ok(name):
    results["passed"] += 1
    print(f"ok    {name}", flush=True)


def fail(name, *details):
    results["failed"] += 1
    print(f"FAIL  {name}", flush=True)
    for d in details:
        for line in str(d).splitlines() or [""]:
            print(f"        {line}")


def skip(name, reason):
    results["skipped"] += 1
    print(f"skip  {name}: {reason}", flush=True)


def expect(name, cond, *details):
    if cond:
        ok(name)
    else:
        fail(name, *details)


def expect_eq(name, expected, got):
    expect(name, expected == got, f"expected: {expected!r}", f"got:      {got!r}")


def check_ids():
    out = subprocess.run([CHECKER, "--list", "--format", "json"], capture_output=True, text=True,
                         check=True).stdout
    return [c["id"] for c in json.loads(out)["checks"]]


def grade(class_dir, out, tmpdir, *opts, timeout=300):
    env = dict(os.environ, TMPDIR=tmpdir)
    return subprocess.run([sys.executable, "-B", GRADE, "--checker", CHECKER, "-q", "-o", out,
                           *opts, class_dir], capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=timeout)


def processes_of(uids):
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status") as f:
                for line in f:
                    if line.startswith("Uid:"):
                        if any(int(u) in uids for u in line.split()[1:]):
                            found.append(int(entry.name))
                        break
        except OSError:
            continue
    return found


def processes_under(path):
    """Pids whose program or working directory lies under path."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        for link in ("exe", "cwd"):
            try:
                target = os.readlink(f"/proc/{entry.name}/{link}")
            except OSError:
                continue
            if target == path or target.startswith(path + "/"):
                found.append(int(entry.name))
                break
    return found


def isolation_unavailable():
    if os.geteuid() != 0:
        return "not root: submissions can only be graded unisolated"
    for tool in ("unshare", "setpriv", "prlimit", "mount"):
        if not shutil.which(tool):
            return f"{tool} is not installed"
    p = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "--mount", "--", "true"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return f"no namespaces here: {p.stderr.strip()}"
    return ""


# --- the three tables


def read_tables(out):
    with open(os.path.join(out, "grades.json")) as f:
        data = json.load(f)
    with open(os.path.join(out, "grades.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(out, "index.html")) as f:
        page = Page(f.read())
    return data, rows, page


class Page(html.parser.HTMLParser):
    """The class table of index.html: rows by student, cells by check."""

    def __init__(self, text):
        super().__init__()
        self.rows, self.columns, self.links, self.row = {}, [], [], None
        self.banner = ""
        self.in_banner = False
        self.scripts = 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "th" and (a.get("id") or "").startswith("col-"):
            self.columns.append(a["id"][4:])
        if tag == "tr":
            self.row = None
            if a.get("data-student") is not None:
                self.row = {"outcome": a.get("data-outcome"), "cells": {}}
                self.rows[a["data-student"]] = self.row
        if tag == "td" and self.row is not None and a.get("data-check"):
            status = [c for c in a.get("class", "").split() if c in ("pass", "fail", "warn", "skip")]
            self.row["cells"][a["data-check"]] = status[0] if status else ""
        if tag == "div" and a.get("id") == "isolation":
            self.in_banner = True

    def handle_endtag(self, tag):
        if tag == "div":
            self.in_banner = False

    def handle_data(self, data):
        if self.in_banner:
            self.banner += data


def tables_agree(name, out, ids):
    data, rows, page = read_tables(out)
    problems = []
    if [s["name"] for s in data["students"]] != [r["student"] for r in rows]:
        problems.append("the CSV and the JSON list other students")
    if sorted(page.rows) != sorted(r["student"] for r in rows):
        problems.append(f"the page lists {sorted(page.rows)}")
    if page.columns != [c for c in page.columns if c in ids] or sorted(page.columns) != sorted(ids):
        problems.append(f"the page's columns {page.columns} are not the checks {ids}")
    for s, r in zip(data["students"], rows):
        for key in ("outcome", "verdict", "reason"):
            if str(s[key]) != r[key]:
                problems.append(f"{s['name']}: {key}: JSON {s[key]!r}, CSV {r[key]!r}")
        if (s["score"], s["max_score"]) != (int(r["score"]), int(r["max_score"])):
            problems.append(f"{s['name']}: the scores differ")
        p = page.rows.get(s["name"], {})
        if p.get("outcome") != s["outcome"]:
            problems.append(f"{s['name']}: the page says {p.get('outcome')}")
        for cid in ids:
            if s["checks"][cid] != r[cid]:
                problems.append(f"{s['name']}: {cid}: JSON {s['checks'][cid]}, CSV {r[cid]}")
            if s["outcome"] == "graded" and p.get("cells", {}).get(cid) != s["checks"][cid]:
                problems.append(f"{s['name']}: {cid}: page {p.get('cells', {}).get(cid)}, "
                                f"JSON {s['checks'][cid]}")
    expect(f"{name}: CSV, JSON and HTML agree on every row and cell", not problems, *problems[:10])
    return data, rows, page


def failed_checks(student):
    return {cid for cid, st in student["checks"].items() if st == "fail"}


# --- the isolated class


def hostile_class(tmp):
    cls = os.path.join(tmp, "class")
    teacher = os.path.join(tmp, "teacher")
    os.makedirs(teacher)
    precious = os.path.join(teacher, "precious.txt")
    with open(precious, "w") as f:
        f.write("the teacher's\n")
    make_class.correct_c(os.path.join(cls, "alice"))
    make_class.faulty_c(os.path.join(cls, "bob"), "umask")
    make_class.broken_c(os.path.join(cls, "carol"))
    make_class.correct_python(os.path.join(cls, "dave"))
    make_class.hangs_at_start(os.path.join(cls, "erin"))
    make_class.fork_loop(os.path.join(cls, "frank"))
    make_class.disk_filler(os.path.join(cls, "gina"))
    victims = [precious, os.path.join(cls, "alice", "mydaemon.c"), os.path.join(cls, "grade.conf")]
    make_class.deleter(os.path.join(cls, "hugo"), victims)
    make_class.hangs_in_build(os.path.join(cls, "ivan"))
    make_class.faulty_python(os.path.join(cls, "judy"), "umask")
    make_class.write(os.path.join(cls, "kate"), "README", "I will hand it in tomorrow.\n")
    make_class.write(cls, "grade.conf", "# the test's class\n[grade]\noptions = --timeout 2\n")
    return cls, victims


def expect_row(students, name, outcome, **want):
    s = students.get(name)
    if s is None:
        fail(f"row {name}", "no such row")
        return
    problems = []
    if s["outcome"] != outcome:
        problems.append(f"outcome: expected {outcome}, got {s['outcome']} ({s['reason']})")
    if "verdict" in want and s["verdict"] != want["verdict"]:
        problems.append(f"verdict: expected {want['verdict']}, got {s['verdict']}")
    if "failed" in want and failed_checks(s) != want["failed"]:
        problems.append(f"failed checks: expected {sorted(want['failed'])}, got {sorted(failed_checks(s))}")
    for cid in want.get("fails", ()):
        if s["checks"].get(cid) != "fail":
            problems.append(f"{cid}: expected fail, got {s['checks'].get(cid)!r}")
    for part in want.get("reason", ()):
        if part not in s["reason"]:
            problems.append(f"reason: expected to contain {part!r}, got {s['reason']!r}")
    if want.get("full") and s["score"] != s["max_score"]:
        problems.append(f"score {s['score']}/{s['max_score']}")
    expect(f"row {name}: {want.get('what', outcome)}", not problems, *problems)


def test_isolated(tmp, ids):
    why = isolation_unavailable()
    if why:
        skip("isolated class", why)
        return None
    # The class and the teacher's file lie outside /tmp (which each sandbox
    # replaces with its own): the class folder must be hidden by its own
    # mount, and the teacher's file, visible, protected by the uid alone.
    os.makedirs(OUT, exist_ok=True)
    work = tempfile.mkdtemp(prefix="work.", dir=OUT)
    try:
        return isolated_class(tmp, work, ids)
    finally:
        shutil.rmtree(work)


def isolated_class(tmp, work, ids):
    cls, victims = hostile_class(work)
    out = os.path.join(tmp, "grades")
    tmpdir = os.path.join(tmp, "tmpdir")
    os.mkdir(tmpdir)
    before = {v: open(v, "rb").read() for v in victims}
    began = time.monotonic()
    p = grade(cls, out, tmpdir, "--time-limit", "10", "--disk-limit", "16")
    took = time.monotonic() - began
    expect(f"isolated class: checker-grade exits 0 (11 submissions in {took:.0f} s)",
           p.returncode == 0, f"status {p.returncode}", p.stderr)
    if p.returncode != 0:
        return None
    data, rows, page = tables_agree("isolated class", out, ids)
    students = {s["name"]: s for s in data["students"]}
    expect_row(students, "alice", "graded", verdict="pass", failed=set(), full=True,
               what="correct C daemon passes, score full")
    expect_row(students, "bob", "graded", verdict="fail", failed={"umask"},
               what="planted umask fault fails umask only")
    expect_row(students, "carol", "build-failed", reason=("mydaemon.c", "error"),
               what="does not compile: the compiler's error")
    expect_row(students, "dave", "graded", verdict="pass", failed=set(), full=True,
               what="correct Python daemon passes")
    expect_row(students, "erin", "graded", verdict="fail", fails=("launcher-exits",),
               what="start never returns: launcher-exits fails")
    expect_row(students, "frank", "not-started", reason=("forks without end",),
               what="fork loop: stopped at its process limit")
    expect_row(students, "gina", "build-failed", reason=("filled its private disk (16 MiB)",),
               what="disk filler: its disk is full, not the machine's")
    # A kit checked out under /tmp is hidden by the sandbox's own tmpfs on
    # /tmp: the rm then finds nothing, elsewhere it is refused.
    hidden = os.path.realpath(victims[0]).startswith(BOX_TMP + "/")
    expect_row(students, "hugo", "build-failed",
               reason=("rm: cannot remove", victims[0],
                       "No such file or directory" if hidden else "Permission denied"),
               what="deleter: its rm of the teacher's file is "
                    + ("hidden from it" if hidden else "denied"))
    expect_row(students, "ivan", "timeout", reason=("within 10 s", "while building"),
               what="build never ends: timed out")
    expect_row(students, "judy", "graded", verdict="fail", failed={"umask"},
               what="Python daemon with a planted fault")
    expect_row(students, "kate", "no-source", reason=("no Makefile, .c or .py",),
               what="nothing to run")
    after = {v: open(v, "rb").read() if os.path.exists(v) else None for v in victims}
    expect("deleter: the teacher's file, another's source and grade.conf are intact",
           after == before, f"changed: {[v for v in victims if after[v] != before[v]]}")
    gina_junk = [os.path.join(r, f) for r, _, fs in os.walk(cls) for f in fs if f == "junk"]
    expect("disk filler: its junk is nowhere in the class folder", not gina_junk, gina_junk)
    uids = [s["uid"] for s in data["students"] if s["uid"] is not None]
    expect("each submission ran as a user of its own, from the high range",
           len(set(uids)) == len(uids) == 10 and all(UID_FIRST <= u < UID_FIRST + UID_COUNT for u in uids),
           f"uids: {uids}")
    left = processes_of(set(uids))
    expect("no process of any submission's user remains", not left, f"pids: {left}")
    expect("the JSON says isolated, and each row does", data["isolated"] is True
           and all(s["isolated"] for s in data["students"]) and all(r["isolated"] == "yes" for r in rows))
    expect("the page says isolated", page.banner.startswith("Isolated."), page.banner[:80])
    expect_eq("no temporary file left in TMPDIR", [], os.listdir(tmpdir))
    frank = students.get("frank", {})
    expect("fork loop: more processes made than its limit, all gone",
           (frank.get("processes_created") or 0) >= 64, f"processes_created {frank.get('processes_created')}")
    totals = {c["id"]: c["totals"] for c in data["checks"]}
    expect_eq("totals: umask failed by bob, judy and erin", 3, totals.get("umask", {}).get("fail"))
    steps = {s["number"]: s for s in data["steps"]}
    expect_eq("totals: step 2 (umask) missed by 3 graded students", 3,
              steps.get(2, {}).get("students_missed"))
    return out


# --- the unisolated class


def benign_class(tmp):
    cls = os.path.join(tmp, "plain")
    make_class.correct_c(os.path.join(cls, "alice"))
    make_class.faulty_c(os.path.join(cls, "bob"), "cwd")
    make_class.broken_c(os.path.join(cls, "carol"))
    make_class.correct_python(os.path.join(cls, "dave"))
    make_class.faulty_python(os.path.join(cls, "Zoé Martin"), "umask")
    # Two .py files that can run: checker-grade cannot tell, grade.conf says.
    mike = os.path.join(cls, "mike")
    make_class.correct_python(mike)
    os.rename(os.path.join(mike, "mydaemon.py"), os.path.join(mike, "srv.py"))
    make_class.write(mike, "tool.py", 'if __name__ == "__main__":\n    print("a tool")\n')
    nina = os.path.join(cls, "nina")
    shutil.copytree(mike, nina)
    make_class.write(cls, "grade.conf",
                     "[grade]\noptions = --timeout 2\n\n[student mike]\n"
                     "start = python3 srv.py start --pidfile {pidfile}\n"
                     "stop = python3 srv.py stop --pidfile {pidfile}\n")
    return cls


def test_unisolated(tmp, ids):
    cls = benign_class(tmp)
    out = os.path.join(tmp, "plain-grades")
    tmpdir = os.path.join(tmp, "plain-tmpdir")
    os.mkdir(tmpdir)
    p = grade(cls, out, tmpdir, "--no-isolation", "--time-limit", "20")
    expect_eq("unisolated class: checker-grade exits 0", 0, p.returncode)
    if p.returncode != 0:
        fail("unisolated class: stderr", p.stderr)
        return None
    data, rows, page = tables_agree("unisolated class", out, ids)
    students = {s["name"]: s for s in data["students"]}
    expect_row(students, "alice", "graded", verdict="pass", failed=set(), full=True,
               what="unisolated: correct C daemon passes")
    expect_row(students, "bob", "graded", verdict="fail", failed={"cwd"},
               what="unisolated: planted cwd fault fails cwd only")
    expect_row(students, "carol", "build-failed", reason=("error",),
               what="unisolated: does not compile")
    expect_row(students, "dave", "graded", verdict="pass", failed=set(),
               what="unisolated: correct Python daemon passes")
    expect_row(students, "Zoé Martin", "graded", verdict="fail", failed={"umask"},
               what="a name with a space and an accent")
    expect_row(students, "mike", "graded", verdict="pass", failed=set(),
               what="[student mike] in grade.conf says which .py starts")
    expect_row(students, "nina", "no-source", reason=("say which in grade.conf",),
               what="two runnable .py files and no word from grade.conf")
    expect("unisolated: the JSON says not isolated, and each row does",
           data["isolated"] is False and all(s["isolated"] is False for s in data["students"])
           and all(r["isolated"] == "no" for r in rows))
    expect("unisolated: the page says so first", page.banner.startswith("Not isolated."),
           page.banner[:80])
    expect("unisolated: the JSON says why", "--no-isolation" in data["isolation"]
           or "root" in data["isolation"], data["isolation"])
    expect_eq("unisolated: no temporary file left in TMPDIR", [], os.listdir(tmpdir))
    left = processes_under(tmp)
    expect("unisolated: no process runs from the class's copies", not left, f"pids: {left}")
    return out


# --- the page in a browser


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium(tmp, *args):
    profile = tempfile.mkdtemp(dir=tmp, prefix="chromium.")
    try:
        return subprocess.run(["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                               "--enable-logging=stderr", "--v=0", *args],
                              capture_output=True, text=True, timeout=120,
                              stdin=subprocess.DEVNULL)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def test_browser(tmp, out, ids, label, keep):
    if out is None:
        skip(f"{label} page in Chromium", "that class was not graded")
        return
    if not shutil.which("chromium"):
        skip(f"{label} page in Chromium", "chromium is not installed (Debian: chromium)")
        return
    url = "file://" + urllib.parse.quote(os.path.join(out, "index.html"))
    p = chromium(tmp, "--dump-dom", url)
    expect(f"{label}: Chromium loads the page", p.returncode == 0 and "<table" in p.stdout, p.stderr[-500:])
    page = Page(p.stdout)
    with open(os.path.join(out, "grades.json")) as f:
        names = [s["name"] for s in json.load(f)["students"]]
    expect_eq(f"{label}: DOM: a row for every student", sorted(names), sorted(page.rows))
    expect_eq(f"{label}: DOM: a column for every check of checker --list", sorted(ids), sorted(page.columns))
    local = [h for h in page.links if not re.match(r"^[a-z]+:", h) and not h.startswith("#")]
    missing = [h for h in local
               if not os.path.isfile(os.path.join(out, urllib.parse.unquote(h)))]
    reports = {h for h in local if h.startswith("students/")}
    expect(f"{label}: DOM: every link resolves to a file beside the page", local and not missing,
           f"missing: {missing[:5]}")
    expect(f"{label}: DOM: every student's report is linked", all(
        f"students/{urllib.parse.quote(n)}.txt" in reports for n in names))
    expect(f"{label}: DOM: no link leaves the page's folder",
           all(not h.startswith(("/", "..")) for h in local) and not any(
               re.match(r"^(https?|ftp):", h) for h in page.links))
    errors = [l for l in p.stderr.splitlines() if "CONSOLE" in l or "Uncaught" in l]
    expect(f"{label}: no script error, no script at all", not errors and page.scripts == 0, *errors[:3])
    if not keep:
        return
    os.makedirs(OUT, exist_ok=True)
    shot = os.path.join(OUT, "class.png")
    if os.path.exists(shot):
        os.unlink(shot)
    p = chromium(tmp, f"--screenshot={shot}", "--window-size=1400,1100", "--hide-scrollbars", url)
    expect("screenshot written to grade/tests/out/class.png",
           p.returncode == 0 and os.path.isfile(shot) and os.path.getsize(shot) > 10000,
           p.stderr[-300:])
    # The page itself is kept beside the screenshot, to be opened by a person.
    kept = os.path.join(OUT, "class")
    shutil.rmtree(kept, ignore_errors=True)
    shutil.copytree(out, kept)


# --- an interrupted run


def test_interrupt(tmp):
    why = isolation_unavailable()
    if why:
        skip("interrupted run", why)
        return
    cls = os.path.join(tmp, "interrupted")
    make_class.hangs_in_build(os.path.join(cls, "ivan"))
    make_class.hangs_in_build(os.path.join(cls, "olga"))
    tmpdir = os.path.join(tmp, "int-tmpdir")
    os.mkdir(tmpdir)
    env = dict(os.environ, TMPDIR=tmpdir)
    proc = subprocess.Popen([sys.executable, "-B", GRADE, "--checker", CHECKER, "-q", "-j", "2",
                             "-o", os.path.join(tmp, "int-grades"), cls],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    # Wait until both builds run (their `tail` under a submission uid), a
    # bounded poll of a condition.
    end, uids = time.monotonic() + 30, set()
    while time.monotonic() < end and len(uids) < 2:
        uids = set()
        for pid in processes_of(set(range(UID_FIRST, UID_FIRST + UID_COUNT))):
            try:
                with open(f"/proc/{pid}/comm") as f:
                    if f.read().strip() == "tail":
                        uids.add(os.stat(f"/proc/{pid}").st_uid)
            except OSError:
                pass
        if len(uids) < 2:
            time.sleep(0.05)
    expect("interrupted run: both builds were running", len(uids) == 2, f"uids {uids}")
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    expect_eq("interrupted run: exit status 1", 1, proc.returncode)
    expect("interrupted run: says so", "interrupted" in err, err)
    left = processes_of(uids)
    expect("interrupted run: no process of either submission remains", not left, f"pids {left}")
    expect_eq("interrupted run: no temporary file left", [], os.listdir(tmpdir))


# --- bad input


def test_bad_input(tmp):
    tmpdir = os.path.join(tmp, "bad-tmpdir")
    os.mkdir(tmpdir)
    missing = os.path.join(tmp, "no-such-class")
    p = grade(missing, os.path.join(tmp, "g0"), tmpdir)
    lines = p.stderr.strip().splitlines()
    expect("DIR missing: exit 2, one line naming it", p.returncode == 2 and len(lines) == 1
           and missing in lines[0], f"status {p.returncode}", p.stderr)
    cases = [
        ("unknown key", "[grade]\nbulid = make\n", "unknown key 'bulid'"),
        ("no section", "build = make\n", "line 1"),
        ("unknown section", "[grading]\nbuild = make\n", "unknown section [grading]"),
        ("an option checker-grade sets", "[grade]\noptions = --format text\n", "--format"),
        ("unbalanced quote", "[grade]\nstart = ./daemon 'start\n", "start"),
        ("empty start", "[grade]\nstart =\n", "empty"),
        ("a student who is not there", "[student zoe]\nstart = ./daemon\n", "zoe"),
    ]
    for i, (what, text, needle) in enumerate(cases):
        cls = os.path.join(tmp, f"bad{i}")
        make_class.write(os.path.join(cls, "alice"), "README", "x\n")
        make_class.write(cls, "grade.conf", text)
        p = grade(cls, os.path.join(tmp, f"g{i}"), tmpdir)
        lines = p.stderr.strip().splitlines()
        expect(f"bad grade.conf ({what}): exit 2, one line naming grade.conf and the problem",
               p.returncode == 2 and len(lines) == 1 and "grade.conf" in lines[0] and needle in lines[0],
               f"status {p.returncode}", p.stderr)
    expect_eq("bad input: no temporary file left", [], os.listdir(tmpdir))


# --- install and the man page


def test_install(tmp):
    dest = os.path.join(tmp, "dest")
    env = dict(os.environ, MAKEFLAGS="")
    env.pop("MAKELEVEL", None)
    p = subprocess.run(["make", "--no-print-directory", "-C", ROOT, "install", f"DESTDIR={dest}",
                        "PREFIX=/usr/local"], capture_output=True, text=True, env=env)
    expect("make install DESTDIR=...", p.returncode == 0, p.stdout[-500:], p.stderr[-500:])
    bindir = os.path.join(dest, "usr", "local", "bin")
    prog = os.path.join(bindir, "checker-grade")
    man = os.path.join(dest, "usr", "local", "share", "man", "man1", "checker-grade.1")
    expect("checker-grade installed beside checker, mode 755",
           os.path.isfile(prog) and oct(os.stat(prog).st_mode & 0o777) == "0o755"
           and os.path.isfile(os.path.join(bindir, "checker")))
    expect("its man page installed beside checker.1", os.path.isfile(man))
    if not os.path.isfile(prog):
        return
    cls = os.path.join(tmp, "one")
    make_class.correct_python(os.path.join(cls, "dave"))
    out = os.path.join(tmp, "one-grades")
    tmpdir = os.path.join(tmp, "one-tmpdir")
    os.mkdir(tmpdir)
    p = subprocess.run([prog, "-q", "--no-isolation", "-o", out, cls], capture_output=True, text=True,
                       env=dict(os.environ, TMPDIR=tmpdir), stdin=subprocess.DEVNULL)
    used = ""
    if p.returncode == 0:
        with open(os.path.join(out, "grades.json")) as f:
            used = json.load(f)["checker"]["path"]
    expect_eq("the installed checker-grade uses the checker beside it",
              os.path.realpath(os.path.join(bindir, "checker")), used)


def test_man():
    if not os.path.isfile(MAN):
        fail("man page exists", MAN)
        return
    if shutil.which("groff"):
        p = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", MAN], capture_output=True, text=True)
        expect("man page: groff -ww renders it without a warning", p.returncode == 0 and not p.stderr,
               p.stderr)
    else:
        skip("man page: groff -ww", "groff is not installed")
    if not shutil.which("man"):
        skip("man page: man -l", "man is not installed (Debian: man-db)")
        return
    p = subprocess.run(["man", "-l", MAN], capture_output=True, text=True,
                       env=dict(os.environ, MANWIDTH="80"))
    expect("man page: man -l renders it, stderr empty", p.returncode == 0 and not p.stderr, p.stderr)
    wide = [l for l in p.stdout.splitlines() if len(l) > 80]
    expect("man page: every line fits 80 columns", not wide, *wide[:3])
    helptext = subprocess.run([sys.executable, GRADE, "--help"], capture_output=True, text=True).stdout
    with open(MAN) as f:
        roff = f.read()
    missing = [o for o in sorted(set(re.findall(r"--[a-z][a-z-]*", helptext)))
               if o.replace("-", "\\-") not in roff]
    expect("man page: documents every option of --help", not missing, f"missing: {missing}")
    for section in ("SYNOPSIS", "DESCRIPTION", "OPTIONS", "CONFIGURATION", "ISOLATION",
                    "EXIT STATUS", "EXAMPLES", "SEE ALSO"):
        if f".SH {section}" not in roff and f'.SH "{section}"' not in roff:
            fail(f"man page: section {section}")
            return
    ok("man page: every section is there")


def main():
    if not os.access(CHECKER, os.X_OK):
        print(f"grade-check: fatal: {CHECKER} is not built (run make)", file=sys.stderr)
        return 1
    ids = check_ids()
    with tempfile.TemporaryDirectory(prefix="grade-check.") as tmp:
        test_bad_input(tmp)
        out = test_isolated(tmp, ids)
        plain = test_unisolated(tmp, ids)
        test_browser(tmp, out, ids, "isolated class", keep=True)
        test_browser(tmp, plain, ids, "unisolated class", keep=out is None)
        test_interrupt(tmp)
        test_install(tmp)
        test_man()
    if results["skipped"]:
        print(f"{results['skipped']} skipped")
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
