#!/usr/bin/env python3
"""bench.py - `make grade-bench`: how long checker-grade takes over a class
of 60 generated submissions, with its defaults (-j the number of cores,
isolated when root, no grade.conf).

The class: 24 correct C daemons (copies of skeleton/c), 16 with one planted
fault (4 kinds, 4 each), 8 correct Python daemons (skeleton/python), 6 with
a planted fault, 6 that do not compile. Prints the command and the time,
then checks that every row came out as it should ("N passed, M failed").
Arguments are passed to checker-grade (`bench.py -j 4` compares another -j).
"""
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GRADE = os.path.join(ROOT, "grade", "checker-grade")
CHECKER = os.path.join(ROOT, "checker", "checker")
sys.path.insert(0, HERE)
import make_class  # noqa: E402

C_FAULTS = sorted(make_class.FAULTS)


def write_class(cls):
    """60 folders; returns {name: (outcome, checks it must fail or None)}."""
    plan = []
    plan += [("c", None)] * 24
    plan += [("c-fault", C_FAULTS[i % 4]) for i in range(16)]
    plan += [("py", None)] * 8
    plan += [("py-fault", "umask")] * 6
    plan += [("broken", None)] * 6
    expected = {}
    for i, (kind, fault) in enumerate(plan):
        name = f"student-{i + 1:02d}"
        dst = os.path.join(cls, name)
        if kind == "c":
            make_class.correct_c(dst)
            expected[name] = ("graded", set())
        elif kind == "c-fault":
            make_class.faulty_c(dst, fault)
            expected[name] = ("graded", make_class.FAULTS[fault][3])
        elif kind == "py":
            make_class.correct_python(dst)
            expected[name] = ("graded", set())
        elif kind == "py-fault":
            make_class.faulty_python(dst, fault)
            expected[name] = ("graded", make_class.PY_FAULTS[fault][3])
        else:
            make_class.broken_c(dst)
            expected[name] = ("build-failed", None)
    return expected


def main():
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="grade-bench.") as tmp:
        cls, out = os.path.join(tmp, "class"), os.path.join(tmp, "grades")
        expected = write_class(cls)
        extra = sys.argv[1:]
        argv = [GRADE, "--checker", CHECKER, "-q", *extra, "-o", out, cls]
        shown = " ".join(["checker-grade", "-q", *extra, "-o", "grades", "class"])
        began = time.monotonic()
        p = subprocess.run([sys.executable, "-B", *argv], capture_output=True, text=True,
                           env=dict(os.environ, TMPDIR=tmp), stdin=subprocess.DEVNULL)
        took = time.monotonic() - began
        if p.returncode != 0:
            print(f"FAIL  {shown}: status {p.returncode}\n{p.stderr}")
            print("0 passed, 1 failed")
            return 1
        with open(os.path.join(out, "grades.json")) as f:
            data = json.load(f)
        print(f"grade-bench: {len(expected)} submissions graded in {took:.1f} s, "
              f"-j {data['jobs']}, {'isolated' if data['isolated'] else 'NOT isolated'}, "
              f"{os.cpu_count()} cores: {shown}")
        wrong = []
        for s in data["students"]:
            outcome, fails = expected[s["name"]]
            got = {c for c, st in s["checks"].items() if st == "fail"}
            if s["outcome"] != outcome or (fails is not None and got != fails):
                wrong.append(f"{s['name']}: expected {outcome} {sorted(fails or [])}, "
                             f"got {s['outcome']} {sorted(got)} {s['reason']}")
        if wrong or len(data["students"]) != len(expected):
            failed += 1
            print("FAIL  every row as expected")
            for w in wrong:
                print(f"        {w}")
        else:
            passed += 1
            print("ok    every row as expected")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
