#!/usr/bin/env python3
"""trace_pictures.py: the trace pictures shown in the pages, made again from real runs.

A page shows a picture of `checker --trace` under a marker:

    <!-- picture: NAME [show=MOMENT,...|show=all] -->
    ![what to see in it](img/FILE.png)

NAME is a report name of refresh_reports.py (08-second-fork+step8,
seed-as-published, mydaemon, zoo/forks-40-workers, ...), run with the same
arguments plus --trace=PAGE.html. Headless Chromium loads that page, and
the picture keeps the lanes and the moments asked for, and nothing of the
page around them:

    start    the first start's opening: from its first event to the first
             event of another launch (how the program daemonizes)
    second   the second start's opening (is it refused?)
    stale    the opening of the start over a stale pidfile
    hangup   the checker's hang-up of the terminal, and what the first
             start's processes do in the next 100 ms
    stop     the stop: the stop command's launch, or the checker's SIGTERM,
             and what the first start's processes do until 100 ms after
    all      the whole picture

(default: start). The lanes shown are those of the processes that do
something in a moment, with their launch's heading, under the time axis and
the checker's lane; what lies between two moments, or between two shown
launches, is left out and a hatched seam marks the cut (trace_region.js).
The PNG is written where the image line says, relative to the page.
Nothing is drawn here, so whatever the checker's renderer comes to show
(the marks of a failed check) is in the next pictures.

    python3 docs/tutorial/trace_pictures.py            # every page's pictures
    python3 docs/tutorial/trace_pictures.py PAGE...    # those pages' only

Run after `make` (make tutorial-reports runs it). Prints a line per
picture; exits 1 if one could not be made (the others are still made).
"""
import argparse
import json
import re
import shlex
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "docs" / "tools"))
import refresh_reports  # noqa: E402  (the checker's arguments for each NAME)
import side_reports  # noqa: E402  (those of the side pages' runs)
from headless_shot import Browser, ShotError  # noqa: E402  (Chromium, driven)

# Every page that may carry a picture: the tutorial's and the two reference
# pages that read a trace or compare the C and Python daemons.
PAGES = sorted(HERE.glob("*.md")) + [ROOT / "docs" / "trace.md", ROOT / "docs" / "compare-c-python.md"]
MARKER = re.compile(r"^<!-- picture: (\S+)(?: show=(\S+))? -->$")
MOMENTS = ("start", "second", "stale", "hangup", "stop")
LAUNCH = {"start": "first start", "second": "second start",
          "stale": "start over a stale pidfile", "stop": "stop command"}
IMAGE = re.compile(r"^!\[[^\]]+\]\(([^)\s]+\.png)\)$")
REGION_JS = HERE / "trace_region.js"  # what part of the page a picture keeps
PAD = 10            # px kept left of a moment's first marker
AFTER = 40          # px kept right of a moment's last marker, where free
SEAM = 8            # px of the hatched seam where a part is left out
GAP = 40            # px: bands closer than this are joined, not cut
LATER_US = 100000   # a hang-up or stop: what the first start does in 100 ms
WINDOW = 1800       # CSS px: the browser's width for a picture narrower than that


def shown(word):
    """The moments of a marker's show= word (a list, or "all"), or None if
    one is unknown."""
    if word is None:
        return ["start"]
    if word == "all":
        return "all"
    moments = word.split(",")
    return moments if all(m in MOMENTS for m in moments) else None


def markers(page):
    """[(line number, NAME, moments or None, image path or None)] of a
    page's pictures."""
    lines = page.read_text().splitlines()
    found = []
    for i, line in enumerate(lines):
        m = MARKER.match(line)
        if m:
            image = IMAGE.match(lines[i + 1]) if i + 1 < len(lines) else None
            found.append((i + 1, m.group(1), shown(m.group(2)),
                          (page.parent / image.group(1)).resolve() if image else None))
    return found


def png_size(path):
    """(width, height) of a PNG file, or None if it is not one."""
    with open(path, "rb") as f:
        head = f.read(24)
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def this_interpreter(args):
    """args with "python3" as the program (or a stop command's) replaced by
    this interpreter's path: a wrapper on PATH (pyenv's shims are bash
    scripts that fork a dozen times) would fill the picture with its own
    processes."""
    out = []
    for a in args:
        if a == "python3":
            a = sys.executable
        elif a.startswith("python3 "):
            a = shlex.quote(sys.executable) + a[len("python3"):]
        out.append(a)
    return out


def traced_run(name, html):
    """Run NAME under --trace=html; its JSON report."""
    args = refresh_reports.candidate_args(name)
    if args is None and name in side_reports.RUNS:
        args = side_reports.RUNS[name][0]
    if args is None:
        raise RuntimeError(f"unknown run {name} (see refresh_reports.candidate_args "
                           "and side_reports.RUNS)")
    argv = [str(ROOT / refresh_reports.CHECKER), "--format", "json", f"--trace={html}"] + \
        this_interpreter(args)
    # A session of its own, as refresh_reports runs the checker: its hang-up
    # and sweep must not reach whoever runs this.
    done = subprocess.run(argv, cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, start_new_session=True, timeout=180)
    try:
        report = json.loads(done.stdout)
    except ValueError:
        raise RuntimeError(f"checker status {done.returncode}, no JSON report: "
                           f"{done.stderr.strip()[:300]}")
    if not report.get("trace") or not Path(html).exists():
        raise RuntimeError("the checker wrote no trace")
    return report


def launches(real):
    """Which launch each pid belongs to (an index, in the order the picture
    draws the launches' headings), and each launch's (name, first event).
    Only the stop command runs twice: each run begins at the checker's
    "runs the stop command"."""
    of, heads = {}, []
    for i, e in enumerate(real):
        pid = e["pid"]
        if not pid or pid in of:
            continue
        again = e["event"] == "checker" and e["detail"].startswith("runs the stop command")
        known = [k for k, (name, _) in enumerate(heads) if name == e["launch"]]
        if known and not again:
            of[pid] = known[-1]
        else:
            of[pid] = len(heads)
            heads.append((e["launch"], i))
    return of, heads


def opening(real, of, k, first):
    """The events of launch k from its first one until another launch
    begins or the checker hangs up (the earlier launches' events met on the
    way are not its own)."""
    keep = []
    for i in range(first, len(real)):
        owner = of.get(real[i]["pid"])
        if owner is None or owner > k:
            break
        if owner == k:
            keep.append(i)
    return keep


def aftermath(real, of, start, until_us):
    """The first start's events from index start on, up to until_us."""
    return [i for i in range(start, len(real)) if real[i]["us"] <= until_us
            and of.get(real[i]["pid"]) == 0 and real[i]["event"] != "checker"]


def moment(real, of, heads, name):
    """The event indices of one moment of the run."""
    if name in ("second", "stale") or name == "stop" and any(n == LAUNCH["stop"] for n, _ in heads):
        k = next((k for k, (n, _) in enumerate(heads) if n == LAUNCH[name]), None)
        if k is None:
            raise RuntimeError(f"show={name}: the run has no {LAUNCH[name]}")
        keep = opening(real, of, k, heads[k][1])
        if name == "stop":
            keep += aftermath(real, of, keep[0], real[keep[-1]]["us"] + LATER_US)
        return sorted(keep)
    if name == "start":
        return opening(real, of, 0, 0)
    for i, e in enumerate(real):
        if e["event"] == "checker" and (
                name == "hangup" and e["detail"].startswith("hangs up") or
                name == "stop" and e["detail"].startswith("sends SIGTERM") and of.get(e["pid"]) == 0):
            return [i] + aftermath(real, of, i + 1, e["us"] + LATER_US)
    raise RuntimeError(f"show={name}: no such moment in the run")


def region_js(events, moments):
    """The expression that gives the region to capture (trace_region.js)."""
    real = [e for e in events if e["event"] != "note"]   # notes have no marker
    args = {"all": moments == "all", "moments": [], "lanes": [], "visible": [],
            "launches": [], "openings": [],
            "pad": PAD, "after": AFTER, "seam": SEAM, "gap": GAP}
    if moments != "all":
        of, heads = launches(real)
        args["moments"] = [moment(real, of, heads, m) for m in moments]
        shown = [real[i] for m in args["moments"] for i in m]
        # A child forked in a moment has a lane there, even if it does
        # nothing yet (a daemon in its placeholder loop).
        lanes = {e["pid"] for e in shown if e["event"] != "checker"} | \
            {e["value"] for e in shown if e["event"] == "fork" and e["value"] > 0}
        args["lanes"] = sorted(p for p in lanes if p in of)
        args["visible"] = [i for i, e in enumerate(real)
                           if e["event"] == "checker" or e["pid"] in lanes]
        args["launches"] = [[k, heads[k][0]] for k in sorted({of[p] for p in args["lanes"]})]
        args["openings"] = sorted({of[real[m[0]]["pid"]] for m, name in zip(args["moments"], moments)
                                   if name in LAUNCH and real[m[0]]["pid"] in of})
    return f"({REGION_JS.read_text()})({json.dumps(args)})"


def svg_size(html):
    m = re.search(r'<svg[^>]* class="trace" width="(\d+)" height="(\d+)"', Path(html).read_text())
    return (int(m.group(1)), int(m.group(2))) if m else (WINDOW, 1200)


def make_picture(browser, name, moments, png, scratch):
    html = Path(scratch) / "trace.html"
    report = traced_run(name, html)
    js = region_js(report["trace"], moments)
    width, height = svg_size(html)
    fresh = png.with_name(png.name + ".new")
    png.parent.mkdir(parents=True, exist_ok=True)
    try:
        browser.shoot(html.as_uri(), fresh, js, width=max(WINDOW, width + 100),
                      height=max(900, min(height + 600, 8000)))
        fresh.replace(png)
    finally:
        fresh.unlink(missing_ok=True)
        html.unlink(missing_ok=True)


def wanted_pictures(pages):
    """{PNG path: (NAME, moments)} of the pages' markers; exits on a marker
    that is malformed, or a PNG that two markers would make differently."""
    wanted = {}
    for page in pages:
        for line, name, moments, png in markers(page):
            if png is None:
                sys.exit(f"trace_pictures: fatal: {page.name}:{line}: no ![...](FILE.png) line "
                         "under the picture marker")
            if moments is None:
                sys.exit(f"trace_pictures: fatal: {page.name}:{line}: show= takes "
                         f"{','.join(MOMENTS)} or all")
            if wanted.setdefault(png, (name, moments)) != (name, moments):
                sys.exit(f"trace_pictures: fatal: {page.name}:{line}: {png.name} is made "
                         f"from {wanted[png][0]} elsewhere")
    return wanted


def make_all(browser, wanted):
    """Make each picture, say so; the number that could not be made."""
    failed = 0
    with tempfile.TemporaryDirectory(prefix="pictures.") as scratch:
        for png, (name, moments) in sorted(wanted.items()):
            where = png.relative_to(ROOT) if png.is_relative_to(ROOT) else png
            try:
                make_picture(browser, name, moments, png, scratch)
            except (RuntimeError, ShotError, subprocess.TimeoutExpired) as e:
                failed += 1
                print(f"FAIL {where}: {name}: {e}")
                if isinstance(e, ShotError):
                    browser.restart()
                continue
            w, h = png_size(png)
            what = moments if moments == "all" else ",".join(moments)
            print(f"wrote {where} ({name} show={what}: {w}x{h}, "
                  f"{png.stat().st_size // 1024} KB)")
    return failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pages", nargs="*", type=Path)
    args = parser.parse_args()
    if not (ROOT / refresh_reports.CHECKER).exists():
        sys.exit(f"trace_pictures: fatal: {refresh_reports.CHECKER} is not built: run make first")
    wanted = wanted_pictures([p.resolve() for p in args.pages] or PAGES)
    try:
        with Browser() as browser:
            failed = make_all(browser, wanted)
    except ShotError as e:
        sys.exit(f"trace_pictures: fatal: {e}: the pictures were not made again")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
