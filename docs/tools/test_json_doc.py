#!/usr/bin/env python3
"""test_json_doc.py - docs/json.md against the checker's real reports.

    docs/tools/test_json_doc.py [--checker checker/checker] [--sample tests/trace/render/render_sample] docs/json.md

The page marks what this test reads, in HTML comments that do not render:

  <!-- json-example: RUN[, excerpt...] -->  the ```json block after it must
        parse, and be what RUN printed: every member it shows is in the real
        output with the same type; strings are equal once paths, scratch
        directories and digits are set aside; numbers are equal but for
        pids, times and counts of the moment; an element of a list is
        found in the real list. Without "excerpt", every object it shows
        has all the real object's members (a list may show fewer elements).
  <!-- json-fields: KIND -->  the table after it lists members (first
        column, `a.b[].c`, then siblings by their last name: `d`), KIND being
        report, compare or list; the tables of one kind, together, must
        list exactly the members that the real outputs of that kind have.

RUN is one of the runs below, made once each: reports of the kit's zoo and
reference daemons (classic, died, new-style, flood: a service that sends
more datagrams than are kept, step), a comparison, --list. The trace comes
from a real --trace run, and from the kit's sample traces
(tests/trace/render/render_sample, rendered by the same code) for the kinds
of event a real run of the zoo does not show.
TAP and JUnit output of one run are checked against the page's words.
The page's other statements are checked on the JSON, each named in the
output. Ends with "N passed, M failed"; exits 1 when anything failed.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RUN_LIMIT_S = 120
MARK = re.compile(r"^<!--\s*json-(example|fields):\s*([^,>]+?)\s*(,[^>]*)?-->\s*$")
# Members whose keys are data (descriptor numbers, check IDs) or whole reports.
OPAQUE = {"daemon.fds", "trace[].why", "a", "b"}
# Numbers that differ from run to run.
VARYING = {"pid", "sid", "pgid", "ppid", "ms", "us", "elapsed_ms", "value"}
PROFILES = {"sysv", "seed", "new-style"}
NOTIFY_KEEP = 256           # the page: "the first 256 of them"
FLOOD = 300                 # STATUS= datagrams the flood service sends before READY=1

FLOOD_SERVICE = f"""\
import os, signal, socket
addr = os.environ["NOTIFY_SOCKET"]
if addr.startswith("@"):
    addr = "\\0" + addr[1:]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
def stop(_sig, _frame):
    sock.sendto(b"STOPPING=1", addr)
    os._exit(0)
signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGHUP, signal.SIG_IGN)
for i in range({FLOOD}):
    sock.sendto(f"STATUS=datagram {{i}}".encode(), addr)
sock.sendto(b"READY=1", addr)
while True:
    signal.pause()
"""


class PageError(Exception):
    pass


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def check(self, what, ok, expected=None, got=None):
        if ok:
            self.passed += 1
            print(f"ok   {what}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL {what}", flush=True)
            if expected is not None or got is not None:
                print(f"     expected: {expected}\n     got:      {got}", flush=True)

    def skip(self, what, why):
        self.skipped += 1
        print(f"skip {what} ({why})", flush=True)


# --- the page -----------------------------------------------------------------

def read_page(path):
    """([(run, excerpt, example, line)], {kind: [member path]})."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    examples, fields = [], {}
    for i, line in enumerate(lines):
        m = MARK.match(line.strip())
        if not m:
            continue
        kind, name, rest = m.group(1), m.group(2), m.group(3) or ""
        where = f"{path}:{i + 1}"
        if kind == "example":
            text = block_after(lines, i + 1, "json", where)
            try:
                value = json.loads(text)
            except ValueError as exc:
                raise PageError(f"{where}: the example is not JSON: {exc}") from exc
            examples.append((name, "excerpt" in rest, value, where))
        else:
            fields.setdefault(name, []).extend(table_members(lines, i + 1, where))
    return examples, fields


def block_after(lines, start, lang, where):
    i = start
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines) or lines[i].strip() != "```" + lang:
        raise PageError(f"{where}: no ```{lang} block after the marker")
    body = []
    for line in lines[i + 1:]:
        if line.strip() == "```":
            return "\n".join(body)
        body.append(line)
    raise PageError(f"{where}: unterminated block")


def table_members(lines, start, where):
    """The member paths of the table's first column."""
    i = start
    while i < len(lines) and not lines[i].strip():
        i += 1
    rows = []
    while i < len(lines) and lines[i].lstrip().startswith("|"):
        rows.append(lines[i].strip().strip("|").split("|")[0].strip())
        i += 1
    if len(rows) < 3 or not set(rows[1]) <= set("-: "):
        raise PageError(f"{where}: no table after the marker")
    members = []
    for cell in rows[2:]:
        names = re.findall(r"`([^`]+)`", cell)
        if not names:
            raise PageError(f"{where}: a row names no member: {cell!r}")
        first = names[0]
        parent = first[:max(first.rfind("."), 0)]
        members.append(first)
        members.extend(f"{parent}.{n}" if parent else n for n in names[1:])
    return members


# --- the real output ----------------------------------------------------------

def run_checker(checker, args, cwd=ROOT):
    """(exit status, stdout, stderr) of one checker run."""
    with subprocess.Popen([checker] + args, cwd=cwd, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as p:
        try:
            out, err = p.communicate(timeout=RUN_LIMIT_S)
        except BaseException:
            # SIGTERM, not SIGKILL: the checker still ends what it started.
            p.terminate()
            p.communicate()
            raise
    return p.returncode, out, err


def trace_available(checker):
    code, _, err = run_checker(checker, ["--trace", "--timeout", "1", "--settle", "0",
                                         "--", "/bin/true"])
    return code != 2 or "not in this build" not in err


def sample_traces(sample, work):
    """The entries of every sample trace, as one report-like object."""
    out = os.path.join(work, "samples")
    os.mkdir(out)
    subprocess.run([sample, out], check=True, capture_output=True, timeout=RUN_LIMIT_S)
    entries = {}
    for name in sorted(os.listdir(out)):
        if name.endswith(".json") and not name.endswith(".manifest.json"):
            with open(os.path.join(out, name), encoding="utf-8") as f:
                entries[name[:-5]] = json.load(f)["trace"]
    return entries


def make_runs(checker, work):
    """{run: (exit status, output)}: the reports, the comparison, the list."""
    flood = os.path.join(work, "flood.py")
    with open(flood, "w", encoding="utf-8") as f:
        f.write(FLOOD_SERVICE)
    json_runs = {
        "classic": ["--format", "json", "tests/zoo/bin/correct", "{pidfile}"],
        "died": ["--format", "json", "tests/zoo/bin/dies-after-ready", "{pidfile}"],
        "new-style": ["--format", "json", "--profile", "new-style", "--",
                      "skeleton/c/mydaemon", "run", "--port", "0"],
        "flood": ["--format", "json", "--profile", "new-style", "--", sys.executable, flood],
        "step": ["--format", "json", "--step", "4", "tests/zoo/bin/correct", "{pidfile}"],
        "compare": ["--format", "json", "--compare", "tests/zoo/bin/wrong-umask {pidfile}",
                    "--", "tests/zoo/bin/correct", "{pidfile}"],
        "list": ["--list", "--format", "json"],
    }
    runs = {}
    for name, args in json_runs.items():
        code, out, err = run_checker(checker, args)
        try:
            runs[name] = (code, json.loads(out))
        except ValueError:
            runs[name] = (code, f"no JSON (exit status {code}): {err.strip()[:300]}")
    return runs


# --- comparing an example with the real output --------------------------------

def norm(text):
    """A string without what differs from run to run: the checkout's path,
    the scratch directory, pids, ports, inode numbers and clocks (numbers
    of three digits or more, not octal), and times in ms."""
    text = text.replace(ROOT, "/home/me/daemon-kit")
    text = re.sub(r"/tmp/checker\.[A-Za-z0-9]{6}", "/tmp/checker.XXXXXX", text)
    text = re.sub(r"\b[1-9]\d{2,}\b", "N", text)
    return re.sub(r"\b\d+ ms\b", "N ms", text)


def kind_of(v):
    return type(v).__name__ if not isinstance(v, bool) else "bool"


def identity(element):
    if isinstance(element, dict):
        for key in ("id", "check", "facet", "number"):
            if isinstance(element.get(key), (str, int)):
                return (key, element[key])
    return None


def mismatches(example, real, path, complete):
    """Where example is not what real is: a list of sentences."""
    if kind_of(example) != kind_of(real) and not (isinstance(example, (int, float))
                                                  and isinstance(real, (int, float))):
        return [f"{path}: {kind_of(example)} on the page, {kind_of(real)} in the output"]
    if isinstance(example, dict):
        found = [f"{path}.{k}: not in the output" for k in example if k not in real]
        if complete and list(example) != list(real) and not found:
            found.append(f"{path}: members {list(example)} on the page, {list(real)} in the output")
        for k in example:
            if k in real:
                found += mismatches(example[k], real[k], f"{path}.{k}".lstrip("."), complete)
        return found
    if isinstance(example, list):
        found = []
        for i, item in enumerate(example):
            found += element_mismatches(item, real, f"{path}[{i}]", complete)
        return found
    if isinstance(example, str):
        return [] if norm(example) == norm(real) else [f"{path}: {example!r} on the page, "
                                                        f"{real!r} in the output"]
    if isinstance(example, (int, float)) and not isinstance(example, bool):
        return [] if path.rsplit(".", 1)[-1] in VARYING or example == real \
            else [f"{path}: {example} on the page, {real} in the output"]
    return [] if example == real else [f"{path}: {example!r} on the page, {real!r} in the output"]


def element_mismatches(item, real_list, path, complete):
    """An element of a list is found in the real list: the one with its
    identity (ID, facet, step number), or any one that matches."""
    key = identity(item)
    if key:
        same = [r for r in real_list if identity(r) == key]
        if not same:
            return [f"{path}: {key[0]} {key[1]!r} is not in the output"]
        return mismatches(item, same[0], path, complete)
    best = None
    for r in real_list:
        m = mismatches(item, r, path, complete)
        if not m:
            return []
        if best is None or len(m) < len(best):
            best = m
    return best or [f"{path}: the list in the output is empty"]


def members(value, prefix=""):
    """Every member path of a JSON value: a.b, a[].c."""
    found = set()
    if isinstance(value, dict):
        for k, v in value.items():
            p = f"{prefix}.{k}" if prefix else k
            found.add(p)
            if p not in OPAQUE:
                found |= members(v, p)
    elif isinstance(value, list):
        for v in value:
            found |= members(v, prefix + "[]")
    return found


# --- the statements -----------------------------------------------------------

def ids_in_order(report):
    return [c["id"] for c in report["checks"]]


def judge_reports(t, runs, table):
    """What the page says of every report."""
    ids = [c["id"] for c in table["checks"]]
    titles = {s["number"]: s["title"] for s in table["steps"]}
    by_id = {c["id"]: c for c in table["checks"]}
    profile_skip = {"new-style": "(not in the new-style profile: the service manager does this)",
                    "sysv": "(a new-style check: --profile new-style)",
                    "seed": "(a new-style check: --profile new-style)"}
    for name in ("classic", "died", "new-style", "flood", "step"):
        code, r = runs[name]
        t.check(f"{name}: every check once, in the order of checker --list",
                ids_in_order(r) == ids, ids, ids_in_order(r))
        t.check(f"{name}: verdict and exit status agree ({r['verdict']}, {code})",
                (r["verdict"], code) in (("pass", 0), ("fail", 1)), "pass and 0, or fail and 1",
                (r["verdict"], code))
        odd = []
        for c in r["checks"]:
            judged, required = set(by_id[c["id"]]["judged_by"]), set(by_id[c["id"]]["required_by"])
            if c["status"] == "skip":
                reasons = set(by_id[c["id"]]["needs"])
                later = c["step"] > r.get("step", 99)
                if r["profile"] not in judged:
                    reasons = {profile_skip[r["profile"]]}
                elif later:
                    reasons = {f"(comes at step {c['step']}: {titles[c['step']]})"}
                if (c["expected"], c["observed"]) != ("", "not observed") \
                        or c["message"] not in reasons:
                    odd.append((c["id"], c["status"], c["expected"], c["observed"],
                                c["message"], sorted(reasons)))
            elif r["profile"] not in judged or (c["status"] == "warn") != (
                    c["status"] in ("warn", "fail") and r["profile"] not in required):
                odd.append((c["id"], c["status"], sorted(judged), sorted(required)))
        t.check(f"{name}: a skip has empty expected, 'not observed', and its reason (the "
                f"profile's, the step's, or one of its needs); warn and fail follow "
                f"judged_by and required_by", not odd, "none", odd)


def judge_classic(t, runs):
    code, r = runs["classic"]
    d = r["daemon"]
    t.check("classic: the daemon exited with status 0, and exit names it",
            d.get("exit") == {"status": 0, "pid": d["pid"]}, {"status": 0, "pid": d["pid"]},
            d.get("exit"))
    t.check("classic: no notify, no journal, no step, no trace outside their options",
            not {"notify", "notify_not_kept", "journal", "step", "trace"} & set(r),
            "none of them", sorted(r))
    t.check("classic: the umask is four octal digits, the fds keyed by number",
            re.fullmatch(r"[0-7]{4}", d["umask"] or "") is not None
            and all(k.isdigit() for k in d["fds"]), "0000, {'0': ...}", (d["umask"], d["fds"]))


def judge_died(t, runs):
    _, r = runs["died"]
    d = r["daemon"]
    nulls = ("pid", "sid", "pgid", "ppid", "tty_nr", "cwd", "umask", "fds")
    t.check("died: the members that describe the daemon are null, pidfile is still the path",
            all(d[k] is None for k in nulls) and isinstance(d["pidfile"], str),
            "null ×8, a path", d)
    exit_ = d.get("exit") or {}
    t.check("died: exit names the signal that killed it, and its pid",
            set(exit_) == {"signal", "pid"} and exit_.get("signal") == "SIGPIPE"
            and isinstance(exit_.get("pid"), int), {"signal": "SIGPIPE", "pid": "N"}, exit_)
    running = {c["id"]: c for c in r["checks"]}["daemon-running"]
    t.check("died: daemon-running carries the failure",
            running["status"] == "fail" and "SIGPIPE" in running["observed"],
            "fail, ... SIGPIPE", running)


def judge_new_style(t, runs):
    _, r = runs["new-style"]
    d = r["daemon"]
    notify, journal = r.get("notify", []), r.get("journal", [])
    t.check("new-style: the main process leads its own session, the checker is its parent",
            d["sid"] == d["pgid"] == d["pid"] and d["ppid"] != d["pid"], "sid = pgid = pid",
            d)
    t.check("new-style: fds 1 and 2 are the journal's one pipe",
            re.fullmatch(r"pipe:\[\d+\]", d["fds"].get("1", "")) and d["fds"]["1"] == d["fds"]["2"],
            "pipe:[N] twice", d["fds"])
    t.check("new-style: notify holds {ms, pid, message}, READY=1 from the main process",
            notify and all(list(m) == ["ms", "pid", "message"] for m in notify)
            and any("READY=1" in m["message"].split("\n") and m["pid"] == d["pid"]
                    for m in notify), "READY=1 from " + str(d["pid"]), notify)
    t.check("new-style: journal is a list of lines, without their newlines",
            journal and all(isinstance(x, str) and "\n" not in x for x in journal),
            "lines", journal)
    t.check("new-style: no notify_not_kept when every datagram was kept",
            "notify_not_kept" not in r, "absent", r.get("notify_not_kept"))


def judge_flood(t, runs):
    code, r = runs["flood"]
    notify = r.get("notify", [])
    sent = FLOOD + 2        # then READY=1 and, on SIGTERM, STOPPING=1
    t.check(f"flood: the first {NOTIFY_KEEP} datagrams are kept, in order",
            [m["message"] for m in notify] == [f"STATUS=datagram {i}" for i in range(NOTIFY_KEEP)],
            f"STATUS=datagram 0 ... {NOTIFY_KEEP - 1}",
            [m["message"] for m in notify[:2]] + ["..."] + [m["message"] for m in notify[-2:]])
    t.check("flood: notify_not_kept counts the others",
            r.get("notify_not_kept") == sent - NOTIFY_KEEP, sent - NOTIFY_KEEP,
            r.get("notify_not_kept"))


def judge_step(t, runs):
    _, r = runs["step"]
    t.check("step: --step 4 gives \"step\": 4", r.get("step") == 4, 4, r.get("step"))


def judge_compare(t, runs):
    code, r = runs["compare"]
    t.check("compare: a, b, differences, facets", list(r) == ["a", "b", "differences", "facets"],
            ["a", "b", "differences", "facets"], list(r))
    diffs, facets = r["differences"], r["facets"]
    t.check("compare: each difference names a check or a facet, and a and b",
            all(sorted(x) in (["a", "b", "check"], ["a", "b", "facet"]) for x in diffs),
            "{check|facet, a, b}", diffs)
    kinds = ["check" if "check" in x else "facet" for x in diffs]
    t.check("compare: checks first", kinds == sorted(kinds), "checks, then facets", kinds)
    t.check("compare: the measures are launch time, stop time, resident memory, never marked",
            {f["facet"] for f in facets if f["measure"]}
            == {"launch time", "stop time", "resident memory"}
            and not any(f["differs"] for f in facets if f["measure"]),
            "three measures, differs false", [f for f in facets if f["measure"]])
    marked = [x["facet"] for x in diffs if "facet" in x]
    t.check("compare: the marked facets are those with differs",
            marked == [f["facet"] for f in facets if f["differs"]], marked,
            [f["facet"] for f in facets if f["differs"]])
    t.check("compare: each side is a report (every check once)",
            ids_in_order(r["a"]) == ids_in_order(r["b"]) and len(ids_in_order(r["a"])) > 0,
            "the same IDs", (len(r["a"]["checks"]), len(r["b"]["checks"])))


def judge_list(t, table):
    steps = table["steps"]
    t.check("list: steps 1 to 12, in order", [s["number"] for s in steps] == list(range(1, 13)),
            list(range(1, 13)), [s["number"] for s in steps])
    last = steps[-1] if steps else {}
    t.check("list: step 12 is the new-style page",
            last.get("page") == "docs/tutorial/12-new-style.md", "docs/tutorial/12-new-style.md",
            last.get("page"))
    odd = [c["id"] for c in table["checks"]
           if not set(c["judged_by"]) <= PROFILES or not set(c["required_by"]) <= set(c["judged_by"])
           or not 1 <= c["step"] <= 12 or not all(isinstance(n, str) for n in c["needs"])]
    t.check("list: judged_by names profiles, required_by is within it, steps 1 to 12, needs "
            "are sentences", not odd, "none", odd)


def judge_tap_junit(t, checker, ids, work):
    args = ["--profile", "seed", "--", "skeleton/c/steps/bin/seed-as-published", "start",
            "{pidfile}"]
    _, tap, _ = run_checker(checker, ["--format", "tap"] + args)
    lines = tap.split("\n")
    t.check("tap: TAP version 13, then the plan",
            lines[:2] == ["TAP version 13", f"1..{len(ids)}"],
            ["TAP version 13", f"1..{len(ids)}"], lines[:2])
    points = [(i, l) for i, l in enumerate(lines) if re.match(r"(not )?ok \d+ - ", l)]
    names = [re.match(r"(?:not )?ok \d+ - ([a-z-]+): ", l).group(1) for _, l in points]
    t.check("tap: one test point per check, ID: title", names == ids, ids, names)
    status, bad = {}, []
    for i, line in points:
        cid = re.match(r"(?:not )?ok \d+ - ([a-z-]+): ", line).group(1)
        if line.startswith("not ok"):
            status[cid] = "warn" if " # TODO not required by the profile: " in line else "fail"
            block = lines[i + 1:i + 9]
            keys = [re.match(r"  (\w+): ", b).group(1) for b in block[1:-1]
                    if re.match(r"  (\w+): ", b)]
            if block[0] != "  ---" or block[-1] != "  ..." or \
                    keys != ["message", "severity", "expected", "observed", "step", "read"]:
                bad.append(line)
        else:
            status[cid] = "skip" if " # SKIP " in line else "pass"
    t.check("tap: a YAML block (message, severity, expected, observed, step, read) under "
            "each failure and warning", not bad, "none", bad)
    t.check("tap: this run has a pass, a fail, a warn and a skip",
            set(status.values()) == {"pass", "fail", "warn", "skip"}, "all four",
            sorted(set(status.values())))

    _, xml, _ = run_checker(checker, ["--format", "junit"] + args)
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        t.check("junit: the report parses", False, "XML", exc)
        return
    suites = root.findall("testsuite")
    count = {s: sum(1 for v in status.values() if v == s) for s in ("fail", "skip")}
    want = {"tests": str(len(ids)), "failures": str(count["fail"]), "errors": "0",
            "skipped": str(count["skip"])}
    t.check("junit: <testsuites> holds one <testsuite>, both counting the checks",
            root.tag == "testsuites" and len(suites) == 1
            and all({k: e.get(k) for k in want} == want for e in [root] + suites),
            want, [{k: e.get(k) for k in want} for e in [root] + suites])
    if len(suites) != 1:
        return
    props = {p.get("name"): p.get("value") for p in suites[0].iter("property")}
    t.check("junit: the profile and the verdict are properties",
            props == {"profile": "seed", "verdict": "fail"}, {"profile": "seed", "verdict": "fail"},
            props)
    cases = suites[0].findall("testcase")
    odd = []
    steps = {c["id"]: c["step"] for c in json.loads(run_checker(
        checker, ["--list", "--format", "json"])[1])["checks"]}
    for case in cases:
        cid, s = case.get("name"), status.get(case.get("name"))
        children = [c.tag for c in case]
        out = case.find("system-out")
        ok = case.get("classname") == f"checker.step{steps.get(cid, 0):02d}" and {
            "fail": children == ["failure"],
            "skip": children == ["skipped"],
            "warn": children == ["system-out"] and out.text.startswith("warning: "),
            "pass": children == []}.get(s, False)
        if not ok:
            odd.append((cid, s, case.get("classname"), children))
    t.check("junit: one testcase per check, classname checker.stepNN, <failure>, <skipped>, "
            "or a warning in <system-out>",
            [c.get("name") for c in cases] == ids and not odd, "as TAP says", odd)


# --- the page's examples and tables -------------------------------------------

def judge_examples(t, examples, runs, traces):
    for name, excerpt, example, where in examples:
        if name == "trace":
            real = {"trace": [e for entries in traces.values() for e in entries]}
        elif name in runs:
            real = runs[name][1]
        else:
            t.check(f"{where}: example of a known run", False, sorted(runs), name)
            continue
        wrong = mismatches(example, real, "", not excerpt)
        t.check(f"{where}: the {name} example is what the checker printed",
                not wrong, "no difference", "\n               ".join(wrong))


def judge_fields(t, fields, runs, traces):
    seen = {
        "report": set().union(*(members(runs[n][1]) for n in
                                ("classic", "died", "new-style", "flood", "step")),
                              *(members({"trace": e}) for e in traces.values())),
        "compare": members(runs["compare"][1]),
        "list": members(runs["list"][1]),
    }
    if "trace" in runs:
        seen["report"] |= members(runs["trace"][1])
    for kind in sorted(set(seen) | set(fields)):
        listed, real = set(fields.get(kind, [])), seen.get(kind, set())
        t.check(f"fields ({kind}): every member the page lists is in the real output",
                listed <= real, "none missing", sorted(listed - real))
        t.check(f"fields ({kind}): the page lists every member of the real output",
                real <= listed, "none unlisted", sorted(real - listed))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checker", default=os.path.join(ROOT, "checker", "checker"))
    parser.add_argument("--sample", default=os.path.join(ROOT, "tests", "trace", "render", "render_sample"))
    parser.add_argument("page", nargs="?", default=os.path.join(ROOT, "docs", "json.md"))
    args = parser.parse_args()
    checker = os.path.abspath(args.checker)
    t = Tally()
    if not os.access(checker, os.X_OK):
        print(f"skip every run: {checker} is not built (make checker/checker)")
        print(f"{t.passed} passed, {t.failed} failed")
        return 0
    try:
        examples, fields = read_page(args.page)
    except (OSError, PageError) as exc:
        t.check(f"the page's examples and tables are readable ({exc})", False)
        print(f"{t.passed} passed, {t.failed} failed")
        return 1

    work = tempfile.mkdtemp(prefix="json-doc.", dir=os.environ.get("TMPDIR") or "/tmp")
    try:
        runs = make_runs(checker, work)
        broken = {n: r for n, (_, r) in runs.items() if not isinstance(r, dict)}
        for name, why in broken.items():
            t.check(f"{name}: a JSON report", False, "JSON", why)
        if broken:
            print(f"{t.passed} passed, {t.failed} failed")
            return 1
        if trace_available(checker):
            code, out, err = run_checker(checker, ["--format", "json", "--trace", "--",
                                                   "skeleton/c/steps/bin/seed-as-published"])
            runs["trace"] = (code, json.loads(out))
            t.check("trace: a real --trace run has a trace", bool(runs["trace"][1].get("trace")),
                    "a list of events", sorted(runs["trace"][1]))
        traces = sample_traces(args.sample, work) if os.access(args.sample, os.X_OK) else {}
        if not traces:
            t.skip("the sample traces", f"{args.sample} is not built (make {args.sample})")
        table = runs["list"][1]
        judge_examples(t, [e for e in examples if e[0] != "trace" or traces], runs, traces)
        judge_fields(t, fields, runs, traces)
        judge_reports(t, runs, table)
        judge_classic(t, runs)
        judge_died(t, runs)
        judge_new_style(t, runs)
        judge_flood(t, runs)
        judge_step(t, runs)
        judge_compare(t, runs)
        judge_list(t, table)
        judge_tap_junit(t, checker, [c["id"] for c in table["checks"]], work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if t.skipped:
        print(f"{t.skipped} skipped")
    print(f"{t.passed} passed, {t.failed} failed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
