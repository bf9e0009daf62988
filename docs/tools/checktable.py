"""checktable.py - the checker's table of checks, as its generators see it.

The table lives in checker/checks.c; `checker --list --format json` is the
only way the documentation reads it, so that no copy of it can drift.
Shared by gen_checks.py and gen_man.py.
"""
import json
import os
import subprocess
import sys

PROFILES = ("sysv", "seed", "new-style")


class TableError(Exception):
    """The checker could not be run, or its --list output is not usable."""


def run_checker(checker, *args):
    """stdout of `checker ARGS...`; raises TableError on any failure."""
    try:
        done = subprocess.run([checker, *args], stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=30,
                              check=False)
    except OSError as e:
        raise TableError(f"unable to run {checker}: {e.strerror}") from e
    except subprocess.TimeoutExpired as e:
        raise TableError(f"unable to run {checker}: no answer in 30 s") from e
    if done.returncode != 0:
        raise TableError(f"{checker} {' '.join(args)} exited {done.returncode}: "
                         f"{done.stderr.strip()}")
    return done.stdout


def load(checker):
    """The table: {"steps": [...], "checks": [...]}, checked for shape."""
    text = run_checker(checker, "--list", "--format", "json")
    try:
        table = json.loads(text)
    except ValueError as e:
        raise TableError(f"{checker} --list --format json: not JSON: {e}") from e
    steps = {s["number"]: s for s in table.get("steps", [])}
    checks = table.get("checks", [])
    if not steps or not checks:
        raise TableError(f"{checker} --list --format json: no steps or no checks")
    for c in checks:
        if c.get("step") not in steps:
            raise TableError(f"check {c.get('id')!r} names step {c.get('step')!r}, "
                             "which the table lacks")
    return table


def version(checker):
    """The version number that `checker --version` prints ("0.1.0")."""
    words = run_checker(checker, "--version").split()
    if len(words) != 2 or words[0] != "checker":
        raise TableError(f"{checker} --version: unexpected answer {' '.join(words)!r}")
    return words[1]


def checks_of_step(table, number):
    """The checks that belong to a tutorial step, in the table's order."""
    return [c for c in table["checks"] if c["step"] == number]


def profile_word(check, profile):
    """How one profile treats the check: "required", "warns" or "skips"."""
    if profile not in check["judged_by"]:
        return "skips"
    return "required" if profile in check["required_by"] else "warns"


def profile_status(check):
    """How each profile treats a failure of this check, in words."""
    words = {p: profile_word(check, p) for p in PROFILES}
    parts = []
    for word, say in (("required", "required by"), ("warns", "a warning under"),
                      ("skips", "not judged under")):
        named = [p for p in PROFILES if words[p] == word]
        if named:
            parts.append(f"{say} {', '.join(named)}")
    return "; ".join(parts)


def page_from(page, directory):
    """The tutorial page's path relative to a file in directory."""
    return os.path.relpath(page, directory)


def main(generate, template=False):
    """The generators' shared command line: --checker PATH [--template IN] [-o OUT].

    generate(args) returns the whole text; it is written atomically to OUT,
    or to stdout. Returns the exit status."""
    import argparse
    parser = argparse.ArgumentParser(description=generate.__doc__)
    parser.add_argument("--checker", default="checker/checker",
                        help="the checker binary whose table is documented")
    if template:
        parser.add_argument("--template", required=True, help="the page to fill in")
    parser.add_argument("-o", "--output", help="write here instead of stdout")
    args = parser.parse_args()
    prog = os.path.basename(sys.argv[0])
    try:
        text = generate(args)
    except (TableError, OSError) as e:
        print(f"{prog}: fatal: {e}", file=sys.stderr)
        return 1
    if args.output is None:
        sys.stdout.write(text)
        return 0
    # Through a temporary file: an interrupted run never leaves half a page.
    tmp = args.output + ".tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, args.output)
    except OSError as e:
        print(f"{prog}: fatal: unable to write {args.output}: {e.strerror}", file=sys.stderr)
        return 1
    return 0
