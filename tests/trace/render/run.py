#!/usr/bin/env python3
"""The trace's renderings of sample traces, read by what reads them.

render_sample (tests/trace/render/render_sample.c) writes, for each sample trace,
its text timeline, its JSON and its HTML picture, and a manifest of what the
trace holds. This runner checks that:

- render_sample itself runs clean (under valgrind when there is one);
- each text timeline is its golden file (tests/trace/render/golden/NAME.txt);
- each JSON parses, and has one object per event of the trace, in order,
  with the fields the contract names;
- each page is strict UTF-8 and well-formed XML, holds no script, no
  element or attribute that the candidate's bytes could have opened;
- headless Chromium renders each page: the DOM it builds has a lane for
  every process of the trace (a fold lane for the identical ones), every
  event in exactly one marker, of the right kind, the failures marked, no
  script and no error in the browser's log; and a screenshot of it is kept
  in the output directory, to be looked at.

With --checker and --zoo, the same is done on pages of real runs: the
checker traces a correct daemon, faulty ones, the seed as published, one
with 40 workers and a new-style service, and the DOM is checked against
the JSON report of the same run.

One line per case ("ok", "FAIL" with why, "skip" with the reason); the last
line is "N passed, M failed".
"""
import argparse
import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import select
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "golden")
SAMPLES = ["classic", "seed", "pidfile-early", "workers", "stop-stale-pid", "hostile", "fuzz"]
GOLDEN_SAMPLES = SAMPLES[:-1]       # fuzz is random: only its validity is checked
BROWSER_TIMEOUT = 90
SWEEP_TIMEOUT = 10
PR_SET_CHILD_SUBREAPER = 36

results = {"passed": 0, "failed": 0, "skipped": 0}


def case(name, ok, why=""):
    if ok:
        results["passed"] += 1
        print(f"ok    {name}")
    else:
        results["failed"] += 1
        print(f"FAIL  {name}: {why}")
    return ok


def skip(name, reason):
    results["skipped"] += 1
    print(f"skip  {name}: {reason}")


def run_sample(sample, out):
    cmd = [sample, out]
    valgrind = shutil.which("valgrind")
    if valgrind:
        cmd = [valgrind, "--error-exitcode=1", "--leak-check=full",
               "--errors-for-leak-kinds=definite,indirect,possible", "-q"] + cmd
    p = subprocess.run(cmd, capture_output=True, text=True)
    how = "under valgrind" if valgrind else "(no valgrind)"
    return case(f"render_sample writes every sample {how}",
                p.returncode == 0 and p.stderr == "",
                f"status {p.returncode}: {p.stderr.strip()[:2000]}")


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def check_text(name, out, update):
    got = read(os.path.join(out, f"{name}.txt"), "rb")
    golden = os.path.join(GOLDEN, f"{name}.txt")
    if update:
        os.makedirs(GOLDEN, exist_ok=True)
        with open(golden, "wb") as f:
            f.write(got)
        print(f"wrote {golden}")
        return
    want = read(golden, "rb") if os.path.exists(golden) else b""
    if got == want:
        case(f"{name}: text timeline is the golden one", True)
        return
    import difflib
    diff = "".join(difflib.unified_diff(want.decode("utf-8", "replace").splitlines(True),
                                        got.decode("utf-8", "replace").splitlines(True),
                                        golden, "got"))
    case(f"{name}: text timeline is the golden one", False, "\n" + diff[:3000])


def check_json(name, out, manifest):
    try:
        doc = json.loads(read(os.path.join(out, f"{name}.json"), "rb").decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        case(f"{name}: JSON parses", False, str(e))
        return None
    case(f"{name}: JSON parses", True)
    events = doc.get("trace")
    if not case(f"{name}: JSON trace is a list", isinstance(events, list), repr(events)[:200]):
        return None
    keys = {"ms": int, "pid": int, "ppid": int, "event": str, "detail": str}
    bad = [e for e in events
           if not all(isinstance(e.get(k), t) for k, t in keys.items())
           or ("check" in e and not (isinstance(e["check"], list)
                                     and set(e["check"]) == set(e.get("why", {}))))]
    case(f"{name}: every JSON event has ms, pid, ppid, event, detail (and why for each check)",
         not bad, repr(bad[:2])[:400])
    real = [e for e in events if e["event"] != "note"]
    case(f"{name}: one JSON event per event of the trace, of the same kinds",
         sorted(e["event"] for e in real) == sorted(manifest["kinds"]),
         f"{len(real)} events for {len(manifest['kinds'])}")
    times = [e["us"] for e in events]
    case(f"{name}: JSON events in the order of time", times == sorted(times), repr(times)[:300])
    return events


class Dom(HTMLParser):
    """What the picture's DOM holds: lanes, markers, marks, scripts."""

    def __init__(self):
        super().__init__()
        self.lane_pids = []         # (pid, folded)
        self.markers = []           # (indices, kind, classes)
        self.pmarks = 0
        self.scripts = 0
        self.tags = set()
        self.handler_attrs = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        self.handler_attrs += [k for k, _ in attrs if k.startswith("on")]
        cls = (a.get("class") or "").split()
        if tag == "script":
            self.scripts += 1
        if "lane" in cls and "data-pid" in a:
            self.lane_pids.append((int(a["data-pid"]), False))
        if "lane" in cls and "data-pids" in a:
            self.lane_pids += [(int(p), True) for p in a["data-pids"].split()]
        if "ev" in cls:
            if "data-ev" in a:
                idx = [int(a["data-ev"])]
            else:
                idx = [int(i) for i in a.get("data-evs", "").split()]
            self.markers.append((idx, a.get("data-kind"), cls))
        if "pmark" in cls:
            self.pmarks += 1


def check_page_source(name, out):
    raw = read(os.path.join(out, f"{name}.html"), "rb")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        case(f"{name}: page is valid UTF-8", False, str(e))
        return
    case(f"{name}: page is valid UTF-8", True)
    try:
        root = ET.fromstring(text.split("\n", 1)[1])    # past <!DOCTYPE html>
        ok, why = True, ""
    except ET.ParseError as e:
        root, ok, why = None, False, str(e)
    case(f"{name}: page is well-formed XML (nothing the candidate wrote opened a tag)", ok, why)
    if root is None:
        return
    tags = {el.tag.split("}")[-1] for el in root.iter()}
    handlers = [k for el in root.iter() for k in el.attrib if k.lower().startswith("on")]
    case(f"{name}: page has no script, no img, no event handler",
         not ({"script", "img", "iframe", "object"} & tags) and not handlers,
         f"tags {sorted(tags)}, handlers {handlers}")
    case(f"{name}: page fetches nothing (no src, no external href)",
         not re.search(rb'\s(src|href)\s*=\s*"(?!#|url\(#)', raw),
         "a src or href attribute")


def browser():
    for b in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(b)
        if path:
            return path
    return None


def become_subreaper():
    """Chromium's helpers outlive it (its crash handler double-forks): as
    their subreaper, this runner sees them, reaps them, and leaves none."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def children():
    pids = []
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/children") as f:
                pids += [int(p) for p in f.read().split()]
        except OSError:
            pass
    return pids


def sweep():
    """Reap every descendant the browser left; wait for the live ones on
    their pidfds, bounded, then kill them (they are ours)."""
    deadline = time.monotonic() + SWEEP_TIMEOUT
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid:
            continue
        live = children()
        if not live:
            continue
        if time.monotonic() >= deadline:
            for p in live:
                os.kill(p, signal.SIGKILL)
            os.waitpid(-1, 0)
            continue
        fds = []
        try:
            fds = [os.pidfd_open(p) for p in live]
            select.select(fds, [], [], max(0.0, deadline - time.monotonic()))
        except ProcessLookupError:
            pass        # one was reaped between the listing and the open
        finally:
            for fd in fds:
                os.close(fd)


def run_browser(chrome, args, profile):
    """Run headless Chromium; returns (stdout, stderr), or None on timeout."""
    cmd = [chrome, "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--no-first-run", "--disable-dev-shm-usage", "--disable-crash-reporter",
           "--disable-breakpad", f"--user-data-dir={profile}",
           "--enable-logging=stderr", "--v=0"] + args
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=BROWSER_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)    # our own child's group, nobody else's
        p.communicate()
        sweep()
        return None
    sweep()
    return out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def log_errors(err):
    """The browser's complaints about the page: script errors, refused loads."""
    return [l for l in err.splitlines()
            if re.search(r"Uncaught|SyntaxError|Refused to|CONSOLE\(\d+\)|net::ERR", l)]


def check_dom(name, out, manifest, events, chrome, profile):
    page = "file://" + os.path.abspath(os.path.join(out, f"{name}.html"))
    got = run_browser(chrome, ["--dump-dom", page], profile)
    if not case(f"{name}: chromium renders the page", got is not None and "<svg" in got[0],
                "timed out" if got is None else got[1][-800:]):
        return
    dom_text, err = got
    dom = Dom()
    dom.feed(dom_text)
    case(f"{name}: no script and no error in the browser",
         dom.scripts == 0 and not dom.handler_attrs and not log_errors(err),
         f"{dom.scripts} scripts, handlers {dom.handler_attrs}, log: {log_errors(err)[:3]}")
    # A pid the tracer saw twice (reused) is two processes, with a lane each.
    want = Counter(manifest["pids"])
    for e in events:
        if e["event"] not in ("checker", "note") and e["pid"] not in want:
            want[e["pid"]] = 1      # seen in an event only: a lane is made up for it
    lanes = Counter(p for p, _ in dom.lane_pids)
    case(f"{name}: a lane for every process ({sum(want.values())}; "
         f"{sum(1 for _, f in dom.lane_pids if f)} in fold lanes)",
         lanes == want, f"missing {sorted((want - lanes).elements())[:10]}, "
         f"extra {sorted((lanes - want).elements())[:10]}")
    seen = {}
    for idx, kind, _ in dom.markers:
        for i in idx:
            seen.setdefault(i, []).append(kind)
    kinds = manifest["kinds"]
    missing = [i for i in range(len(kinds)) if i not in seen]
    twice = [i for i, k in seen.items() if len(k) != 1]
    wrong = [i for i, k in seen.items() if i < len(kinds) and k[0] != kinds[i]]
    extra = [i for i in seen if i >= len(kinds)]
    case(f"{name}: every event in exactly one marker, of its kind ({len(kinds)} events, "
         f"{len(dom.markers)} markers)",
         not (missing or twice or wrong or extra),
         f"missing {missing[:10]}, twice {twice[:10]}, wrong kind {wrong[:10]}, extra {extra[:10]}")
    failed = sum(1 for _, _, c in dom.markers if "failed" in c)
    want_failed, notes = manifest["marked_events"], manifest["stray_marks"]
    case(f"{name}: failures marked ({want_failed} events, {notes} without an event)",
         failed == want_failed and dom.pmarks == notes,
         f"{failed} failed markers, {dom.pmarks} tags; want {want_failed} and {notes}")


# Real runs: (name, checker options, command); {zoo} and {steps} are
# replaced by their directories.
REAL_RUNS = [
    ("real-correct", [], ["{zoo}/correct", "{pidfile}"]),
    ("real-no-second-fork", [], ["{zoo}/no-second-fork", "{pidfile}"]),
    ("real-seed-as-published", [], ["{steps}/seed-as-published"]),
    ("real-40-workers", ["--settle", "0"], ["{zoo}/forks-40-workers", "{pidfile}"]),
    ("real-new-style", ["--profile", "new-style", "--socket-activation", "--watchdog", "500"],
     ["{zoo}/ns-correct"]),
]


def run_real(name, checker, options, command, out):
    """Run the checker with --trace=PAGE and the JSON report: the events."""
    page = os.path.join(out, f"{name}.html")
    argv = [checker, "--format", "json", f"--trace={page}"] + options + ["--"] + command
    p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    try:
        events = json.loads(p.stdout).get("trace")
    except ValueError:
        events = None
    if not case(f"{name}: the checker writes the page and a JSON trace",
                p.returncode in (0, 1) and isinstance(events, list) and events and
                os.path.exists(page), f"status {p.returncode}: {p.stderr.strip()[:500]}"):
        return None
    return events


def check_real_dom(name, out, events, chrome, profile):
    """The page of a real run against its JSON report: a lane per process,
    one marker per event, of the same kinds, as many failures marked."""
    page = "file://" + os.path.abspath(os.path.join(out, f"{name}.html"))
    got = run_browser(chrome, ["--dump-dom", page], profile)
    if not case(f"{name}: chromium renders the page", got is not None and "<svg" in got[0],
                "timed out" if got is None else got[1][-800:]):
        return
    dom_text, err = got
    dom = Dom()
    dom.feed(dom_text)
    case(f"{name}: no script and no error in the browser",
         dom.scripts == 0 and not dom.handler_attrs and not log_errors(err),
         f"{dom.scripts} scripts, handlers {dom.handler_attrs}, log: {log_errors(err)[:3]}")
    real = [e for e in events if e["event"] != "note"]
    want = Counter({e["pid"]: 1 for e in real if e["event"] != "checker"})
    lanes = Counter(p for p, _ in dom.lane_pids)
    case(f"{name}: a lane for every process ({sum(want.values())})", lanes == want,
         f"missing {sorted((want - lanes).elements())[:10]}, "
         f"extra {sorted((lanes - want).elements())[:10]}")
    indices = [i for idx, _, _ in dom.markers for i in idx]
    kinds = Counter(k for idx, k, _ in dom.markers for _ in idx)
    case(f"{name}: every event in exactly one marker, of its kind ({len(real)} events)",
         len(indices) == len(set(indices)) == len(real) and
         kinds == Counter(e["event"] for e in real),
         f"{len(indices)} markers ({len(set(indices))} distinct) for {len(real)} events; "
         f"kinds {dict(kinds - Counter(e['event'] for e in real))} "
         f"vs {dict(Counter(e['event'] for e in real) - kinds)}")
    failed = sum(1 for _, _, c in dom.markers if "failed" in c)
    want_failed = sum(1 for e in real if e.get("check"))
    notes = sum(1 for e in events if e["event"] == "note")
    case(f"{name}: failures marked ({want_failed} events, {notes} without an event)",
         failed == want_failed and dom.pmarks == notes,
         f"{failed} failed markers, {dom.pmarks} tags; want {want_failed} and {notes}")


def real_pages(args, chrome, profile):
    for name, options, command in REAL_RUNS:
        command = [a.replace("{zoo}", os.path.abspath(args.zoo))
                    .replace("{steps}", os.path.abspath(args.steps)) for a in command]
        events = run_real(name, os.path.abspath(args.checker), options, command, args.out)
        if events is None:
            continue
        check_page_source(name, args.out)
        if chrome:
            check_real_dom(name, args.out, events, chrome, profile)
            screenshot(name, args.out, chrome, profile)


def screenshot(name, out, chrome, profile):
    page = os.path.join(out, f"{name}.html")
    m = re.search(r'<svg[^>]* width="(\d+)" height="(\d+)"', read(page))
    width = max(1400, int(m.group(1)) + 60) if m else 1400
    height = min(int(m.group(2)) + 1100, 5000) if m else 2000
    png = os.path.join(out, f"{name}.png")
    if os.path.exists(png):
        os.unlink(png)
    got = run_browser(chrome, [f"--screenshot={os.path.abspath(png)}",
                               f"--window-size={width},{height}", "--hide-scrollbars",
                               "file://" + os.path.abspath(page)], profile)
    case(f"{name}: screenshot {png} ({width}x{height})",
         got is not None and os.path.exists(png) and os.path.getsize(png) > 10000,
         "timed out" if got is None else got[1][-500:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sample", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--update-golden", action="store_true")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--checker", help="also pages of real runs of this checker")
    ap.add_argument("--zoo", help="the zoo's daemons, for the real runs")
    ap.add_argument("--steps", help="the skeleton's step programs, for the real runs")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if not run_sample(args.sample, args.out):
        return summary()
    for name in GOLDEN_SAMPLES:
        check_text(name, args.out, args.update_golden)
    if args.update_golden:
        return 0
    checked = {}
    for name in SAMPLES:
        manifest = json.loads(read(os.path.join(args.out, f"{name}.manifest.json")))
        events = check_json(name, args.out, manifest)
        check_page_source(name, args.out)
        if events is not None:
            checked[name] = (manifest, events)
    chrome = None if args.no_browser else browser()
    if chrome is None:
        skip("the pages in a browser", "--no-browser" if args.no_browser else "no chromium installed")
        if args.checker:
            real_pages(args, None, None)
        return summary()
    become_subreaper()
    profile = tempfile.mkdtemp(prefix="trace-chromium.")
    try:
        for name, (manifest, events) in checked.items():
            check_dom(name, args.out, manifest, events, chrome, profile)
            if name in GOLDEN_SAMPLES:      # fuzz is 20000 pixels wide, and nonsense
                screenshot(name, args.out, chrome, profile)
        if args.checker:
            real_pages(args, chrome, profile)
    finally:
        sweep()
        shutil.rmtree(profile, ignore_errors=True)
    case("no process of the browser left behind", not children(), repr(children()))
    return summary()


def summary():
    if results["skipped"]:
        print(f"{results['skipped']} skipped")
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
