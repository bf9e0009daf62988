#!/usr/bin/env python3
"""gen_index.py: the index's table of steps and checks, from the checker.

Which step turns which check green is the checker's to say (its table, as
`checker --list --format json` prints it): the index of the tutorial,
docs/tutorial/README.md, shows that table between two markers, and this
script writes it there. Never edit the table by hand.

    python3 docs/tutorial/gen_index.py           # rewrite the table
    python3 docs/tutorial/gen_index.py --check   # exit 1 if it is stale

check_pages.py runs the check (make tutorial-check); make tutorial-reports
rewrites it.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHECKER = ROOT / "checker" / "checker"
INDEX = HERE / "README.md"
EXERCISES = ROOT / "skeleton" / "exercises" / "steps"
BEGIN = "<!-- begin: the table of steps, written by gen_index.py from checker --list -->"
END = "<!-- end: the table of steps -->"


def listing():
    done = subprocess.run([str(CHECKER), "--list", "--format", "json"],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def table(data):
    """The table's lines: one row per step, its checks as the checker has them."""
    rows = ["| step | page | what turns green in `checker --step N` | exercise |",
            "|---|---|---|---|"]
    for step in sorted(data["steps"], key=lambda s: s["number"]):
        n = step["number"]
        page = Path(step["page"]).name
        checks = [c for c in data["checks"] if c["step"] == n]
        ids = [c["id"] for c in checks]
        green = ", ".join(f"`{i}`" for i in ids) or "nothing the checker can see"
        # A step whose checks only one profile judges (step 12: new-style)
        # turns green only under that profile.
        profiles = {p for c in checks for p in c.get("judged_by", [])}
        if len(profiles) == 1:
            green += f" (under `--profile {profiles.pop()}`)"
        exercise = sorted(EXERCISES.glob(f"{n:02d}-*"))
        ex = (f"[exercise {n}](../../skeleton/exercises/steps/{exercise[0].name}/README.md)"
              if exercise else "")
        rows.append(f"| {n} | [{step['title']}]({page}) | {green} | {ex} |")
    return rows


def render(text, rows):
    """TEXT with the lines between the markers replaced by ROWS."""
    lines = text.splitlines()
    try:
        start, end = lines.index(BEGIN), lines.index(END)
    except ValueError:
        raise SystemExit(f"gen_index: fatal: {INDEX.name} lacks the markers {BEGIN!r} and {END!r}")
    return "\n".join(lines[:start + 1] + rows + lines[end:]) + "\n"


def stale():
    """None when the index's table is what the checker says, else a reason."""
    text = INDEX.read_text()
    wanted = render(text, table(listing()))
    return None if wanted == text else "the table differs from checker --list"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.check:
        why = stale()
        if why:
            print(f"gen_index: {INDEX.relative_to(ROOT)}: {why}: run python3 "
                  f"docs/tutorial/gen_index.py", file=sys.stderr)
        return 1 if why else 0
    text = INDEX.read_text()
    INDEX.write_text(render(text, table(listing())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
