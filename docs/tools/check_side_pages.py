#!/usr/bin/env python3
"""check_side_pages.py: the tutorial's side pages (docs/tutorial/seed-python-class.md
and docs/tutorial/daemon3.md) agree with the tree and with the checker.

For each page, with the tutorial's own checks (docs/tutorial/check_pages.py):
every file of the tree it names exists, every check ID it mentions is one
the checker knows, every excerpt is still, line for line, in the file it
quotes. Besides: every relative link resolves and the page links to the
tutorial's index; every block that docs/tools/side_reports.py fills holds
what it should (a checker run and its verdict, or a shell session), and
carries the stamp of a generation. Last, the runs that must give the same
statuses every time (RUNS in side_reports.py) are run again, and each check
shown on the page must come out as shown.

    python3 docs/tools/check_side_pages.py [--no-rerun]   (make side-pages-check)

Prints one line per check and ends with "N passed, M failed"; exits 1 on a
failure. Without a built checker, it checks what it can and skips the rest.
"""
import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "docs" / "tutorial"))
sys.path.insert(0, str(HERE))
import check_pages  # noqa: E402  (the tutorial's page checks)
import side_reports  # noqa: E402  (the runs and markers of the side pages)

SHOWN_STATUS = re.compile(r"^  (PASS|FAIL|WARN|SKIP)  (\S+)")
RERUN_LIMIT_S = 60


def check_links(t, page, text):
    links = check_pages.links_of(page, text)
    missing = sorted(str(l.relative_to(ROOT)) if l.is_relative_to(ROOT) else str(l)
                     for l in links if not l.exists())
    t.check(not missing, f"{page.name}: every relative link resolves", f"missing: {missing}")
    t.check(check_pages.INDEX in links, f"{page.name} links to the tutorial's index")


def generated_blocks(page, lines):
    """[(kind, name, ids, block lines, where)] of the page's side-* markers."""
    found = []
    for i, line in enumerate(lines):
        m = side_reports.MARKER.match(line)
        if m:
            block = check_pages.fenced_block_after(lines, i + 1)
            ids = m.group(3).split(",") if m.group(3) else []
            found.append((m.group(1), m.group(2), ids, block, f"{page.name}:{i + 1}"))
    return found


def check_generated(t, page, lines):
    blocks = generated_blocks(page, lines)
    t.check(bool(blocks), f"{page.name}: it has blocks that side_reports.py fills")
    for kind, name, _, block, where in blocks:
        if block is None:
            t.check(False, f"{where}: a code block follows the side-{kind} marker")
            continue
        if kind == "session":
            ok = len(block) > 1 and block[0].startswith("$ ")
        else:
            ok = len(block) > 1 and block[0].startswith("$ checker/checker") and \
                any(re.match(r"^\s*verdict:", l) for l in block)
        t.check(ok, f"{where}: the side-{kind} block of {name} holds a generated run",
                "empty or incomplete: run make side-reports")
    stamped = any(side_reports.STAMP.match(l) and "(not yet)" not in l for l in lines)
    t.check(stamped, f"{page.name}: it says when its reports were generated",
            "no stamp: run make side-reports")
    return blocks


def shown_statuses(block):
    return {m.group(2): m.group(1).lower() for m in map(SHOWN_STATUS.match, block) if m}


def rerun(t, blocks):
    """Run again the deterministic runs; each shown status must come out again."""
    shown = {}
    for kind, name, _, block, where in blocks:
        if kind == "report" and block and side_reports.RUNS.get(name, (None, False))[1]:
            shown.setdefault(name, {}).update(shown_statuses(block))
    for name, statuses in sorted(shown.items()):
        argv = [str(check_pages.CHECKER)] + side_reports.checker_argv(name, json_format=True)
        try:
            done = subprocess.run(argv, cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True,
                                  text=True, start_new_session=True, timeout=RERUN_LIMIT_S)
            got = {c["id"]: c["status"] for c in json.loads(done.stdout)["checks"]}
        except (subprocess.TimeoutExpired, ValueError, KeyError) as exc:
            t.check(False, f"run {name} again: a JSON report", str(exc))
            continue
        differ = {i: f"page {s}, now {got.get(i)}" for i, s in statuses.items() if got.get(i) != s}
        t.check(not differ, f"run {name} again: the {len(statuses)} checks shown come out as shown",
                f"{differ}; if the checker changed on purpose: make side-reports")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-rerun", action="store_true", help="do not run the checker again")
    args = parser.parse_args()
    t = check_pages.Tally()
    listing, why = check_pages.checker_list()
    if listing is None:
        print(f"skip the checks that need the checker: {why}")
    known = {c["id"] for c in listing["checks"]} if listing else None
    all_blocks = []
    for page in side_reports.PAGES:
        if not page.exists():
            t.check(False, f"{page.relative_to(ROOT)} exists")
            continue
        text = page.read_text()
        check_links(t, page, text)
        check_pages.check_tree_paths(t, page, text)
        if known is not None:
            check_pages.check_ids(t, page, text, known, set())
        check_pages.check_blocks(t, page, text)
        all_blocks += check_generated(t, page, text.splitlines())
    if listing is not None and not args.no_rerun:
        rerun(t, all_blocks)
    print(f"{t.passed} passed, {t.failed} failed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
