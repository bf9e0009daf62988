#!/usr/bin/env python3
"""What --trace costs: a checker run's launches traced and untraced, side by side.

For the zoo's correct daemon and its 40-worker twin (and, fewer rounds,
the kit's Python daemon, skeleton/python/mydaemon.py), the harness runs the
launches a checker run makes at --settle 0 (start, second start, hangup,
stop command, stale-pidfile start, stop command) untraced, traced with
the seccomp filter, and traced at every system call, interleaved round by
round so that the machine's load falls on all three alike, and prints the
median time of each launch and the ratio to the untraced one. As root it
measures again as an ordinary user (65534), whose filter needs
no_new_privs.

Usage: bench.py [--bin DIR] [--zoo DIR] [--rounds N]
"""

import argparse
import json
import os
import subprocess
import sys

NOBODY = 65534


def bench(harness, start, stop, rounds, prefix):
    cmd = prefix + [harness, "--bench", str(rounds), "--second", "--stale",
                    "--stop", stop, "--"] + start
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd="/")
    if p.returncode != 0:
        sys.exit(f"bench.py: {' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()}")
    return {d["bench"]: d for d in map(json.loads, p.stdout.splitlines())}


def table(title, res):
    off = res["off"]["launches"]
    print(f"\n{title}")
    print(f"  {'launch':<8} {'untraced':>9} {'filter':>9} {'ratio':>6} {'syscall':>9} {'ratio':>6}")
    totals = {m: 0.0 for m in ("off", "filter", "syscall")}
    for i, (name, ms) in enumerate(off):
        row = [res[m]["launches"][i][1] for m in ("filter", "syscall")]
        for m, v in zip(("off", "filter", "syscall"), [ms] + row):
            totals[m] += v
        print(f"  {name:<8} {ms:9.2f} {row[0]:9.2f} {row[0] / ms:5.2f}x {row[1]:9.2f} "
              f"{row[1] / ms:5.2f}x")
    print(f"  {'all':<8} {totals['off']:9.2f} {totals['filter']:9.2f} "
          f"{totals['filter'] / totals['off']:5.2f}x {totals['syscall']:9.2f} "
          f"{totals['syscall'] / totals['off']:5.2f}x")
    print(f"  ptrace stops per run: filter {res['filter']['stops']}, "
          f"syscall {res['syscall']['stops']}   (medians of {res['off']['rounds']} rounds, ms)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--bin", default=os.path.join(here, "bin"))
    ap.add_argument("--zoo", default=os.path.join(here, "..", "zoo", "bin"))
    ap.add_argument("--rounds", type=int, default=15)
    opt = ap.parse_args()
    harness = os.path.abspath(os.path.join(opt.bin, "harness"))
    zoo = os.path.abspath(opt.zoo)
    users = [("as uid %d" % os.geteuid(), [])]
    if os.geteuid() == 0:
        users = [("as root", []), ("as uid 65534", ["setpriv", f"--reuid={NOBODY}",
                                                    f"--regid={NOBODY}", "--clear-groups"])]
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    python = os.path.abspath(os.path.join(here, "..", "..", "skeleton", "python", "mydaemon.py"))
    for who, prefix in users:
        for daemon in ("correct", "forks-40-workers"):
            exe = os.path.join(zoo, daemon)
            table(f"{daemon}, {who}", bench(harness, [exe, "{pidfile}"],
                                             f"{exe} {{pidfile}} stop", opt.rounds, prefix))
        if os.path.exists(python):
            # The system's python3: another user may not reach this one.
            py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
            table(f"skeleton/python/mydaemon.py, {who}",
                  bench(harness, [py, python, "start", "--pidfile", "{pidfile}"],
                        f"{py} {python} stop --pidfile {{pidfile}}", max(3, opt.rounds // 3),
                        prefix))
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
