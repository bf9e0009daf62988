#!/usr/bin/env python3
"""grade.py: build a student's exercise, judge it with the checker, and say
"done", or show the next hint.

    python3 skeleton/exercises/grade.py exercise N [--lang c|python]
    python3 skeleton/exercises/grade.py hunt N
    python3 skeleton/exercises/grade.py list

(`make exercise N`, `make exercise N LANG=python` and `make hunt N` call it.)

The student never edits the kit's files: on first use the starting file is
copied to skeleton/exercises/work/ (git-ignored), and that copy is what is
built and judged. Next to it, NAME.hint counts the hints shown so far; each
run that is not yet a pass shows one more, up to the last. Delete the copy
and its .hint file to start that exercise over.

An exercise N is judged by `checker --step N`: every check that steps 1 to N
teach must pass (a WARN counts as not done here: the pidfile lock, only a
warning for the checker, is part of step 9). Exercise 12's service is
started as a service manager starts one (`--profile new-style`, with a
passed socket, a watchdog and an abstract NOTIFY_SOCKET), without
arguments. A hunt is judged by the whole checker. Exit status: 0 done, 1 not yet, 2 a usage error or a build that
failed.
"""

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHECKER = ROOT / "checker" / "checker"
STEPS_DIR = ROOT / "skeleton" / "c" / "steps"
STEPS_OBJ = STEPS_DIR / "bin" / "steps.o"
# The students' copies; EXERCISES_WORK moves it (the exercise test does).
WORK = Path(os.environ.get("EXERCISES_WORK") or HERE / "work")
HUNTS = HERE / "hunts"
LANGS = {"c": ".c", "python": ".py"}
CFLAGS = ["-std=c11", "-D_GNU_SOURCE", "-g", "-Wall", "-Wextra"]
TIMEOUT = "2"       # seconds per phase of a checker run, as in the tutorial
RUN_LIMIT_S = 120   # a bounded fallback: the checker bounds its own phases
FIRST_STOP_STEP = 10  # from this step on the program has a "stop" command
NEW_STYLE_STEP = 12   # from this step on the program is a new-style service
# How a new-style service is started: every step-12 check judged, the
# abstract NOTIFY_SOCKET included (an '@' taken for a path is a classic slip).
NEW_STYLE_OPTIONS = ["--profile", "new-style", "--socket-activation", "--watchdog", "500",
                     "--notify-socket", "abstract"]
LAST_HINT = 3

# No check can see a log from outside (step 3): the grader looks for the
# call in the source instead, outside comments.
SOURCE_CHECKS = {
    3: {"c": (r"\b(openlog|step_open_log)\s*\(", "no call to openlog() yet"),
        "python": (r"\bsyslog\.openlog\s*\(", "no call to syslog.openlog() yet")},
}


class Task:
    """One exercise or hunt: where its files are and how it is judged."""

    def __init__(self, kind, number, name, lang, start, hints, step):
        self.kind, self.number, self.name, self.lang = kind, number, name, lang
        self.start = start          # the kit's pristine starting file
        self.hints = hints          # the hints file
        self.step = step            # --step N, or None for the whole checker
        self.work = WORK / f"{name}{LANGS[lang]}"
        self.hint_file = WORK / f"{name}{LANGS[lang]}.hint"

    @property
    def new_style(self):
        """A service for a manager: it runs in the foreground, no pidfile."""
        return self.step is not None and self.step >= NEW_STYLE_STEP

    @property
    def has_stop(self):
        """Exercises 10 and 11 are stopped by their own command; a hunt by
        the checker's SIGTERM, so that a fault shows once; a new-style
        service by the SIGTERM of its manager."""
        return self.step is not None and FIRST_STOP_STEP <= self.step < NEW_STYLE_STEP


def exercise_dirs():
    """{N: directory} of the exercises, from their NN-name directories."""
    found = {}
    for d in sorted((HERE / "steps").glob("[0-9][0-9]-*")):
        found[int(d.name[:2])] = d
    return found


def find_exercise(number, lang):
    d = exercise_dirs().get(number)
    if d is None:
        return None
    return Task("exercise", number, d.name, lang, d / f"start{LANGS[lang]}",
                d / "hints.md", number)


def find_hunt(number):
    name = f"hunt-{number:02d}"
    start = HUNTS / f"{name}.c"
    if not start.exists():
        return None
    return Task("hunt", number, name, "c", start, HUNTS / "hints" / f"{name}.md", None)


# ------------------------------------------------------------------ build

def build(source, binary):
    """Compile a C file against steps.h and steps.o; (ok, compiler output)."""
    binary.parent.mkdir(parents=True, exist_ok=True)
    argv = [os.environ.get("CC", "cc"), *CFLAGS, "-I", str(STEPS_DIR), "-o", str(binary),
            str(source), str(STEPS_OBJ)]
    done = subprocess.run(argv, capture_output=True, text=True)
    return done.returncode == 0, (shlex.join(argv), done.stdout + done.stderr)


def candidate(task, source, binary):
    """The argv that starts the program, and its stop command (or None)."""
    if task.lang == "python":
        run = [sys.executable, str(source)]
    else:
        run = [str(binary)]
    if task.new_style:
        return run, None
    stop = shlex.join(run + ["stop"]) + " {pidfile}" if task.has_stop else None
    return run + ["start", "{pidfile}"], stop


# ------------------------------------------------------------------ judge

def checker_argv(task, run, stop, fmt):
    argv = [str(CHECKER), "--format", fmt, "--timeout", TIMEOUT]
    if task.step is not None:
        argv += ["--step", str(task.step)]
    if task.new_style:
        argv += NEW_STYLE_OPTIONS
    if stop:
        argv += ["--stop-command", stop]
    return argv + ["--"] + run


def run_checker(argv):
    """The checker's JSON report. It runs in a session of its own: it hangs
    up terminals and sweeps processes, none of which must reach make."""
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          start_new_session=True, timeout=RUN_LIMIT_S, cwd=ROOT)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"the checker exited {done.returncode}: {done.stderr.strip()}")
    return json.loads(done.stdout)


def not_done(report):
    """The checks of a report that are not passed: fail, and warn."""
    return [c for c in report["checks"] if c["status"] in ("fail", "warn")]


def source_problem(task, source):
    """What the source check of the task's step finds missing, or None."""
    rule = SOURCE_CHECKS.get(task.step or 0, {}).get(task.lang)
    if rule is None:
        return None
    text = source.read_text()
    if task.lang == "c":
        text = re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)
    else:
        text = re.sub(r"#[^\n]*", " ", text)
    pattern, missing = rule
    return None if re.search(pattern, text) else missing


def judge(task, source, binary):
    """(report, problems): problems is empty when the task is done."""
    run, stop = candidate(task, source, binary)
    report = run_checker(checker_argv(task, run, stop, "json"))
    problems = [f"{c['status'].upper()} {c['id']}" for c in not_done(report)]
    extra = source_problem(task, source)
    if extra:
        problems.append(f"source: {extra}")
    return report, problems


# ------------------------------------------------------------------ hints

def read_hints(path, lang):
    """[hint 1, hint 2, ...] for a language: sections "## Hint K" for both
    languages, or "## Hint K (C)" / "## Hint K (Python)" for one."""
    hints = {}
    current = None
    for line in path.read_text().splitlines():
        m = re.match(r"## Hint (\d+)(?: \((C|Python)\))?\s*$", line)
        if m:
            wanted = m.group(2) is None or m.group(2).lower() == lang
            current = int(m.group(1)) if wanted else None
            if current is not None:
                hints.setdefault(current, [])
            continue
        if line.startswith("## "):
            current = None
        elif current is not None:
            hints[current].append(line)
    return ["\n".join(hints[k]).strip() for k in sorted(hints)]


def next_hint(task):
    """(K, text) of the next hint to show, counting it as shown."""
    hints = read_hints(task.hints, task.lang)
    try:
        shown = int(task.hint_file.read_text().strip() or 0)
    except (FileNotFoundError, ValueError):
        shown = 0
    k = min(shown + 1, len(hints))
    task.hint_file.write_text(f"{k}\n")
    return k, hints[k - 1], len(hints)


# ------------------------------------------------------------------ talk

def rel(path):
    return os.path.relpath(path, Path.cwd())


def show_checks(report):
    for c in report["checks"]:
        if c["status"] == "pass":
            print(f"  PASS  {c['id']}")
        elif c["status"] in ("fail", "warn"):
            print(f"  {c['status'].upper()}  {c['id']:<20} {c.get('title', '')}".rstrip())
            for key in ("expected", "observed"):
                if c.get(key):
                    print(f"        {key}: {c[key]}")
            if c.get("message"):
                print(f"        {c['message']}")


def shown_command(task, run, stop):
    """The checker's command line, as the student would type it."""
    words = [rel(CHECKER)] + checker_argv(task, run, stop, "text")[1:]
    words.remove("--format")
    words.remove("text")
    return " ".join(w if w.endswith("{pidfile}") and " " not in w else shlex.quote(w)
                    for w in words)


def answer_source(task):
    """An exercise's answer: the step program, or, for a step that has none
    (12: the reference's is mydaemon run), answers/NN-name.c; Python's are
    all in answers/."""
    if task.lang == "python":
        return HERE / "answers" / f"{task.name}.py"
    step_program = STEPS_DIR / f"{task.name}.c"
    return step_program if step_program.exists() else HERE / "answers" / f"{task.name}.c"


def answer_of(task):
    if task.kind == "hunt":
        return rel(HUNTS / "solutions" / f"{task.name}.md")
    return rel(answer_source(task))


def grade(task):
    WORK.mkdir(exist_ok=True)
    if not task.work.exists():
        shutil.copyfile(task.start, task.work)
        print(f"Your copy: {rel(task.work)} (from {rel(task.start)}).")
        print(f"Edit it, then run the same make command again. The goal: "
              f"{rel(task.start.parent / 'README.md') if task.kind == 'exercise' else rel(HUNTS / 'README.md')}")
        print()
    binary = WORK / "bin" / task.name
    if task.lang == "c":
        ok, (cmd, output) = build(task.work, binary)
        if not ok:
            print(f"$ {cmd}\n{output.rstrip()}\n")
            print(f"The build failed: fix {rel(task.work)} and run it again (no hint used).")
            return 2
        if output.strip():
            print(output.rstrip() + "\n")
    run, stop = candidate(task, task.work, binary)
    print(f"$ {shown_command(task, run, stop)}")
    report, problems = judge(task, task.work, binary)
    show_checks(report)
    if not problems:
        print(f"\nDONE: {task.kind} {task.number} passes.", end=" ")
        if task.kind == "exercise":
            nxt = task.number + 1
            print(f"Next: make exercise {nxt}" + (" LANG=python" if task.lang == "python" else "")
                  if nxt in exercise_dirs() else "Every step is done: try the bug hunts, make hunt 1.")
        else:
            print(f"Compare with the note: {answer_of(task)}")
        return 0
    print(f"\nNOT YET: {', '.join(problems)}.")
    k, text, total = next_hint(task)
    print(f"\nHint {k} of {total}:\n{text}\n")
    if k == total:
        print(f"That was the last hint. The answer: {answer_of(task)}")
    print(f"(Hints shown are counted in {rel(task.hint_file)}; delete it, and "
          f"{rel(task.work)}, to start over.)")
    return 1


def list_all():
    for n, d in exercise_dirs().items():
        title = (d / "README.md").read_text().splitlines()[0].lstrip("# ")
        print(f"make exercise {n:<2}  {title}")
    for path in sorted(HUNTS.glob("hunt-[0-9][0-9].c")):
        print(f"make hunt {int(path.stem[5:]):<2}      {path.name}")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=("exercise", "hunt", "list"))
    parser.add_argument("number", nargs="?", default="")
    parser.add_argument("--lang", default="c",
                        help="c (the default) or python; anything else (a locale's LANG) means c")
    args = parser.parse_args()
    if args.kind == "list":
        return list_all()
    lang = "python" if args.lang.lower() in ("python", "py", "python3") else "c"
    if not args.number.isdigit():
        print(f"usage: make {args.kind} N" + (" [LANG=python]" if args.kind == "exercise" else "")
              + "   (make exercises lists them)", file=sys.stderr)
        return 2
    number = int(args.number)
    task = find_exercise(number, lang) if args.kind == "exercise" else find_hunt(number)
    if task is None:
        print(f"grade: no {args.kind} {number} (make exercises lists them)", file=sys.stderr)
        return 2
    if not CHECKER.exists() or (task.lang == "c" and not STEPS_OBJ.exists()):
        print("grade: the kit is not built: run make first", file=sys.stderr)
        return 2
    return grade(task)


if __name__ == "__main__":
    sys.exit(main())
