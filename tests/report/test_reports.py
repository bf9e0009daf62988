#!/usr/bin/env python3
"""The checker's report formats and student modes, read by real consumers.

- TAP: `prove` reads the report and agrees with it;
- JUnit: the XML parses, validates against tests/report/junit.xsd (xmllint),
  and has one <testcase> per check, a <failure> exactly for each failed one;
- --step: walking the tutorial's steps (skeleton/c/steps), each program
  passes `--step N` for its own N and is told the right next step;
- --compare: the C reference against the Python twin, in JSON and text.

Each case prints "ok NAME" or "FAIL NAME: why"; the last line is
"N passed, M failed".
"""
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECKER = os.path.join(ROOT, "checker", "checker")
XSD = os.path.join(ROOT, "tests", "report", "junit.xsd")
STEPS = os.path.join(ROOT, "skeleton", "c", "steps", "bin")
MYDAEMON = os.path.join(ROOT, "skeleton", "c", "mydaemon")
PYDAEMON = os.path.join(ROOT, "skeleton", "python", "mydaemon.py")
BROKEN = os.path.join(ROOT, "tests", "zoo", "bin", "wrong-umask")
CORRECT = os.path.join(ROOT, "tests", "zoo", "bin", "correct")

results = {"passed": 0, "failed": 0}


def case(name, ok, why=""):
    if ok:
        results["passed"] += 1
        print(f"ok {name}")
    else:
        results["failed"] += 1
        print(f"FAIL {name}: {why}")


def checker(*args, tmp):
    env = dict(os.environ, TMPDIR=tmp, NO_COLOR="1")
    return subprocess.run([CHECKER, "--timeout", "2", *args], capture_output=True, text=True,
                          env=env, stdin=subprocess.DEVNULL, cwd=ROOT)


def check_ids():
    out = subprocess.run([CHECKER, "--list", "--format", "json"], capture_output=True,
                         text=True, check=True).stdout
    table = json.loads(out)
    return [c["id"] for c in table["checks"]], table["steps"]


def json_failed(tmp, *cmd):
    report = json.loads(checker("--format", "json", "--", *cmd, tmp=tmp).stdout)
    return {c["id"] for c in report["checks"] if c["status"] == "fail"}


def prove_reads(tap_text, tmp):
    """Run the system's prove, as it is, on a TAP stream: (exit status, output)."""
    path = os.path.join(tmp, "report.tap")
    with open(path, "w") as f:
        f.write(tap_text)
    p = subprocess.run(["prove", "-e", "cat", path], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def test_tap(ids, tmp):
    good = checker("--format", "tap", "--", MYDAEMON, "start", "--pidfile", "{pidfile}", tmp=tmp)
    case("tap: version line and plan", good.stdout.startswith(f"TAP version 13\n1..{len(ids)}\n"),
         good.stdout[:80])
    rc, out = prove_reads(good.stdout, tmp)
    case("tap: prove passes the reference daemon", rc == 0, out[-400:])
    bad = checker("--format", "tap", "--", BROKEN, "{pidfile}", tmp=tmp)
    rc, out = prove_reads(bad.stdout, tmp)
    failed = json_failed(tmp, BROKEN, "{pidfile}")
    numbers = sorted(ids.index(i) + 1 for i in failed)
    listed = re.search(r"Failed tests?:\s*([\d, -]+)", out)
    case("tap: prove fails the broken daemon on exactly its failed checks",
         rc != 0 and listed and expand(listed.group(1)) == numbers,
         f"prove exit {rc}, expected failed {numbers}: {out[-400:]}")
    yaml_ok = all(f"not ok {n} - " in bad.stdout for n in numbers) and "  ---\n" in bad.stdout
    case("tap: each failure has a YAML block", yaml_ok, bad.stdout[-400:])


def expand(ranges):
    out = []
    for part in ranges.replace(" ", "").split(","):
        if "-" in part:
            a, b = part.split("-")
            out.extend(range(int(a), int(b) + 1))
        elif part:
            out.append(int(part))
    return sorted(out)


def test_junit(ids, tmp):
    for label, cmd in (("reference", [MYDAEMON, "start", "--pidfile", "{pidfile}"]),
                       ("broken", [BROKEN, "{pidfile}"])):
        p = checker("--format", "junit", "--", *cmd, tmp=tmp)
        path = os.path.join(tmp, f"{label}.xml")
        with open(path, "w") as f:
            f.write(p.stdout)
        v = subprocess.run(["xmllint", "--noout", "--schema", XSD, path], capture_output=True,
                           text=True)
        case(f"junit: {label} validates against the schema", v.returncode == 0, v.stderr[-400:])
        root = ET.parse(path).getroot()
        cases = root.findall("./testsuite/testcase")
        case(f"junit: {label} has one testcase per check, in order",
             [c.get("name") for c in cases] == ids, [c.get("name") for c in cases])
        failed = {c.get("name") for c in cases if c.find("failure") is not None}
        expected = json_failed(tmp, *cmd)
        case(f"junit: {label} fails exactly the failed checks", failed == expected,
             f"junit {sorted(failed)} json {sorted(expected)}")
        suite = root.find("testsuite")
        case(f"junit: {label} counts agree", int(suite.get("failures")) == len(failed),
             suite.attrib)


def step_command(n, name):
    prog = os.path.join(STEPS, name)
    args = ["--step", str(n)]
    if n >= 10:
        args += ["--stop-command", f"{prog} stop {{pidfile}}"]
    return args + ["--", prog, "start", "{pidfile}"]


def test_steps(steps, tmp):
    names = sorted(f for f in os.listdir(STEPS) if re.match(r"\d\d-", f))
    # Step 12 (new-style) is the reference's own `run` mode, not a step program.
    case("step: one program per classic tutorial step", len(names) == len(steps) - 1, names)
    # Checker runs mostly wait (settle times, the daemons' own pace): four at once.
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        runs = list(pool.map(lambda nn: checker(*step_command(*nn), tmp=tmp),
                             enumerate(names, 1)))
    for (n, name), p in zip(enumerate(names, 1), runs):
        nxt = f"next: step {n + 1}, {steps[n]['title']}: read {steps[n]['page']}" \
            if n < len(steps) else "next: nothing: every step is done"
        case(f"step {n}: {name} passes --step {n} and is told the next step",
             p.returncode == 0 and nxt in p.stdout, f"exit {p.returncode}: {p.stdout[-600:]}")
    p = checker("--step", "7", "--", os.path.join(STEPS, names[6]), "start", "{pidfile}", tmp=tmp)
    later = re.findall(r"SKIP  (\S+) +\(comes at step (\d+)", p.stdout)
    case("step: later checks are skipped with the step they come at",
         later and all(int(k) > 7 for _, k in later), p.stdout[-600:])
    test_new_style_step(steps, tmp)


def test_new_style_step(steps, tmp):
    """Step 12 is the reference's run mode under --profile new-style; a
    classic program at --step 12 still passes, the new-style checks skipped."""
    last = max(s["number"] for s in steps)
    p = checker("--step", str(last), "--profile", "new-style", "--socket-activation",
                "--watchdog", "500", "--", MYDAEMON, "run", tmp=tmp)
    case(f"step {last}: mydaemon run passes --step {last} --profile new-style and is told it is done",
         p.returncode == 0 and "next: nothing: every step is done" in p.stdout,
         f"exit {p.returncode}: {p.stdout[-600:]}")
    classic = sorted(f for f in os.listdir(STEPS) if re.match(r"\d\d-", f))[-1]
    p = checker(*step_command(last, classic), tmp=tmp)
    table = json.loads(subprocess.run([CHECKER, "--list", "--format", "json"],
                                      capture_output=True, text=True, check=True).stdout)
    taught = [c["id"] for c in table["checks"] if c["step"] == last]
    skipped = re.findall(r"SKIP  (\S+) +\(a new-style check", p.stdout)
    case(f"step {last}: {classic} passes --step {last}, the new-style checks skipped",
         p.returncode == 0 and skipped == taught, f"exit {p.returncode}: {p.stdout[-600:]}")
    # Not "every step is done": the table says which profile judges step 12.
    elsewhere = {c["id"] for c in table["checks"]
                 if c["step"] <= last and "sysv" not in c["judged_by"]}
    told = re.search(r"^next: .*\b(are|is) judged under --profile new-style", p.stdout, re.M)
    case(f"step {last}: {classic} is told that --profile new-style judges the rest, not that "
         f"every step is done", told and "every step is done" not in p.stdout
         and all(i in told.group(0) for i in elsewhere), p.stdout[-600:])
    p = checker("--format", "json", *step_command(last, classic), tmp=tmp)
    try:
        listed = json.loads(p.stdout).get("judged_elsewhere")
    except ValueError:
        listed = p.stdout[:300]
    case(f"step {last}: the JSON lists the checks judged elsewhere, with their profile",
         isinstance(listed, list) and {e["id"] for e in listed} == elsewhere
         and all(e["profile"] == "new-style" for e in listed), listed)


def test_compare(tmp):
    p = checker("--format", "json", "--stop-command", f"{MYDAEMON} stop --pidfile {{pidfile}}",
                "--compare", f"python3 {PYDAEMON} start --pidfile {{pidfile}}",
                "--compare-stop-command", f"python3 {PYDAEMON} stop --pidfile {{pidfile}}",
                "--", MYDAEMON, "start", "--pidfile", "{pidfile}", tmp=tmp)
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        doc = {}
    case("compare: json has a, b, differences and facets",
         set(doc) == {"a", "b", "differences", "facets"}, p.stdout[:300] + p.stderr)
    if not doc:
        return
    case("compare: both daemons pass", doc["a"]["verdict"] == doc["b"]["verdict"] == "pass"
         and p.returncode == 0, [doc["a"]["verdict"], doc["b"]["verdict"]])
    case("compare: every facet listed, measures flagged",
         [f["facet"] for f in doc["facets"] if f["measure"]] ==
         ["launch time", "stop time", "resident memory"]
         and all(f["differs"] == any(d.get("facet") == f["facet"] for d in doc["differences"])
                 for f in doc["facets"]), doc["facets"])
    case("compare: differences name a check or a facet",
         all(("check" in d) != ("facet" in d) and {"a", "b"} <= set(d) for d in doc["differences"]),
         doc["differences"])
    t = checker("--compare", f"{BROKEN} {{pidfile}}", "--", MYDAEMON, "start", "--pidfile",
                "{pidfile}", tmp=tmp)
    case("compare: text marks the differing umask and fails", t.returncode == 1 and
         re.search(r"^\* umask +pass +fail", t.stdout, re.M), t.stdout[-800:])
    case("compare: text says how each side's daemon ended, as a single run does",
         re.search(r"^daemon A: pid \d+ \(mydaemon\) exited with status 0\n"
                   r"daemon B: pid \d+ \(wrong-umask\) exited with status 0\nverdict: ",
                   t.stdout, re.M), t.stdout[-300:])


def by_id(report):
    return {c["id"]: c for c in report["checks"]}


def test_stop_command_time(tmp):
    """A stop command that fails at once is reported with its own time, not
    with the time the checker then spent waiting for the daemon (the
    timeout, here 2 s, since the daemon is never told to stop)."""
    p = checker("--format", "json", "--stop-command", "false", "--", CORRECT, "{pidfile}",
                tmp=tmp)
    try:
        observed = by_id(json.loads(p.stdout))["stop-command"]["observed"]
    except (ValueError, KeyError) as exc:
        case("stop-command: the command's own time", False, f"{exc}: {p.stdout[:300]}")
        return
    took = re.search(r"exited with status 1 after (\d+) ms", observed)
    case("stop-command: a command that fails at once is timed to its exit, not to the "
         "daemon's timeout", took and int(took.group(1)) < 1000, observed)


def compare_self_new_style(tmp):
    """The reference's run mode compared with itself under new-style: the
    JSON comparison, or None."""
    run = f"{MYDAEMON} run --port 0"
    p = checker("--format", "json", "--profile", "new-style", "--compare", run, "--",
                *run.split(), tmp=tmp)
    try:
        return json.loads(p.stdout)
    except ValueError:
        case("compare: a new-style daemon beside itself gives a JSON comparison", False,
             p.stdout[:300] + p.stderr)
        return None


def facet(doc, name):
    return next((f for f in doc["facets"] if f["facet"] == name), {})


def test_compare_new_style(tmp):
    """A pipe's inode differs between any two runs: the stdio facet shows
    the kind, so that a daemon compared with itself shows no difference.
    The checker started the service as its manager: its parent, which
    did not adopt it (no orphan)."""
    doc = compare_self_new_style(tmp)
    if not doc:
        return
    case("compare: a new-style daemon beside itself has no difference",
         doc["differences"] == [], doc["differences"])
    session = facet(doc, "session")
    case("compare: a service the checker started is the manager's child, not an orphan",
         all("the manager's child" in session.get(k, "") and "orphan" not in session.get(k, "")
             for k in ("a", "b")), session)


# A service that says READY=1 at once but accepts on the passed socket only
# after some start-up work that begins with the manager's first signal:
# 300 ms after the SIGHUP, while it sleeps (so that it looks settled).
SERVES_AFTER_SIGHUP = r"""
import os, signal, socket, sys, time
listener = socket.socket(fileno=3)
notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
notify.sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])
hups = []
signal.signal(signal.SIGHUP, lambda *_: hups.append(1))
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
while not hups:
    signal.pause()
time.sleep(0.3)
listener.accept()[0].close()
while True:
    signal.pause()
"""


def test_accepted_after_sighup(tmp):
    """A connection accepted after the SIGHUP, before the stop, shows socket
    activation however late the look comes: it is looked for until a bound,
    not once."""
    script = os.path.join(tmp, "serves_after_sighup.py")
    with open(script, "w") as f:
        f.write(SERVES_AFTER_SIGHUP)
    p = checker("--format", "json", "--profile", "new-style", "--socket-activation", "--",
                sys.executable, script, tmp=tmp)
    try:
        got = by_id(json.loads(p.stdout))["socket-activation"]
    except (ValueError, KeyError) as exc:
        case("socket-activation: accepted after the SIGHUP", False, f"{exc}: {p.stdout[:300]}")
        return
    case("socket-activation: a connection accepted 300 ms after the SIGHUP, before the stop, "
         "passes", got["status"] == "pass", got)


def main():
    for tool in ("prove", "xmllint"):
        if not shutil.which(tool):
            print(f"report tests: skipped: {tool} is not installed")
            print("0 passed, 0 failed")
            return 0
    for path in (CHECKER, MYDAEMON, BROKEN, CORRECT, STEPS):
        if not os.path.exists(path):
            print(f"FAIL setup: {path} is not built (run make)")
            print("0 passed, 1 failed")
            return 1
    ids, steps = check_ids()
    with tempfile.TemporaryDirectory() as tmp:
        test_tap(ids, tmp)
        test_junit(ids, tmp)
        test_steps(steps, tmp)
        test_compare(tmp)
        test_stop_command_time(tmp)
        test_compare_new_style(tmp)
        test_accepted_after_sighup(tmp)
        left = os.listdir(tmp)
        left = [f for f in left if f.startswith("checker.")]
        case("no scratch directory left behind", not left, left)
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
