#!/usr/bin/env python3
"""make_python.py: write the Python path's files from one template.

The Python exercises need, for each tutorial step N, an answer (the daemon
with steps 1..N done) and a starting file (steps 1..N-1 done, TODO comments
where step N goes). Written by hand, 22 near-copies would drift apart; they
are rendered instead from tools/daemon.py.in, whose blocks say in which
files they appear:

    #@{TAG          lines up to the matching #@} appear where TAG holds
    #@}

where, for a file in which the steps 1..K are done (an answer to step N has
K = N, the starting file of exercise N has K = N-1), TAG is one of
    N-   K >= N            N-M  N <= K <= M          -M  K <= M
    a    every answer      s    every starting file
    sN   the starting file of exercise N only
    sN-  the starting file of exercise N, and every file with K >= N

    python3 skeleton/exercises/tools/make_python.py           # write them
    python3 skeleton/exercises/tools/make_python.py --check   # stale? exit 1

The rendered files are committed; the exercise test runs --check.
"""

import argparse
import re
import sys
from pathlib import Path

EXERCISES = Path(__file__).resolve().parent.parent
ROOT = EXERCISES.parent.parent
TEMPLATE = EXERCISES / "tools" / "daemon.py.in"
STEP_PROGRAMS = ROOT / "skeleton" / "c" / "steps"
OPEN = re.compile(r"^#@\{(\S+)$")
CLOSE = "#@}"

# The tutorial's step titles, as the exercise READMEs and the checker's
# --list give them; only for the files' first line.
TITLES = {
    1: "fork, and let the parent exit", 2: "set the umask", 3: "open the log",
    4: "leave the session: setsid", 5: "change directory to /",
    6: "detach the standard descriptors", 7: "the big loop",
    8: "fork a second time", 9: "the pidfile", 10: "start and stop",
    11: "what daemon(7) adds",
}


def visible(tag, done, start_of):
    """Whether a block tagged TAG appears in a file with steps 1..done done;
    start_of is N for the starting file of exercise N, else None."""
    if tag == "a":
        return start_of is None
    if tag == "s":
        return start_of is not None
    m = re.fullmatch(r"s(\d+)(-?)", tag)
    if m:
        n = int(m.group(1))
        return start_of == n or (m.group(2) == "-" and done >= n)
    m = re.fullmatch(r"(\d*)-(\d*)", tag)
    if not m or m.group(0) == "-":
        raise SystemExit(f"make_python: fatal: bad tag {tag!r} in {TEMPLATE.name}")
    low = int(m.group(1)) if m.group(1) else 0
    high = int(m.group(2)) if m.group(2) else 99
    return low <= done <= high


def render(lines, done, start_of, name, step):
    out, shown = [], [True]
    for number, line in enumerate(lines, 1):
        m = OPEN.match(line)
        if m:
            shown.append(shown[-1] and visible(m.group(1), done, start_of))
        elif line == CLOSE:
            if len(shown) == 1:
                raise SystemExit(f"make_python: fatal: {TEMPLATE.name}:{number}: #@}} without #@{{")
            shown.pop()
        elif shown[-1]:
            out.append(line.replace("@NAME@", name).replace("@STEP@", str(step))
                       .replace("@TITLE@", TITLES[step]))
    if len(shown) != 1:
        raise SystemExit(f"make_python: fatal: {TEMPLATE.name}: a #@{{ block is not closed")
    return "\n".join(out) + "\n"


def step_names():
    """{N: "NN-name"}, from the C step programs."""
    names = {}
    for path in sorted(STEP_PROGRAMS.glob("[0-9][0-9]-*.c")):
        names[int(path.name[:2])] = path.stem
    return names


def wanted():
    """{path: text} of every file this script writes."""
    lines = TEMPLATE.read_text().splitlines()
    files = {}
    for n, name in step_names().items():
        files[EXERCISES / "answers" / f"{name}.py"] = render(lines, n, None, name, n)
        files[EXERCISES / "steps" / name / "start.py"] = render(lines, n - 1, n, name, n)
    return files


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a file differs from its rendering")
    args = parser.parse_args()
    stale = []
    for path, text in wanted().items():
        if path.exists() and path.read_text() == text:
            continue
        stale.append(path.relative_to(ROOT))
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'} {path}")
    if args.check and stale:
        print("make_python: run python3 skeleton/exercises/tools/make_python.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
