#!/usr/bin/env python3
"""test_ci_docs.py - runs the CI jobs that docs/ci.md shows, for real.

    docs/tools/test_ci_docs.py [--checker checker/checker] docs/ci.md

The page's two ```yaml blocks are read with a small parser of the YAML
subset they use (mappings, sequences, plain and quoted scalars, `|` block
scalars, flow sequences of scalars): anything else in them is an error, so
the page cannot drift out of what is tested. From the GitHub Actions job it
takes every `run:` step, from the GitLab job every `script:` line, and runs
them the way each CI system does (GitHub: `bash -e -o pipefail` per step;
GitLab: one shell, stopping at the first failure) in a scratch repository
that holds the kit as `kit/` and a daemon built from the kit's skeleton.

Then the JUnit report the commands wrote must parse with xml.etree, hold
one testcase per check of `checker --list --format json`, and have no
failure; the job must have uploaded that same file. The same commands run
against a daemon with one fault (a umask of 022) must fail at the checker's
step, with a report whose only failure is `umask`: the gate closes.

Skips, saying why, while `--format junit` is not available yet.
Ends with "N passed, M failed".
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
REPORT = "checker-report.xml"
STEP_TIMEOUT = 300


# --- a parser for the YAML subset of the page --------------------------------

class YamlError(Exception):
    pass


def strip_comment(text):
    """Text without a trailing ` # comment` (outside quotes)."""
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i].rstrip()
    return text.rstrip()


def scalar(text, where):
    text = strip_comment(text).strip()
    if text[:1] == "'":
        if len(text) < 2 or text[-1] != "'":
            raise YamlError(f"{where}: unterminated quote")
        return text[1:-1].replace("''", "'")
    if text[:1] == '"':
        if len(text) < 2 or text[-1] != '"' or "\\" in text:
            raise YamlError(f"{where}: only simple double-quoted strings are supported")
        return text[1:-1]
    if text[:1] in "{&*!%@`>":
        raise YamlError(f"{where}: {text[:1]!r} is outside the supported YAML subset")
    return text


def flow_sequence(text, where):
    text = strip_comment(text).strip()
    if not text.endswith("]") or "[" in text[1:] or "{" in text:
        raise YamlError(f"{where}: only flat flow sequences are supported")
    inner = text[1:-1].strip()
    return [scalar(item, where) for item in inner.split(",")] if inner else []


KEY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_.\-/ ]*):(?:\s+(.*))?$")


class Yaml:
    """Indentation-driven parser over the lines of one document."""

    def __init__(self, text):
        self.lines = text.split("\n")
        self.i = 0

    def where(self):
        return f"yaml line {self.i + 1}"

    def skip_blank(self):
        while self.i < len(self.lines) and not strip_comment(self.lines[self.i]).strip():
            self.i += 1

    def peek(self):
        """(indent, content) of the next meaningful line, or None."""
        self.skip_blank()
        if self.i >= len(self.lines):
            return None
        line = self.lines[self.i]
        if "\t" in line[:len(line) - len(line.lstrip())]:
            raise YamlError(f"{self.where()}: tab in indentation")
        content = line.lstrip(" ")
        return len(line) - len(content), content

    def document(self):
        value = self.node(0)
        if self.peek() is not None:
            raise YamlError(f"{self.where()}: unexpected indentation")
        return value

    def node(self, min_indent):
        nxt = self.peek()
        if nxt is None or nxt[0] < min_indent:
            return None
        indent, content = nxt
        if content == "-" or content.startswith("- "):
            return self.sequence(indent)
        return self.mapping(indent)

    def value_after(self, rest, indent):
        """The value of `key: rest` or `- rest` whose line has this indent."""
        where = self.where()
        self.i += 1
        rest = rest.strip()
        if rest in ("|", "|-"):
            return self.block_scalar(indent, keep_newline=(rest == "|"))
        if rest.startswith("["):
            return flow_sequence(rest, where)
        if strip_comment(rest) == "":
            nxt = self.peek()
            # A sequence may sit at its key's own indentation.
            if nxt and nxt[0] == indent and nxt[1].startswith("- "):
                return self.sequence(indent)
            return self.node(indent + 1)
        return scalar(rest, where)

    def mapping(self, indent):
        result = {}
        while True:
            nxt = self.peek()
            if nxt is None or nxt[0] < indent:
                return result
            if nxt[0] > indent or nxt[1].startswith("- "):
                raise YamlError(f"{self.where()}: unexpected indentation")
            m = KEY.match(nxt[1].rstrip())
            if not m:
                raise YamlError(f"{self.where()}: expected `key: value`, got {nxt[1]!r}")
            key = m.group(1).strip()
            if key in result:
                raise YamlError(f"{self.where()}: duplicate key {key!r}")
            result[key] = self.value_after(m.group(2) or "", indent)

    def sequence(self, indent):
        result = []
        while True:
            nxt = self.peek()
            if nxt is None or nxt[0] < indent:
                return result
            if nxt[0] > indent or not (nxt[1] == "-" or nxt[1].startswith("- ")):
                raise YamlError(f"{self.where()}: expected `- item`")
            item = nxt[1][1:]
            inner = indent + 1 + (len(item) - len(item.lstrip(" ")))
            if KEY.match(item.strip()):
                # `- key: value`: a mapping that starts on the dash's line.
                self.lines[self.i] = " " * inner + item.lstrip(" ")
                result.append(self.mapping(inner))
            else:
                result.append(self.value_after(item, indent))

    def block_scalar(self, parent_indent, keep_newline):
        body = []
        block_indent = None
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if line.strip() == "":
                body.append("")
                self.i += 1
                continue
            indent = len(line) - len(line.lstrip(" "))
            if indent <= parent_indent:
                break
            if block_indent is None:
                block_indent = indent
            if indent < block_indent:
                raise YamlError(f"{self.where()}: block scalar less indented than its first line")
            body.append(line[block_indent:])
            self.i += 1
        while body and body[-1] == "":
            body.pop()
        return "\n".join(body) + ("\n" if keep_newline and body else "")


def parse_yaml(text):
    return Yaml(text).document()


# --- the page ----------------------------------------------------------------

def yaml_blocks(markdown):
    """The contents of the ```yaml fenced blocks, in order."""
    return re.findall(r"^```ya?ml[ \t]*\n(.*?)^```[ \t]*$", markdown, re.M | re.S)


def github_job(doc):
    """(job name, job) of a workflow with exactly one job."""
    jobs = doc.get("jobs") if isinstance(doc, dict) else None
    if not isinstance(jobs, dict) or len(jobs) != 1:
        raise YamlError("the GitHub block must define exactly one job under `jobs:`")
    return next(iter(jobs.items()))


GITLAB_RESERVED = {"stages", "variables", "default", "include", "workflow", "image",
                   "services", "before_script", "after_script", "cache"}


def gitlab_job(doc):
    jobs = {k: v for k, v in doc.items() if k not in GITLAB_RESERVED and not k.startswith(".")}
    if len(jobs) != 1:
        raise YamlError("the GitLab block must define exactly one job")
    return next(iter(jobs.items()))


def find_blocks(markdown):
    """(GitHub workflow, GitLab pipeline), told apart by their keys."""
    github = gitlab = None
    for text in yaml_blocks(markdown):
        doc = parse_yaml(text)
        if isinstance(doc, dict) and "jobs" in doc:
            github = doc
        elif isinstance(doc, dict):
            gitlab = doc
    if github is None or gitlab is None:
        raise YamlError("the page needs one GitHub Actions and one GitLab CI yaml block")
    return github, gitlab


# --- the test ----------------------------------------------------------------

class Results:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def ok(self, name):
        self.passed += 1
        print(f"ok    {name}", flush=True)

    def not_ok(self, name, *details):
        self.failed += 1
        print(f"FAIL  {name}", flush=True)
        for d in details:
            for line in str(d).rstrip("\n").split("\n"):
                print(f"        {line}", flush=True)

    def expect(self, name, expected, got):
        if expected == got:
            self.ok(name)
        else:
            self.not_ok(name, f"expected: {expected}", f"got:      {got}")

    def skip(self, name, why):
        self.skipped += 1
        print(f"skip  {name}: {why}", flush=True)


def junit_unavailable(checker):
    """The reason `--format junit` cannot be used yet, or None.

    The probe is a real (short) run of a command that exists: a command that
    cannot be started would test the checker's error path instead."""
    done = subprocess.run([checker, "--format", "junit", "--timeout", "1", "--settle", "0",
                           "--", "/bin/true"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60, check=False)
    if "not available yet" in done.stderr:
        return done.stderr.strip()
    return None


def check_ids(checker):
    import json
    out = subprocess.run([checker, "--list", "--format", "json"], stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    return [c["id"] for c in json.loads(out)["checks"]]


# A repository started from the kit's skeleton: `make` builds ./mydaemon from
# kit/skeleton/c. The faulty one adds a umask of 022 to every command line.
GOOD_MAKEFILE = """\
SRC := kit/skeleton/c
mydaemon: $(wildcard $(SRC)/*.c)
\t$(CC) -std=c11 -D_GNU_SOURCE -O2 -o $@ $^
"""

FAULTY_MAKEFILE = GOOD_MAKEFILE + """\
\tmv $@ $@.real
\tprintf '#!/bin/sh\\nexec "$$(dirname "$$0")/mydaemon.real" "$$@" --umask 022\\n' > $@
\tchmod +x $@
"""


def make_repository(path, makefile):
    os.mkdir(path)
    os.symlink(ROOT, os.path.join(path, "kit"))
    with open(os.path.join(path, "Makefile"), "w", encoding="utf-8") as f:
        f.write(makefile)


def ci_environment():
    env = dict(os.environ)
    # The outer make's flags (-k, -n, a jobserver) are not the CI's.
    for var in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(var, None)
    env["CI"] = "true"
    return env


def run_shell(script, cwd, shell_args):
    """(status, output) of a script run as a CI runner runs it."""
    try:
        done = subprocess.run(["bash", "--noprofile", "--norc", *shell_args, "-c", script],
                              cwd=cwd, env=ci_environment(), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=STEP_TIMEOUT,
                              check=False)
    except subprocess.TimeoutExpired:
        return 124, f"no end in {STEP_TIMEOUT} s"
    return done.returncode, done.stdout + done.stderr


def run_github(job, cwd):
    """Runs the job's `run:` steps in order, each in its own shell, up to the
    first failure, as GitHub's runner does. Returns [(script, status, output)]."""
    ran = []
    for step in job.get("steps", []):
        if "run" not in step:
            continue
        status, output = run_shell(step["run"], cwd, ["-e", "-o", "pipefail"])
        ran.append((step["run"], status, output))
        if status != 0:
            break
    return ran


def run_gitlab(job, cwd):
    """Runs the job's `script:` lines in one shell, which stops at the first
    failure, as GitLab's runner does. Returns [(script, status, output)]."""
    script = "\n".join(job.get("script", []))
    status, output = run_shell(script, cwd, ["-e", "-o", "pipefail"])
    return [(script, status, output)]


def report_testcases(path):
    """(testcases, names of failed testcases) of a JUnit report."""
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    if root.tag not in ("testsuite", "testsuites") or len(suites) != 1:
        raise ValueError(f"expected one <testsuite>, found root <{root.tag}> "
                         f"with {len(suites)} suites")
    cases = suites[0].findall("testcase")
    failed = [c.get("name") for c in cases
              if c.find("failure") is not None or c.find("error") is not None]
    return cases, failed


def judge_report(r, label, path, ids, expected_failures):
    if not os.path.exists(path):
        r.not_ok(f"{label}: the commands wrote {REPORT}")
        return
    try:
        cases, failed = report_testcases(path)
    except (ET.ParseError, ValueError) as e:
        r.not_ok(f"{label}: {REPORT} parses with xml.etree as one testsuite", e)
        return
    r.ok(f"{label}: {REPORT} parses with xml.etree as one testsuite")
    r.expect(f"{label}: one testcase per check, in the table's order", ids,
             [c.get("name") for c in cases])
    r.expect(f"{label}: the failed testcases are {expected_failures or 'none'}",
             expected_failures, failed)


def run_job(r, label, runner, job, work, makefile, ids, gate):
    """gate: "open" (a correct daemon: every command exits 0) or "closed" (a
    faulty one: the command that writes the report exits 1, the checker's
    status for a failed check, and the job stops there)."""
    repo = os.path.join(work, f"{label}-{gate}")
    make_repository(repo, makefile)
    ran = runner(job, repo)
    last_script, last_status, last_output = ran[-1] if ran else ("", 0, "(nothing ran)")
    failure = [f"command: {last_script.strip()}", f"status: {last_status}", last_output]
    if gate == "open":
        name = f"{label}, correct daemon: every command exits 0"
        if ran and last_status == 0:
            r.ok(f"{name} ({len(ran)} shell{'s' if len(ran) > 1 else ''})")
        else:
            r.not_ok(name, *failure)
        judge_report(r, f"{label}, correct daemon", os.path.join(repo, REPORT), ids, [])
    else:
        name = f"{label}, faulty daemon: the checker's command fails the job with status 1"
        if last_status == 1 and REPORT in last_script:
            r.ok(name)
        else:
            r.not_ok(name, *failure)
        judge_report(r, f"{label}, faulty daemon", os.path.join(repo, REPORT), ids, ["umask"])


def github_uploads(r, job):
    uses = {s.get("uses", "").split("@")[0]: s for s in job.get("steps", []) if "uses" in s}
    upload = uses.get("actions/upload-artifact")
    r.expect("github: actions/upload-artifact keeps the report",
             REPORT, upload and upload.get("with", {}).get("path"))
    r.expect("github: the upload runs when the checker failed too",
             "always()", upload and upload.get("if"))
    reporter = uses.get("mikepenz/action-junit-report") or uses.get("dorny/test-reporter")
    paths = reporter and (reporter.get("with", {}).get("report_paths")
                          or reporter.get("with", {}).get("path"))
    r.expect("github: a JUnit test reporter reads the report", REPORT, paths)
    r.expect("github: the reporter runs when the checker failed too",
             "always()", reporter and reporter.get("if"))


def gitlab_uploads(r, job):
    artifacts = job.get("artifacts", {})
    r.expect("gitlab: artifacts:reports:junit is the report", REPORT,
             artifacts.get("reports", {}).get("junit"))
    r.expect("gitlab: artifacts are kept when the job failed", "always", artifacts.get("when"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checker", default=os.path.join(ROOT, "checker/checker"))
    parser.add_argument("page")
    args = parser.parse_args()
    checker = os.path.abspath(args.checker)
    r = Results()

    with open(args.page, encoding="utf-8") as f:
        markdown = f.read()
    try:
        github, gitlab = find_blocks(markdown)
        gh_name, gh_job = github_job(github)
        gl_name, gl_job = gitlab_job(gitlab)
    except YamlError as e:
        r.not_ok(f"{args.page}: its yaml blocks parse", e)
        print(f"{r.passed} passed, {r.failed} failed")
        return 1
    r.ok(f"{args.page}: its yaml blocks parse (GitHub job {gh_name!r}, GitLab job {gl_name!r})")
    github_uploads(r, gh_job)
    gitlab_uploads(r, gl_job)

    why = junit_unavailable(checker)
    if why:
        r.skip("running the jobs' commands", f"the checker's JUnit report is not available "
               f"yet ({why}); re-run once it is")
    else:
        ids = check_ids(checker)
        work = tempfile.mkdtemp(prefix="ci-docs-check.", dir=os.environ.get("TMPDIR") or "/tmp")
        try:
            for label, runner, job in (("github", run_github, gh_job),
                                       ("gitlab", run_gitlab, gl_job)):
                run_job(r, label, runner, job, work, GOOD_MAKEFILE, ids, "open")
                run_job(r, label, runner, job, work, FAULTY_MAKEFILE, ids, "closed")
        finally:
            shutil.rmtree(work, ignore_errors=True)

    if r.skipped:
        print(f"{r.skipped} skipped")
    print(f"{r.passed} passed, {r.failed} failed")
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
