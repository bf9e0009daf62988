#!/usr/bin/env python3
"""End-to-end test of the tracer (checker/tracer.c) through harness.c.

Every case runs a tdaemon mode under the harness, which mimics a checker
run (start, second start, hangup, stop, stale-pidfile start), in both
modes (the seccomp filter, and PTRACE_SYSCALL at every call), and checks:
the events the daemon's steps must leave, in order and by the right
processes; that the launches ended as they do untraced (the same run with
--mode off); and that nothing was left behind: no process, none stopped,
none still traced. As root every case also runs as an ordinary user
(setpriv to 65534), and in a private PID namespace (unshare), since the
daemons are hostile on purpose.

Usage: run.py [--bin DIR] [-v] [CASE...]
Prints one line per case and closes with "N passed, M failed".
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

NOBODY = 65534
TIMEOUT = 120           # seconds, a fallback: a run takes well under one
EPERM = 1


class Run:
    """What one harness run printed."""

    def __init__(self, text, returncode, stderr):
        self.returncode = returncode
        self.stderr = stderr
        self.launches, self.procs, self.events, self.summary = [], [], [], None
        for line in text.splitlines():
            item = json.loads(line)
            if "summary" in item:
                self.summary = item
            elif "ev" in item:
                self.events.append(item)
            elif "proc" in item:
                self.procs.append(item)
            else:
                self.launches.append(item)

    def statuses(self):
        return [(l["kind"], l["status"]) for l in self.launches]

    def first(self, launch=0):
        return self.launches[launch]["first"]

    @staticmethod
    def says(e, text):
        """The tracer's detail or the words a reader gets hold the text."""
        return text is None or text in e["detail"] or text in e["words"]

    def find(self, kind, pid=None, text=None, launch=None, start=0):
        """Index of the first matching event at or after start, or -1."""
        for i in range(start, len(self.events)):
            e = self.events[i]
            if e["ev"] == kind and (pid is None or e["pid"] == pid) and \
               self.says(e, text) and (launch is None or e["launch"] == launch):
                return i
        return -1

    def all(self, kind, pid=None, text=None, launch=None):
        return [e for e in self.events if e["ev"] == kind and
                (pid is None or e["pid"] == pid) and self.says(e, text) and
                (launch is None or e["launch"] == launch)]

    def spawned(self, parent, launch=0):
        return [e["value"] for e in self.all("fork", pid=parent, launch=launch)]


class Env:
    """Who runs the harness, and how."""

    def __init__(self, name, prefix, user):
        self.name, self.prefix, self.user = name, prefix, user


def harness(args, env, bindir, asan=False):
    exe = os.path.join(bindir, "harness-asan" if asan else "harness")
    cmd = env.prefix + [exe] + args
    run_env = dict(os.environ)
    if asan:
        run_env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0:exitcode=99"
        run_env["UBSAN_OPTIONS"] = "halt_on_error=1:exitcode=99"
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, env=run_env,
                       cwd="/")
    try:
        return Run(p.stdout, p.returncode, p.stderr)
    except (ValueError, KeyError) as e:
        raise AssertionError(f"unreadable harness output ({e}): {p.stdout[-300:]!r} "
                             f"{p.stderr[-300:]!r}")


# ---- what every run must show ----

def left_nothing(run, fail):
    s = run.summary
    if s is None:
        fail(f"no summary (exit {run.returncode}): {run.stderr.strip()[-300:]}")
        return
    for key in ("left", "traced_left", "stopped_left", "finish"):
        if s[key] != 0:
            fail(f"{key} = {s[key]}")
    if run.returncode != 0:
        fail(f"harness exit {run.returncode}: {run.stderr.strip()[-300:]}")
    # Every process the record holds has ended, once: a process recorded
    # twice, or never seen to end, is a tracer that lost track.
    alive = [p["proc"] for p in run.procs if p["end_us"] < 0]
    if alive:
        fail(f"recorded processes never seen to end: {alive[:5]}")


def in_order(run, fail, steps):
    """steps: (kind, pid, text) tuples that must appear in this order."""
    at = 0
    for kind, pid, text in steps:
        i = run.find(kind, pid, text, start=at)
        if i < 0:
            fail(f"no {kind} {text or ''} by {pid} after event {at}")
            return
        at = i + 1


# ---- the cases: each gets the traced run and a fail(message) ----

def classic_steps(run, fail, launch=0):
    """The classic order, its daemon found from the record."""
    launcher = run.first(launch)
    kids = run.spawned(launcher, launch)
    if not kids:
        fail(f"launch {launch}: the launcher forked nothing")
        return None, None
    first = kids[0]
    grandkids = run.spawned(first, launch)
    if not grandkids:
        fail(f"launch {launch}: the first child forked nothing")
        return first, None
    daemon = grandkids[0]
    in_order(run, fail, [
        ("exec", launcher, "tdaemon"), ("fork", launcher, f"fork -> {first}"),
        ("setsid", first, f"new session {first}"), ("fork", first, f"fork -> {daemon}"),
        ("umask", daemon, "umask 000"), ("chdir", daemon, "/"),
        ("open", daemon, "/dev/null as fd"), ("dup", daemon, "onto fd 0"),
        ("dup", daemon, "onto fd 1"), ("dup", daemon, "onto fd 2"),
        ("close", daemon, "a sentinel"), ("open", daemon, "the pidfile"),
        ("lock", daemon, "F_SETLK write lock on the pidfile"),
        ("pidfile-write", daemon, f'"{daemon}\\n"'),
        ("sigaction", daemon, "SIGTERM: caught"),
        ("sigmask", daemon, "unblocks SIGRTMIN+2"),
    ])
    # The first child exits while the launch goes on; the daemon is then
    # the subreaper's, as the checker sees it.
    end = run.find("exit", first, "exit 0")
    if end < 0:
        fail("the first child never exited")
    else:
        after = [e for e in run.events[end + 1:] if e["pid"] == daemon]
        if after and after[0]["ppid"] != run.summary["harness"]:
            fail(f"daemon's parent after the first child's exit: {after[0]['ppid']}, "
                 f"not the subreaper {run.summary['harness']}")
    return first, daemon


def case_classic(run, fail):
    if run.statuses() != [("start", 0), ("second", 256), ("stale", 0)]:
        fail(f"launch statuses {run.statuses()}")
    first, daemon = classic_steps(run, fail, 0)
    if daemon and daemon != run.summary["daemon"]:
        fail(f"the pidfile names {run.summary['daemon']}, the trace's daemon is {daemon}")
    procs = {p["proc"]: p for p in run.procs if p["launch"] == 0}
    if first in procs and procs[first]["role"] != "intermediate":
        fail(f"first child's role: {procs[first]['role']}")
    if daemon in procs and procs[daemon]["role"] != "daemon":
        fail(f"daemon's role: {procs[daemon]['role']}")
    if first in procs and procs[first]["exit_ppid"] != run.first(0):
        fail(f"first child's parent at exit: {procs[first]['exit_ppid']}")
    # The second start finds the lock taken and says so.
    if run.find("lock", text="EAGAIN", launch=1) < 0:
        fail("the second start's refused lock is missing")
    classic_steps(run, fail, 2)
    if run.find("signal", daemon, "SIGTERM from pid") < 0:
        fail("the stop's SIGTERM is missing")
    # It stopped on SIGTERM, cleanly, before the stale-pidfile start.
    end = run.find("exit", daemon, "exit 0")
    stale = run.find("exec", launch=2)
    if end < 0 or stale < 0 or end > stale:
        fail("the daemon did not exit 0 on SIGTERM before the next start")


def case_seed(run, fail):
    """The pidfile written before the second fork: by the process that exits."""
    launcher = run.first()
    first = run.spawned(launcher)[0]
    write = run.find("pidfile-write", first, f'"{first}\\n"')
    spawn = run.find("fork", first)
    end = run.find("exit", first)
    if write < 0 or spawn < 0 or end < 0 or not write < spawn < end:
        fail(f"pidfile write by {first} ({write}), its fork ({spawn}), its exit ({end}) "
             "not in that order")
    if run.summary["daemon"] != first:
        fail(f"the pidfile names {run.summary['daemon']}, not the intermediate {first}")


def case_setsid_parent(run, fail):
    launcher = run.first()
    failed = run.find("setsid", launcher, "EPERM")
    if failed < 0 or run.events[failed]["value"] != -EPERM:
        fail("the launcher's failed setsid (EPERM) is missing")
    if [e for e in run.all("setsid", launch=0) if e["value"] > 0]:
        fail("a setsid succeeded")
    daemon = run.summary["daemon"]
    if run.find("signal", daemon, "SIGHUP from the kernel") < 0:
        fail("the daemon, still in the terminal's session, got no SIGHUP at the hangup")


def case_keep_fds(run, fail):
    daemon = run.summary["daemon"]
    if run.all("close", pid=daemon):
        fail("a close was recorded: " + run.all("close", pid=daemon)[0]["detail"])
    if run.find("open", daemon, "the pidfile") < 0 or \
       "as fd 3 " in run.events[run.find("open", daemon, "the pidfile")]["detail"]:
        fail("the pidfile should land above the sentinels (3 and 4 taken)")


def case_workers(run, fail):
    daemon = run.summary["daemon"]
    workers = run.spawned(daemon)
    if len(workers) != 40:
        fail(f"{len(workers)} workers spawned, not 40")
    # The daemon ends them: a SIGTERM sent to each, recorded before its
    # delivery.
    sent = {e["arg"]: i for i, e in enumerate(run.events)
            if e["ev"] == "kill" and e["pid"] == daemon and e["value"] == SIGTERM}
    if set(sent) != set(workers):
        fail(f"the daemon's SIGTERMs went to {len(sent)} processes, {len(set(workers) - set(sent))} "
             "workers missed")
    for w, i in sent.items():
        got = run.find("signal", w, "SIGTERM", start=0)
        if not run.events[i]["detail"].endswith(": done") or (got >= 0 and got < i):
            fail(f"the SIGTERM to worker {w}: {run.events[i]['detail']!r}, received at {got}")
            break
    ended = {e["pid"] for e in run.all("exit", text="killed by SIGTERM")}
    if not set(workers) <= ended:
        fail(f"{len(set(workers) - ended)} workers did not end by SIGTERM")
    roles = {p["proc"]: p["role"] for p in run.procs if p["launch"] == 0}
    if any(roles.get(w) != "worker" for w in workers):
        fail("a worker is not in the role 'worker'")
    if run.find("exit", daemon, "exit 0") < 0:
        fail("the daemon did not exit 0")


def case_threads(run, fail):
    daemon = run.summary["daemon"]
    launch0 = [p for p in run.procs if p["launch"] == 0]
    if len(launch0) != 3:
        fail(f"{len(launch0)} processes in the launch, not 3 (threads counted?)")
    if len(run.all("sigmask", pid=daemon, text="blocks SIGHUP")) < 4:
        fail("the threads' SIGHUP masks are not the daemon's events")
    if run.spawned(daemon):
        fail("a thread was recorded as a spawned process")


def case_forkloop(run, fail):
    s = run.summary
    if s["events"] != 100 or s["dropped"] == 0:
        fail(f"events {s['events']}, dropped {s['dropped']}: the bound was not kept")
    if s["procs"] != 50 or s["procs_dropped"] == 0:
        fail(f"procs {s['procs']}, procs dropped {s['procs_dropped']}")


def case_sigkill(run, fail):
    daemon = run.summary["daemon"]
    worker = run.spawned(daemon)
    if len(worker) != 1:
        fail(f"{len(worker)} workers")
        return
    i = run.find("exit", worker[0], "killed by SIGKILL")
    if i < 0 or run.events[i]["value"] != 9:
        fail("the worker's death by SIGKILL is missing")


def case_tstp(run, fail):
    child = run.spawned(run.first())[0]
    in_order(run, fail, [("signal", child, "SIGTSTP"), ("signal", child, "SIGCONT"),
                         ("exit", child, "exit 0")])


def case_vfork(run, fail):
    launcher = run.first()
    spawn = run.find("fork", launcher, "vfork -> ")
    if spawn < 0:
        fail("no vfork")
        return
    child = run.events[spawn]["value"]
    in_order(run, fail, [("exec", child, "sh -c exit 5"), ("exit", child, "exit 5")])


def case_own_filter(run, fail):
    launcher = run.first()
    said = run.find("unseen", launcher, "seccomp filter of its own")
    if said < 0:
        fail("the candidate's own filter is not mentioned")
    elif run.find("umask", launcher, start=said) >= 0:
        fail("a umask its own filter refused was seen (the filter did not apply?)")


SIGTERM = 15


def stop_launch(run):
    """The index of the first stop command's launch."""
    return next(l["launch"] for l in run.launches if l["kind"] == "stop")


def case_stop_command(run, fail):
    """tdaemon stop: pidfd_send_signal to the pidfile's pid; the daemon
    takes SIGTERM after it was sent, removes the pidfile, exits."""
    daemon = run.first(0) and run.summary["daemon"]
    stop = stop_launch(run)
    sent = run.all("kill", launch=stop)
    if len(sent) != 1:
        fail(f"the stop command sent {len(sent)} signals: {[e['detail'] for e in sent]}")
        return
    e = sent[0]
    want = f"pidfd_send_signal(fd "
    if not (e["detail"].startswith(want) and f"= pid {daemon}, SIGTERM) to the pidfile's pid: done"
            in e["detail"] and e["arg"] == daemon and e["value"] == SIGTERM):
        fail(f"the stop command's signal: {e['detail']!r} (arg {e['arg']})")
    at = run.events.index(e)
    in_order(run, fail, [("kill", e["pid"], "pidfd_send_signal"), ("signal", daemon, "SIGTERM"),
                         ("unlink", daemon, '"), the pidfile: done'), ("exit", daemon, "exit 0")])
    if run.find("signal", daemon, "SIGTERM") < at:
        fail("the daemon took SIGTERM before it was sent")
    removed = run.all("unlink", pid=daemon, launch=0)
    if len(removed) != 1 or removed[0]["value"] != 0 or removed[0]["arg"] != 0:
        fail(f"the pidfile's removal: {removed}")


def case_stop_loop(run, fail):
    """The seed's stop loop: SIGTERM again and again until the pid is gone.
    Recorded twice, the rest counted on the second; a last one may find
    the pid gone (ESRCH), a new event."""
    daemon = run.summary["daemon"]
    sent = run.all("kill", launch=stop_launch(run))
    if not 2 <= len(sent) <= 3 or any(e["arg"] != daemon for e in sent):
        fail(f"the loop's signals: {[(e['arg'], e['detail']) for e in sent]}")
        return
    if not (sent[0]["detail"].endswith("to the pidfile's pid: done")
            and "to the pidfile's pid: done (and " in sent[1]["detail"]
            and " more times, until " in sent[1]["detail"]):
        fail(f"the first two: {sent[0]['detail']!r}, {sent[1]['detail']!r}")
    if len(sent) == 3 and not sent[2]["detail"].endswith(": ESRCH"):
        fail(f"the last: {sent[2]['detail']!r}")
    if len(run.all("signal", pid=daemon, text="SIGTERM from pid")) < 5:
        fail("the daemon took fewer than 5 SIGTERMs")


def case_reraise(run, fail):
    """unlinkat by a directory descriptor, then raise(SIGTERM): tgkill to
    itself, and its death by it."""
    daemon = run.summary["daemon"]
    in_order(run, fail, [("unlink", daemon, 'unlinkat(fd 101, "pidfile")'),
                         ("kill", daemon, f"tgkill({daemon}, {daemon}, SIGTERM)"),
                         ("signal", daemon, "SIGTERM"), ("exit", daemon, "killed by SIGTERM")])
    removed = run.find("unlink", daemon)
    if removed >= 0 and not run.events[removed]["detail"].endswith("the pidfile: done"):
        fail(f"the removal: {run.events[removed]['detail']!r}")


def case_relative_unlink(run, fail):
    """A relative unlink of the pidfile's name from another directory: not
    the pidfile, said so, and it fails."""
    daemon = run.summary["daemon"]
    removed = run.all("unlink", pid=daemon)
    if len(removed) != 1 or removed[0]["arg"] != 3 or removed[0]["value"] != -2 or \
       "not the pidfile (another directory): ENOENT" not in removed[0]["detail"] or \
       '/cwd' not in removed[0]["detail"]:
        fail(f"the removal: {[(e['arg'], e['value'], e['detail']) for e in removed]}")


# name, tdaemon arguments, harness options, check, same statuses as untraced
CASES = [
    ("classic", ["classic", "{pidfile}"], ["--second", "--stale"], case_classic, True),
    ("seed-order", ["seed", "{pidfile}"], [], case_seed, True),
    ("setsid-in-parent", ["setsid-parent", "{pidfile}"], [], case_setsid_parent, True),
    ("keeps-fds", ["keep-fds", "{pidfile}"], [], case_keep_fds, True),
    ("40-workers", ["workers", "{pidfile}", "40"], ["--second", "--stale"], case_workers, True),
    ("threads", ["threads", "{pidfile}", "4"], [], case_threads, True),
    ("fork-loop", ["forkloop", "{pidfile}", "300"],
     ["--max-events", "100", "--max-procs", "50"], case_forkloop, True),
    ("sigkill", ["sigkill", "{pidfile}"], [], case_sigkill, True),
    ("tstp", ["tstp"], [], case_tstp, True),
    ("vfork", ["vfork"], [], case_vfork, True),
    ("own-filter", ["own-filter"], [], case_own_filter, True),
    ("stop-command", ["classic", "{pidfile}"], ["--stop", "{tdaemon} stop {pidfile}"],
     case_stop_command, True),
    ("stop-loop", ["hardy", "{pidfile}"], ["--stop", "{tdaemon} stop-loop {pidfile}"],
     case_stop_loop, True),
    ("reraise", ["reraise", "{pidfile}"], [], case_reraise, True),
    ("relative-unlink", ["relative-unlink", "{pidfile}"], [], case_relative_unlink, True),
]


class Tally:
    def __init__(self, verbose):
        self.passed = self.failed = self.skipped = 0
        self.verbose = verbose

    def result(self, name, problems):
        if problems:
            self.failed += 1
            print(f"FAIL  {name}")
            for p in problems[:8]:
                print(f"        {p}")
        else:
            self.passed += 1
            print(f"ok    {name}")

    def skip(self, name, why):
        self.skipped += 1
        print(f"skip  {name}: {why}")


def check_case(tally, env, bindir, case, baseline_cache):
    name, args, opts, check, same = case
    tdaemon = os.path.join(bindir, "tdaemon")
    opts = [o.replace("{tdaemon}", tdaemon) for o in opts]
    key = (env.name, name)
    if key not in baseline_cache:
        baseline_cache[key] = harness(opts + ["--mode", "off", "--", tdaemon] + args, env, bindir)
    base = baseline_cache[key]
    for mode in ("filter", "syscall"):
        problems = []
        try:
            run = harness(opts + ["--mode", mode, "--", tdaemon] + args, env, bindir)
            left_nothing(run, problems.append)
            if run.summary:
                if run.summary["mode"] != mode:
                    problems.append(f"traced in mode {run.summary['mode']}")
                if same and run.statuses() != base.statuses():
                    problems.append(f"launches ended {run.statuses()}, untraced "
                                    f"{base.statuses()}")
                check(run, problems.append)
        except (AssertionError, subprocess.TimeoutExpired, IndexError) as e:
            problems.append(f"{type(e).__name__}: {e}")
        tally.result(f"{name} ({mode}, {env.name})", problems)


def check_setuid(tally, env, bindir, root):
    """A set-user-ID program: as root the trace keeps its privileges; as an
    ordinary user it cannot, and says so."""
    d = tempfile.mkdtemp(prefix="tracer-setuid.")
    try:
        os.chmod(d, 0o755)
        probe = os.path.join(d, "probe")
        shutil.copy(os.path.join(bindir, "tdaemon"), probe)
        owner = NOBODY if env.user == 0 else 0
        os.chown(probe, owner, owner)
        os.chmod(probe, 0o4755)
        cmd = ["--", os.path.join(bindir, "tdaemon"), "setuid", probe]
        base = harness(["--mode", "off"] + cmd, env, bindir)
        if base.statuses() != [("start", 0)]:
            tally.skip(f"setuid ({env.name})", "set-user-ID bits not honoured here (nosuid?)")
            return
        for mode in ("filter", "syscall"):
            problems = []
            run = harness(["--mode", mode] + cmd, env, bindir)
            left_nothing(run, problems.append)
            unseen = run.find("unseen", text="set-user/group-ID")
            if env.user == 0:
                if run.statuses() != [("start", 0)] or unseen >= 0:
                    problems.append(f"root's trace took the privileges away: "
                                    f"{run.statuses()}")
            else:
                if run.statuses() != [("start", 3 << 8)]:
                    problems.append(f"expected the probe unprivileged: {run.statuses()}")
                if unseen < 0:
                    problems.append("the trace does not say that the program ran "
                                    "without its privileges")
                if mode == "filter" and run.find("trace-note", text="no_new_privs") < 0:
                    problems.append("the trace does not say that it set no_new_privs")
            tally.result(f"setuid ({mode}, {env.name})", problems)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    del root


def check_already_traced(tally, env, bindir):
    """The checker itself under strace -f: the launcher is traced already."""
    if not shutil.which("strace"):
        tally.skip(f"already-traced ({env.name})", "no strace")
        return
    problems = []
    tdaemon = os.path.join(bindir, "tdaemon")
    strace_env = Env(env.name, env.prefix + ["strace", "-f", "-o", "/dev/null"], env.user)
    run = harness(["--mode", "filter", "--", tdaemon, "classic", "{pidfile}"], strace_env, bindir)
    left_nothing(run, problems.append)
    if run.find("unseen", text="already traced by pid") < 0:
        problems.append("no 'already traced' in the record")
    if run.statuses() != [("start", 0)]:
        problems.append(f"launch ended {run.statuses()}")
    tally.result(f"already-traced ({env.name})", problems)


def gone_or_zombie(pid, deadline_s=5.0):
    """Bounded poll: the SIGKILL is sent as the tracer exits, and takes
    effect a moment later."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"tdaemon" not in f.read():
                    return True         # the pid names another process now
            with open(f"/proc/{pid}/stat") as f:
                text = f.read()
            if text[text.rindex(")") + 2] in "ZX":
                return True
        except (OSError, ValueError):
            return True
        time.sleep(0.01)
    return False


def check_exitkill(tally, env, bindir):
    """A checker killed mid-run leaves no tracee (PTRACE_O_EXITKILL). Run
    outside a PID namespace, whose end would kill them anyway, on the
    benign classic daemon."""
    tdaemon = os.path.join(bindir, "tdaemon")
    ns = ("unshare", "--pid", "--fork", "--mount-proc")
    prefix = [a for a in env.prefix if a not in ns]
    for mode in ("filter", "syscall"):
        problems = []
        cmd = prefix + [os.path.join(bindir, "harness"), "--die", "--mode", mode, "--",
                        tdaemon, "classic", "{pidfile}"]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, cwd="/")
        try:
            said = json.loads(p.stdout.splitlines()[0])
            daemon = said["daemon"]
        except (IndexError, ValueError, KeyError):
            problems.append(f"no daemon pid: {p.stdout!r} {p.stderr!r}")
            said, daemon = {}, 0
        if daemon and not gone_or_zombie(daemon):
            problems.append(f"the daemon {daemon} survived its tracer")
            try:
                os.kill(daemon, 9)      # ours: this test started it
            except OSError:
                pass
        if said.get("dir", "").startswith("/tmp/harness."):
            shutil.rmtree(said["dir"], ignore_errors=True)
        tally.result(f"exitkill ({mode}, {env.name})", problems)


def check_asan(tally, env, bindir):
    """The tracer's own memory, under AddressSanitizer and UBSan."""
    tdaemon = os.path.join(bindir, "tdaemon")
    for mode, args, opts in (("filter", ["workers", "{pidfile}", "40"], ["--second", "--stale"]),
                             ("syscall", ["classic", "{pidfile}"], ["--second", "--stale"]),
                             ("filter", ["forkloop", "{pidfile}", "200"],
                              ["--max-events", "50", "--max-procs", "20", "--max-tasks", "8"]),
                             ("syscall", ["hardy", "{pidfile}"],
                              ["--stop", "{tdaemon} stop-loop {pidfile}"])):
        problems = []
        opts = [o.replace("{tdaemon}", tdaemon) for o in opts]
        run = harness(opts + ["--mode", mode, "--", tdaemon] + args, env, bindir, asan=True)
        left_nothing(run, problems.append)
        tally.result(f"asan {args[0]} ({mode}, {env.name})", problems)


def environments():
    """As root: root and nobody, each in a private PID namespace. Else: as is."""
    if os.geteuid() != 0:
        return [Env(f"uid {os.geteuid()}", [], os.geteuid())], None
    ns = ["unshare", "--pid", "--fork", "--mount-proc"]
    try:
        ok = subprocess.run(ns + ["true"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    if not ok:
        return [], "as root, the hostile daemons need a private PID namespace (unshare failed)"
    nobody = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    return [Env("root", ns, 0), Env("nobody", ns + nobody, NOBODY)], None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin"))
    ap.add_argument("-v", action="store_true")
    ap.add_argument("cases", nargs="*")
    opt = ap.parse_args()
    bindir = os.path.abspath(opt.bin)
    tally = Tally(opt.v)
    envs, why = environments()
    if not envs:
        tally.skip("tracer", why)
    baselines = {}
    for env in envs:
        for case in CASES:
            if not opt.cases or case[0] in opt.cases:
                check_case(tally, env, bindir, case, baselines)
        if not opt.cases or "setuid" in opt.cases:
            if os.geteuid() == 0:
                check_setuid(tally, env, bindir, True)
            else:
                tally.skip(f"setuid ({env.name})", "needs root to make a set-user-ID program")
        if not opt.cases or "already-traced" in opt.cases:
            check_already_traced(tally, env, bindir)
        if not opt.cases or "exitkill" in opt.cases:
            check_exitkill(tally, env, bindir)
        if (not opt.cases or "asan" in opt.cases) and \
           os.path.exists(os.path.join(bindir, "harness-asan")):
            check_asan(tally, env, bindir)
    if tally.skipped:
        print(f"{tally.skipped} skipped")
    print(f"{tally.passed} passed, {tally.failed} failed")
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
