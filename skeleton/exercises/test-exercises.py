#!/usr/bin/env python3
"""test-exercises.py: every exercise and bug hunt is solvable, and graded right.

For each exercise N (skeleton/exercises/steps/NN-name/), in C and in Python:
  - its known answer passes `checker --step N` (C: the step program
    skeleton/c/steps/NN-name.c; Python: answers/NN-name.py), built and
    judged the way grade.py builds and judges a student's copy;
  - its unsolved starting file fails exactly what expected.txt says, and
    only checks that `checker --list` puts at step N;
  - its hints file has the three hints, for each language.
For each hunt: it builds without a warning, fails exactly what
hunts/solutions/expected.txt says, its solution note shows the lines that
tell it from solutions/reference.c, and reference.c passes every check.
Also: the Python files are up to date with their template, and grade.py's
round trip (copy, hint 1, hint 2, done) works, in a scratch work directory.

Prints one line per test, then "N passed, M failed"; exits 1 on a failure.
"""

import concurrent.futures
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import grade  # noqa: E402  (beside this file)

PARALLEL_RUNS = 6           # checker runs mostly wait: settle times, timeouts


def read_table(path):
    """{name: set of words} from a "NAME WORD..." table ('#' comments)."""
    table = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, *words = line.split()
            table[name] = set(words)
    return table




def not_done_set(task, source, binary):
    """{ID or "source"} that the grader finds not done, or a problem string."""
    if task.lang == "c":
        ok, (_, output) = grade.build(source, binary)
        if not ok:
            return f"does not build: {output.strip()[:300]}"
        if output.strip() and task.kind == "hunt":
            return f"builds with warnings (they would give the fault away): {output.strip()[:300]}"
    report, _ = grade.judge(task, source, binary)
    found = {c["id"] for c in grade.not_done(report)}
    if grade.source_problem(task, source):
        found.add("source")
    return found


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


def exercise_jobs(binaries):
    """(label, task, source, binary, expected-or-None) for every run."""
    jobs = []
    for n, d in grade.exercise_dirs().items():
        for lang in grade.LANGS:
            task = grade.find_exercise(n, lang)
            answer = grade.answer_source(task)
            for which, source in (("start", task.start), ("answer", answer)):
                jobs.append((f"exercise {n} ({lang}) {which}", task, source,
                             binaries / f"{d.name}-{lang}-{which}", which))
    for path in sorted(grade.HUNTS.glob("hunt-[0-9][0-9].c")):
        task = grade.find_hunt(int(path.stem[5:]))
        jobs.append((f"{task.name}", task, task.start, binaries / task.name, "hunt"))
    reference = grade.find_hunt(1)
    jobs.append(("hunt solutions/reference.c", reference, grade.HUNTS / "solutions" / "reference.c",
                 binaries / "reference", "answer"))
    return jobs


def judge_runs(t, jobs, steps):
    starts = read_table(HERE / "expected.txt")
    hunts = read_table(grade.HUNTS / "solutions" / "expected.txt")

    def one(job):
        try:
            return not_done_set(job[1], job[2], job[3])
        except (RuntimeError, ValueError, subprocess.TimeoutExpired) as err:
            return f"the checker could not judge it: {err}"

    with concurrent.futures.ThreadPoolExecutor(PARALLEL_RUNS) as pool:
        for (label, task, _, _, which), found in zip(jobs, pool.map(one, jobs)):
            if isinstance(found, str):
                t.check(False, label, found)
                continue
            if which == "answer":
                t.check(not found, f"{label} passes", f"not done: {sorted(found)}")
                continue
            table = starts if which == "start" else hunts
            want = set(table.get(task.name, {"(no entry)"}))
            t.check(found == want, f"{label} fails exactly {' '.join(sorted(want))}",
                    f"got {sorted(found)}")
            if which == "start":
                strays = sorted(i for i in found - {"source"} if steps.get(i) != task.number)
                t.check(not strays, f"{label}: every check it fails is taught at step {task.number}",
                        f"checker --list puts {strays} at other steps")


def check_files(t):
    done = subprocess.run([sys.executable, "-B", str(HERE / "tools" / "make_python.py"), "--check"],
                          capture_output=True, text=True)
    t.check(done.returncode == 0, "the Python files match tools/daemon.py.in",
            (done.stdout + done.stderr).strip())
    for n, d in grade.exercise_dirs().items():
        missing = [f for f in ("README.md", "hints.md", "start.c", "start.py") if not (d / f).exists()]
        t.check(not missing, f"exercise {n}: its files are there", f"missing: {missing}")
        for lang in grade.LANGS:
            hints = grade.read_hints(d / "hints.md", lang)
            t.check(len(hints) == grade.LAST_HINT and all(hints),
                    f"exercise {n}: {grade.LAST_HINT} hints for {lang}", f"found {len(hints)}")
            t.check("TODO" in (d / f"start{grade.LANGS[lang]}").read_text(),
                    f"exercise {n}: the {lang} starting file says where: TODO")
    reference = (grade.HUNTS / "solutions" / "reference.c").read_text().splitlines()
    for path in sorted(grade.HUNTS.glob("hunt-[0-9][0-9].c")):
        note = grade.HUNTS / "solutions" / f"{path.stem}.md"
        hints = grade.read_hints(grade.HUNTS / "hints" / f"{path.stem}.md", "c")
        t.check(len(hints) == grade.LAST_HINT, f"{path.stem}: {grade.LAST_HINT} hints")
        changed = changed_lines(path.read_text().splitlines(), reference)
        shown = note_lines(note) if note.exists() else None
        t.check(shown == changed and 0 < len(changed) <= 12,
                f"{path.stem}: its solution note shows the {len(changed)} lines that differ",
                f"note: {shown}, files: {changed}")


def changed_lines(hunt, reference):
    """The '-'/'+' lines of hunt -> reference, but for the opening comment."""
    start = next(i for i, line in enumerate(reference) if line.startswith("#include"))
    body = next(i for i, line in enumerate(hunt) if line.startswith("#include"))
    diff = difflib.unified_diff(hunt[body:], reference[start:], lineterm="", n=0)
    return sorted(d for d in diff if d[:1] in "+-" and not d.startswith(("+++", "---")))


def note_lines(note):
    block = re.search(r"```diff\n(.*?)\n```", note.read_text(), re.S)
    lines = block.group(1).splitlines() if block else []
    return sorted(d for d in lines if d[:1] in "+-" and not d.startswith(("+++", "---")))


def check_round_trip(t, scratch):
    """grade.py in a scratch work directory: copy and hint 1, hint 2, done."""
    env = dict(os.environ, EXERCISES_WORK=str(scratch))
    argv = [sys.executable, "-B", str(HERE / "grade.py"), "exercise", "2"]

    def run():
        return subprocess.run(argv, capture_output=True, text=True, env=env, cwd=grade.ROOT,
                              stdin=subprocess.DEVNULL, timeout=grade.RUN_LIMIT_S)

    first, second = run(), run()
    t.check(first.returncode == 1 and "Your copy:" in first.stdout and "Hint 1 of 3" in first.stdout,
            "grade.py: the first run copies the starting file and shows hint 1",
            first.stdout[-400:] + first.stderr)
    t.check(second.returncode == 1 and "Hint 2 of 3" in second.stdout,
            "grade.py: the next run shows hint 2", second.stdout[-400:] + second.stderr)
    shutil.copyfile(grade.STEPS_DIR / "02-umask.c", scratch / "02-umask.c")
    third = run()
    t.check(third.returncode == 0 and "DONE" in third.stdout,
            "grade.py: a solved copy is DONE", third.stdout[-400:] + third.stderr)


def main():
    t = Tally()
    if not grade.CHECKER.exists() or not grade.STEPS_OBJ.exists():
        print("skip every test: the checker or steps.o is not built (run make)")
        print("0 passed, 0 failed")
        return 0
    listing = json.loads(subprocess.run([str(grade.CHECKER), "--list", "--format", "json"],
                                        capture_output=True, text=True, check=True).stdout)
    steps = {c["id"]: c["step"] for c in listing["checks"]}
    check_files(t)
    scratch = Path(tempfile.mkdtemp(prefix="test-exercises."))
    try:
        judge_runs(t, exercise_jobs(scratch / "bin"), steps)
        check_round_trip(t, scratch / "work")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"{t.passed} passed, {t.failed} failed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
