#!/usr/bin/env python3
"""test_ci_docs.py - runs the CI jobs that docs/ci.md shows, for real.

    docs/tools/test_ci_docs.py [--checker checker/checker] docs/ci.md

The page's ```yaml blocks (a classic GitHub Actions job, a GitLab CI job,
and a GitHub job for a new-style service, told apart by `--profile
new-style`) are read with a small parser of the YAML subset they use
(mappings, sequences, plain and quoted scalars, `|` block scalars, flow
sequences of scalars): anything else in them is an error, so the page
cannot drift out of what is tested. From a GitHub Actions job it takes
every `run:` step, from the GitLab job every `script:` line, and runs them
the way each CI system does (GitHub: `bash -e -o pipefail` per step;
GitLab: one shell, stopping at the first failure) in a scratch repository
that holds the kit as `kit/` and a daemon built from the kit's skeleton.

Then the JUnit report the commands wrote must parse with xml.etree, hold
one testcase per check of `checker --list --format json`, count them right
(tests, failures, skipped, errors), skip exactly the checks that the job's
profile does not judge or that need an option the job does not give (read
from `judged_by` and `needs`), and have no failure; the page's "N pass and
M are skipped" must say the same; the classic job must have uploaded that
same file. The same commands run against a daemon with one fault must fail
at the checker's step, with a report whose only failure is that fault:
`umask` for the classic jobs (a umask of 022), `watchdog` for the service
(WATCHDOG_USEC taken from its environment): the gate closes.

The TAP variant (the ```sh block after `<!-- ci-tap -->`) runs the same
way: `prove` passes the correct daemon and fails the faulty one on
`umask`'s test point alone.

Skips, saying why, while `--format junit` is not available yet.
Ends with "N passed, M failed".
"""
import argparse
import json
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


def is_new_style(job):
    return any("--profile new-style" in step.get("run", "") for step in job.get("steps", []))


def find_blocks(markdown):
    """(GitHub workflow, GitLab pipeline, GitHub service workflow), told
    apart by their keys and by the profile their checker runs under."""
    github, gitlab, service = [], [], []
    for text in yaml_blocks(markdown):
        doc = parse_yaml(text)
        if isinstance(doc, dict) and "jobs" in doc:
            (service if is_new_style(github_job(doc)[1]) else github).append(doc)
        elif isinstance(doc, dict):
            gitlab.append(doc)
    if [len(github), len(gitlab), len(service)] != [1, 1, 1]:
        raise YamlError("the page needs one GitHub Actions and one GitLab CI yaml block for a "
                        "classic daemon, and one GitHub Actions block for a new-style service")
    return github[0], gitlab[0], service[0]


def tap_block(markdown):
    """The commands of the ```sh block after <!-- ci-tap -->, unindented."""
    m = re.search(r"<!-- ci-tap -->\s*\n([ \t]*)```sh[ \t]*\n(.*?)^[ \t]*```[ \t]*$",
                  markdown, re.M | re.S)
    if not m:
        raise YamlError("the page needs a ```sh block after <!-- ci-tap -->")
    indent = m.group(1)
    return "".join(line[len(indent):] if line.startswith(indent) else line
                   for line in m.group(2).splitlines(keepends=True))


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


def check_table(checker):
    """The checks of `checker --list --format json`, in order."""
    out = subprocess.run([checker, "--list", "--format", "json"], stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    return json.loads(out)["checks"]


# What a check needs (its `needs` sentences), as a condition on the
# checker's command line that, when false, makes it skip on a correct daemon.
NEED_OPTIONS = (
    ("no pidfile to judge", lambda cmd: "{pidfile}" in cmd or "--pidfile" in cmd),
    ("no --stop-command given", lambda cmd: "--stop-command" in cmd),
    ("without --socket-activation", lambda cmd: "--socket-activation" in cmd),
    ("without --watchdog MS", lambda cmd: "--watchdog" in cmd),
)


def expected_skips(table, command):
    """The checks a correct daemon skips under this checker command line."""
    m = re.search(r"--profile[ =](\S+)", command)
    profile = m.group(1) if m else "sysv"
    skips = []
    for c in table:
        missing = [n for n in c["needs"] for prefix, given in NEED_OPTIONS
                   if n.startswith(prefix) and not given(command)]
        if profile not in c["judged_by"] or missing:
            skips.append(c["id"])
    return skips


def checker_command(scripts):
    """The script text that runs the checker (not the one that builds it)."""
    return next((s for s in scripts if re.search(r"checker/checker\s+-", s)), "")


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

# A service that never hears of its watchdog: WATCHDOG_USEC is removed
# before the exec (which keeps the pid, so it is still the main process).
FAULTY_SERVICE_MAKEFILE = GOOD_MAKEFILE + """\
\tmv $@ $@.real
\tprintf '#!/bin/sh\\nexec env -u WATCHDOG_USEC "$$(dirname "$$0")/mydaemon.real" "$$@"\\n' > $@
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
    """(suite, testcases, names of failed testcases, names of skipped ones)
    of a JUnit report."""
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    if root.tag not in ("testsuite", "testsuites") or len(suites) != 1:
        raise ValueError(f"expected one <testsuite>, found root <{root.tag}> "
                         f"with {len(suites)} suites")
    cases = suites[0].findall("testcase")
    failed = [c.get("name") for c in cases
              if c.find("failure") is not None or c.find("error") is not None]
    skipped = [c.get("name") for c in cases if c.find("skipped") is not None]
    return suites[0], cases, failed, skipped


def judge_report(r, label, path, table, expected_failures, skips):
    """skips: the checks that must be skipped test cases."""
    ids = [c["id"] for c in table]
    if not os.path.exists(path):
        r.not_ok(f"{label}: the commands wrote {REPORT}")
        return
    try:
        suite, cases, failed, skipped = report_testcases(path)
    except (ET.ParseError, ValueError) as e:
        r.not_ok(f"{label}: {REPORT} parses with xml.etree as one testsuite", e)
        return
    r.ok(f"{label}: {REPORT} parses with xml.etree as one testsuite")
    r.expect(f"{label}: one testcase per check, in the table's order", ids,
             [c.get("name") for c in cases])
    r.expect(f"{label}: the failed testcases are {expected_failures or 'none'}",
             expected_failures, failed)
    r.expect(f"{label}: the skipped testcases are the checks this job does not judge",
             skips, skipped)
    r.expect(f"{label}: the testsuite counts tests, failures, skipped and errors",
             {"tests": str(len(ids)), "failures": str(len(failed)),
              "skipped": str(len(skipped)), "errors": "0"},
             {k: suite.get(k) for k in ("tests", "failures", "skipped", "errors")})


def run_job(r, label, runner, job, work, makefile, table, gate, fault="umask", page=""):
    """gate: "open" (a correct daemon: every command exits 0) or "closed" (a
    faulty one: the command that writes the report exits 1, the checker's
    status for a failed check, and the job stops there, its one failure
    being `fault`). page: the page's text, whose "N pass and M are skipped"
    is checked against a correct daemon's report."""
    repo = os.path.join(work, f"{label}-{gate}")
    make_repository(repo, makefile)
    ran = runner(job, repo)
    skips = expected_skips(table, checker_command([s for s, _, _ in ran]))
    last_script, last_status, last_output = ran[-1] if ran else ("", 0, "(nothing ran)")
    failure = [f"command: {last_script.strip()}", f"status: {last_status}", last_output]
    if gate == "open":
        name = f"{label}, correct daemon: every command exits 0"
        if ran and last_status == 0:
            r.ok(f"{name} ({len(ran)} shell{'s' if len(ran) > 1 else ''})")
        else:
            r.not_ok(name, *failure)
        judge_report(r, f"{label}, correct daemon", os.path.join(repo, REPORT), table, [],
                     skips)
        said = f"{len(table) - len(skips)} pass and {len(skips)} are skipped"
        r.expect(f"{label}: the page says {said!r}", True, said in " ".join(page.split()))
    else:
        name = f"{label}, faulty daemon: the checker's command fails the job with status 1"
        if last_status == 1 and REPORT in last_script:
            r.ok(name)
        else:
            r.not_ok(name, *failure)
        judge_report(r, f"{label}, faulty daemon", os.path.join(repo, REPORT), table, [fault],
                     skips)


def run_tap(r, script, work, makefile, table, gate):
    """The TAP variant: prove passes the correct daemon (gate "open"), and
    fails the faulty one on umask's test point alone."""
    repo = os.path.join(work, f"tap-{gate}")
    make_repository(repo, makefile)
    status, output = run_shell("make\n" + script, repo, ["-e", "-o", "pipefail"])
    with open(os.path.join(repo, "checker.tap"), encoding="utf-8", errors="replace") as f:
        first = f.read().split("\n")[:2]
    r.expect(f"tap, {gate}: the stream starts with TAP version 13 and its plan",
             ["TAP version 13", f"1..{len(table)}"], first)
    if gate == "open":
        r.expect("tap, correct daemon: prove passes it", (0, True),
                 (status, "Result: PASS" in output))
    else:
        number = [c["id"] for c in table].index("umask") + 1
        failed = re.findall(r"Failed tests?:\s+([\d, -]+)", output)
        r.expect("tap, faulty daemon: prove fails it, on umask's test point alone",
                 (1, [str(number)]), (status, [f.strip() for f in failed]))


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


def service_reporter(r, job):
    uses = {s.get("uses", "").split("@")[0]: s for s in job.get("steps", []) if "uses" in s}
    reporter = uses.get("mikepenz/action-junit-report") or uses.get("dorny/test-reporter")
    paths = reporter and (reporter.get("with", {}).get("report_paths")
                          or reporter.get("with", {}).get("path"))
    r.expect("service: a JUnit test reporter reads the report", REPORT, paths)
    r.expect("service: the reporter runs when the checker failed too",
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
        github, gitlab, service = find_blocks(markdown)
        gh_name, gh_job = github_job(github)
        gl_name, gl_job = gitlab_job(gitlab)
        sv_name, sv_job = github_job(service)
        tap_script = tap_block(markdown)
    except YamlError as e:
        r.not_ok(f"{args.page}: its yaml blocks parse", e)
        print(f"{r.passed} passed, {r.failed} failed")
        return 1
    r.ok(f"{args.page}: its yaml blocks parse (GitHub job {gh_name!r}, GitLab job {gl_name!r}, "
         f"new-style GitHub job {sv_name!r})")
    github_uploads(r, gh_job)
    gitlab_uploads(r, gl_job)
    service_reporter(r, sv_job)

    why = junit_unavailable(checker)
    if why:
        r.skip("running the jobs' commands", f"the checker's JUnit report is not available "
               f"yet ({why}); re-run once it is")
    else:
        table = check_table(checker)
        work = tempfile.mkdtemp(prefix="ci-docs-check.", dir=os.environ.get("TMPDIR") or "/tmp")
        try:
            for label, runner, job, faulty, fault in (
                    ("github", run_github, gh_job, FAULTY_MAKEFILE, "umask"),
                    ("gitlab", run_gitlab, gl_job, FAULTY_MAKEFILE, "umask"),
                    ("service", run_github, sv_job, FAULTY_SERVICE_MAKEFILE, "watchdog")):
                run_job(r, label, runner, job, work, GOOD_MAKEFILE, table, "open", page=markdown)
                run_job(r, label, runner, job, work, faulty, table, "closed", fault)
            run_tap(r, tap_script, work, GOOD_MAKEFILE, table, "open")
            run_tap(r, tap_script, work, FAULTY_MAKEFILE, table, "closed")
        finally:
            shutil.rmtree(work, ignore_errors=True)

    if r.skipped:
        print(f"{r.skipped} skipped")
    print(f"{r.passed} passed, {r.failed} failed")
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
