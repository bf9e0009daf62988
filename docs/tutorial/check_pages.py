#!/usr/bin/env python3
"""check_pages.py: the tutorial's pages agree with the checker and the tree.

Verifies, for docs/tutorial/:
  - every page the checker points to (`checker --list --format json`, the
    "page" of each step) exists, and so does the index, README.md;
  - the pages link to each other in order: the index to step 1, each step to
    the one before and the one after (the first to the index, the last back
    to the index), and every step to the index; every relative link resolves;
  - every file of the tree that a page names (skeleton/..., checker/...,
    tests/..., docs/...) exists;
  - every check ID a page mentions (in a report line, after --explain, or as
    a backquoted word-word token) is one the checker knows, and every page
    names each check that the checker sends its readers to it for;
  - every excerpt (a code block under "<!-- excerpt: PATH -->") is still, line
    for line, in the file it quotes;
  - every report block (under "<!-- report: ... -->") holds a checker run:
    a command line and a verdict (refresh_reports.py fills them);
  - the index's table of steps and checks is the checker's (gen_index.py);
  - every step page has a "Run it yourself" command with its own --step N,
    and links to its exercise;
  - every picture a page shows (the tutorial's, docs/trace.md's and
    docs/compare-c-python.md's) is a real PNG, not a tiny or empty one;
    each picture marker of trace_pictures.py is well-formed and has its
    image under it; and no picture lies in an img/ directory that no page
    shows any more.
Prints one line per check and ends with "N passed, M failed"; exits 1 on any
failure. Run it after `make` (the checker must be built): make tutorial-check.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
import trace_pictures  # noqa: E402  (its pages, markers and PNG reader)

CHECKER = ROOT / "checker" / "checker"
INDEX = HERE / "README.md"

# Backquoted word-word tokens in the pages that are not check IDs. A new one
# must be added here on purpose, so a misspelt check ID cannot slip through.
NOT_CHECK_IDS = {"threads-max", "systemd-tmpfiles", "seed-as-published", "closed-stdio",
                 "systemd-socket-activate"}
# Paths the pages name that exist only once a student has used them.
CREATED_ON_USE = {"skeleton/exercises/work"}

LINK = re.compile(r"\]\(([^)\s]+)\)")
TREE_PATH = re.compile(r"(?<![\w./-])((?:skeleton|checker|tests|docs)/[\w./-]*[\w-])")
REPORT_LINE = re.compile(r"^\s+(?:PASS|FAIL|WARN|SKIP)\s+(\S+)", re.M)
EXPLAIN = re.compile(r"--explain ([a-z][a-z-]*[a-z])")
BACKQUOTED = re.compile(r"`([a-z]+(?:-[a-z]+)+)`")
MARKER = re.compile(r"^<!-- (excerpt|report): (.+?) -->$")


class Tally:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {what}")
        else:
            self.failed += 1
            print(f"FAIL {what}" + (f"\n     {detail}" if detail else ""))


def checker_list():
    """The checker's --list as JSON, or None (with the reason) if unavailable."""
    if not CHECKER.exists():
        return None, f"{CHECKER.relative_to(ROOT)} is not built (run make)"
    done = subprocess.run([str(CHECKER), "--list", "--format", "json"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        return None, f"checker --list failed: {done.stderr.strip()}"
    return json.loads(done.stdout), None


def fenced_block_after(lines, i):
    """The lines of the fenced block that starts at lines[i], or None."""
    if i >= len(lines) or not lines[i].startswith("```"):
        return None
    for end in range(i + 1, len(lines)):
        if lines[end] == "```":
            return lines[i + 1:end]
    return None


def links_of(page, text):
    """The targets of the page's relative links, resolved, anchors dropped."""
    out = set()
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        out.add((page.parent / target.split("#")[0]).resolve())
    return out


def check_order(t, sequence, texts):
    for n, page in enumerate(sequence):
        links = links_of(page, texts[page])
        name = page.name
        if n > 0:
            t.check(sequence[n - 1] in links, f"{name} links to the previous page, {sequence[n - 1].name}")
        following = sequence[n + 1] if n + 1 < len(sequence) else INDEX
        t.check(following in links, f"{name} links to the next page, {following.name}")
        if page != INDEX:
            t.check(INDEX in links, f"{name} links to the index")
        missing = sorted(str(l.relative_to(ROOT)) if l.is_relative_to(ROOT) else str(l)
                         for l in links if not l.exists())
        t.check(not missing, f"{name}: every relative link resolves", f"missing: {missing}")


def check_tree_paths(t, page, text):
    named = sorted(set(TREE_PATH.findall(text)))
    missing = [p for p in named if not (ROOT / p).exists() and p.rstrip("/") not in CREATED_ON_USE]
    t.check(not missing, f"{page.name}: the {len(named)} files of the tree it names exist",
            f"missing: {missing}")


def check_ids(t, page, text, known, sent_here):
    mentioned = set(REPORT_LINE.findall(text)) | set(EXPLAIN.findall(text))
    mentioned |= set(BACKQUOTED.findall(text)) - NOT_CHECK_IDS
    unknown = sorted(mentioned - known)
    t.check(not unknown, f"{page.name}: the {len(mentioned)} check IDs it mentions exist",
            f"unknown: {unknown}")
    # A page must discuss (name outside pasted reports) each check whose
    # failure the checker tells readers to read it for.
    prose = "\n".join(l for l in text.splitlines() if not REPORT_LINE.match(l))
    absent = sorted(i for i in sent_here if f"`{i}`" not in prose)
    if sent_here:
        t.check(not absent, f"{page.name}: it discusses the checks the checker sends readers to it for",
                f"not named: {absent}")


def excerpt_found(block, source):
    """True when block's lines appear contiguously, in order, in source."""
    want = [l.rstrip() for l in block]
    have = [l.rstrip() for l in source.splitlines()]
    return any(have[i:i + len(want)] == want for i in range(len(have) - len(want) + 1))


def check_blocks(t, page, text):
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = MARKER.match(line)
        if not m:
            continue
        kind, arg = m.groups()
        block = fenced_block_after(lines, i + 1)
        where = f"{page.name}:{i + 1}"
        if block is None:
            t.check(False, f"{where}: a code block follows the {kind} marker")
            continue
        if kind == "excerpt":
            source = ROOT / arg
            ok = source.exists() and excerpt_found(block, source.read_text())
            t.check(ok, f"{where}: the excerpt is in {arg}",
                    "file missing" if not source.exists() else f"first line: {block[0]!r}")
        else:
            ok = bool(block) and block[0].startswith("$ checker/checker") and \
                any(l.startswith("verdict:") for l in block)
            t.check(ok, f"{where}: the report of {arg.split()[0]} holds a checker run",
                    "empty or incomplete: run docs/tutorial/refresh_reports.py")


RUN_IT = re.compile(r"^    (checker/checker .*)$", re.M)
# What a step page's "Run it yourself" line runs, where it is not the step's
# own program in skeleton/c/steps/: step 12's is the reference's run mode.
RUN_IT_PROGRAM = {12: "-- skeleton/c/mydaemon run"}


def check_step_page(t, page, text):
    """A step page runs its own step, and sends its reader to its exercise."""
    n = int(page.name[:2])
    runs = [r for r in RUN_IT.findall(text.split("Run it yourself", 1)[-1])][:1] \
        if "Run it yourself" in text else []
    program = RUN_IT_PROGRAM.get(n, f"/{page.stem}")
    t.check(bool(runs) and f"--step {n} " in runs[0] and program in runs[0],
            f"{page.name}: its \"Run it yourself\" line runs --step {n} on {program.lstrip('/- ')}",
            f"found: {runs}")
    t.check(f"skeleton/exercises/steps/{page.stem}/README.md" in text,
            f"{page.name}: it links to exercise {n}")


IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
MIN_PNG_BYTES = 4096            # a blank or broken screenshot is smaller
MIN_PNG_SIDE = (300, 120)       # a picture of two lanes at least


def check_png(t, page, target):
    where = f"{page.name}: picture {target}"
    path = (page.parent / target.split("#")[0]).resolve()
    if not path.exists():
        t.check(False, f"{where} exists")
        return
    size = trace_pictures.png_size(path)
    t.check(size is not None and path.stat().st_size >= MIN_PNG_BYTES
            and size[0] >= MIN_PNG_SIDE[0] and size[1] >= MIN_PNG_SIDE[1],
            f"{where} is a PNG of a real picture",
            "not a PNG" if size is None else
            f"{size[0]}x{size[1]}, {path.stat().st_size} bytes: too small to be a picture")


def check_pictures(t):
    """Every page's images, its picture markers, and no stray picture."""
    shown = set()
    for page in trace_pictures.PAGES:
        text = page.read_text()
        for target in IMAGE.findall(text):
            if not re.match(r"[a-z]+:", target):
                check_png(t, page, target)
                shown.add((page.parent / target).resolve())
        for line, name, moments, png in trace_pictures.markers(page):
            t.check(moments is not None and png is not None,
                    f"{page.name}:{line}: the picture marker of {name} is well-formed, "
                    "its image under it", "show= takes start, second, stale, hangup, stop "
                    "or all; the next line must be ![...](FILE.png)")
    folders = {p.parent / "img" for p in trace_pictures.PAGES}
    strays = sorted(str(p.relative_to(ROOT)) for d in folders if d.is_dir()
                    for p in d.glob("*.png") if p.resolve() not in shown)
    t.check(not strays, "every picture in an img/ directory is shown by a page",
            f"shown by none (remove them): {strays}")


def check_index_table(t):
    sys.path.insert(0, str(HERE))
    import gen_index
    why = gen_index.stale()
    t.check(why is None, "the index's table of steps is the checker's (gen_index.py)",
            f"{why}: run python3 docs/tutorial/gen_index.py")


def main():
    t = Tally()
    listing, why = checker_list()
    if listing is None:
        print(f"SKIP the checks against the checker's list: {why}")
        steps = sorted(HERE.glob("[0-9][0-9]-*.md"))
        known, sent = None, {}
    else:
        steps = []
        for step in sorted(listing["steps"], key=lambda s: s["number"]):
            page = ROOT / step["page"]
            t.check(page.exists(), f"step {step['number']}'s page {step['page']} exists")
            steps.append(page)
        known = {c["id"] for c in listing["checks"]}
        number_of = {s["number"]: ROOT / s["page"] for s in listing["steps"]}
        sent = {}
        for c in listing["checks"]:
            sent.setdefault(number_of.get(c["step"]), set()).add(c["id"])
        strays = sorted(p.name for p in HERE.glob("[0-9][0-9]-*.md") if p not in steps)
        t.check(not strays, "no step page that the checker does not know", f"strays: {strays}")
    t.check(INDEX.exists(), "the index, README.md, exists")
    sequence = [INDEX] + [p for p in steps if p.exists()]
    texts = {p: p.read_text() for p in sequence if p.exists()}
    check_order(t, sequence, texts)
    for page in sequence:
        text = texts[page]
        check_tree_paths(t, page, text)
        if known is not None:
            check_ids(t, page, text, known, sent.get(page, set()))
        check_blocks(t, page, text)
        if page != INDEX:
            check_step_page(t, page, text)
    if listing is not None:
        check_index_table(t)
    check_pictures(t)
    print(f"{t.passed} passed, {t.failed} failed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
