#!/usr/bin/env python3
"""real_world.py: how real daemons fare under the checker; writes docs/real-world.md.

    python3 docs/tools/real_world.py [-o PAGE] [--only NAME ...]   (make real-world)
    python3 docs/tools/real_world.py --check [-o PAGE]             (make real-world-check)

The survey (root only; minutes; Debian's package mirror): installs the
Debian packages of a few classic daemons with apt-get (never removing
anything: a package that would need a removal is unpacked into a scratch
directory instead, and run from there), checks that no install left a
service of its own running (and stops, by pid, what one did), writes a
minimal configuration of each daemon into a scratch directory, listening on
127.0.0.1 only, and runs the checker on each (--format json), with the
daemon's own pidfile option where it has one and its own stop command where
it has one. The machine's service configurations are never read nor
written. Then it writes the page: the verdicts, each failure explained in a
line (EXPLAINED below: written by hand from the daemons' behaviour, not by
the script), the versions that ran, the date, and a stamp.

The check (fast, no root, no install): the page is what this script last
wrote, for this script and this checker. The stamp in the page records a
hash of this file, of `checker --list --format json` and of the page's own
text; any of the three changed means the survey must be run again.

Prints one line per step ("ok ...", "FAIL ...", "skip ...") and ends with
"N passed, M failed".
"""
import argparse
import datetime
import hashlib
import json
import os
import platform
import pwd
import re
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHECKER = ROOT / "checker" / "checker"
PAGE = ROOT / "docs" / "real-world.md"
CHECKER_SCRATCH = re.compile(r"/tmp/checker\.[A-Za-z0-9]{6}")
STAMP = re.compile(r"^<!-- real-world-stamp: script=(\w+) list=(\w+) page=(\w+) -->$", re.M)
RUNS = 3                # runs per daemon: a race shows as a split verdict
RUN_LIMIT_S = 300       # one checker run: a bounded fallback, never expected
STOP_WAIT_S = 5.0

FAULT = "a real fault"
CHOICE = "a different but defensible choice"
SETUP = "an effect of how it ran here"


# --- what runs, and how ------------------------------------------------------
#
# Each daemon: the package(s) that bring it, the binary whose version and
# leftovers are looked at, and a set-up function that writes its scratch
# configuration and returns how the checker runs it:
#   {"args": checker arguments, "user": None or the user the checker runs as,
#    "note": one line on how it was run}

def setup_tinyproxy(d, port, binary):
    conf = d / "tinyproxy.conf"
    conf.write_text(f"""Port {port}
Listen 127.0.0.1
Timeout 60
LogFile "{d}/tinyproxy.log"
LogLevel Info
PidFile "{d}/tinyproxy.pid"
MaxClients 10
Allow 127.0.0.1
""")
    return {"args": ["--pidfile", f"{d}/tinyproxy.pid", "--", binary, "-c", str(conf)],
            "note": "no pidfile option: the file named by PidFile in its configuration"}


def setup_rsync(d, port, binary):
    (d / "share").mkdir()
    conf = d / "rsyncd.conf"
    conf.write_text(f"""use chroot = no
log file = {d}/rsyncd.log
[scratch]
    path = {d}/share
    read only = yes
""")
    return {"args": ["--", binary, "--daemon", f"--config={conf}", "--address=127.0.0.1",
                     f"--port={port}", "--dparam=pidfile={pidfile}"],
            "note": "pidfile given with --dparam=pidfile="}


def setup_chronyd(d, port, binary):
    sock = d / "run" / "chronyd.sock"   # chronyd makes run/ itself, private
    chronyc = str(Path(binary).parent.parent / "bin" / "chronyc")
    # Directives on the command line: chronyd then reads no configuration file.
    return {"args": ["--stop-command", f"{chronyc} -h {sock} shutdown", "--",
                     binary, "-x", "-u", "root", "-l", f"{d}/chronyd.log",
                     "pidfile {pidfile}", "port 0", "cmdport 0",
                     f"bindcmdaddress {sock}", f"driftfile {d}/drift"],
            "note": "-x: never touches the clock (no CAP_SYS_TIME needed); no NTP port and no "
                    "UDP command port, only its command socket in the scratch directory; "
                    "-u root: the package's user, _chrony, does not exist when the package "
                    "is only unpacked"}


def nsd_conf(d, port):
    conf = d / "nsd.conf"
    conf.write_text(f"""server:
    ip-address: 127.0.0.1
    port: {port}
    username: ""
    chroot: ""
    zonesdir: "{d}"
    database: ""
    zonelistfile: "{d}/zone.list"
    xfrdfile: "{d}/xfrd.state"
    xfrdir: "{d}"
    logfile: "{d}/nsd.log"
    server-count: 1
remote-control:
    control-enable: yes
    control-interface: {d}/nsd.ctl
""")
    return conf


def setup_nsd(d, port, binary):
    conf = nsd_conf(d, port)
    return {"args": ["--stop-command", f"nsd-control -c {conf} stop", "--",
                     binary, "-c", str(conf), "-P", "{pidfile}"],
            "note": 'username "": stays root instead of switching to user nsd'}


def setup_nsd_foreground(d, port, binary):
    conf = nsd_conf(d, port)
    return {"args": ["--profile", "new-style", "--", binary, "-d", "-c", str(conf),
                     "-P", "{pidfile}"],
            "note": "-d: stays in the foreground"}


def setup_vsftpd(d, port, binary):
    conf = d / "vsftpd.conf"
    conf.write_text(f"""listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port={port}
background=YES
anonymous_enable=NO
local_enable=NO
write_enable=NO
secure_chroot_dir=/var/run/vsftpd/empty
pam_service_name=vsftpd
vsftpd_log_file={d}/vsftpd.log
xferlog_enable=NO
""")
    return {"args": ["--", binary, str(conf)],
            "note": "background=YES; no pidfile at all: the pidfile checks skip"}


def setup_exim4(d, port, binary):
    (d / "spool").mkdir()
    (d / "log").mkdir()
    conf = d / "exim.conf"
    conf.write_text(f"""primary_hostname = checker.invalid
local_interfaces = 127.0.0.1
daemon_smtp_ports = {port}
spool_directory = {d}/spool
log_file_path = {d}/log/%slog
exim_user = root
exim_group = root
never_users =
acl_smtp_rcpt = refuse_all
begin acl
refuse_all:
  deny
""")
    return {"args": ["--", binary, "-C", str(conf), "-bd", "-oP", "{pidfile}"],
            "note": "-C: its own configuration (spool and logs in the scratch directory, "
                    "every recipient refused); pidfile given with -oP"}


def setup_pgbouncer(d, port, binary):
    conf = d / "pgbouncer.ini"
    (d / "users.txt").write_text('"scratch" ""\n')
    conf.write_text(f"""[databases]
scratch = host=127.0.0.1 port=1 dbname=scratch
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {d}/users.txt
logfile = {d}/pgbouncer.log
pidfile = {d}/pgbouncer.pid
""")
    give_to("nobody", d)
    return {"args": ["--pidfile", f"{d}/pgbouncer.pid", "--", binary, "-d", str(conf)],
            "user": "nobody",
            "note": "refuses to run as root, so the checker itself runs as nobody; "
                    "no pidfile option: the file named by pidfile= in its configuration"}


def varnish_args(d, port, binary):
    return [binary, "-a", f"127.0.0.1:{port}", "-b", "127.0.0.1:1", "-T", "none",
            "-n", f"{d}/work", "-s", "malloc,16m", "-P", "{pidfile}"]


def setup_varnishd(d, port, binary):
    return {"args": ["--"] + varnish_args(d, port, binary),
            "note": "no admin port (-T none); its working directory in the scratch directory"}


def setup_varnishd_umask(d, port, binary):
    return {"args": ["--umask", "077", "--"] + varnish_args(d, port, binary),
            "note": "the same, judged with --umask 077, so that the checker starts it under "
                    "umask 027 instead of 077"}


def setup_squid(d, port, binary):
    conf = d / "squid.conf"
    conf.write_text(f"""http_port 127.0.0.1:{port}
pid_filename {d}/squid.pid
cache_log {d}/cache.log
access_log none
coredump_dir {d}
http_access deny all
""")
    return {"args": ["--profile", "new-style", "--", binary, "--foreground", "-f", str(conf)],
            "note": "--foreground: stays in the foreground"}


DAEMONS = [
    # name, packages, binary, set-up, how it is installed
    ("tinyproxy", ["tinyproxy"], "/usr/bin/tinyproxy", setup_tinyproxy, "apt"),
    ("rsync", ["rsync"], "/usr/bin/rsync", setup_rsync, "apt"),
    ("chronyd", ["chrony"], "usr/sbin/chronyd", setup_chronyd, "unpack"),
    ("nsd", ["nsd"], "/usr/sbin/nsd", setup_nsd, "apt"),
    ("vsftpd", ["vsftpd"], "/usr/sbin/vsftpd", setup_vsftpd, "apt"),
    ("exim4", ["exim4-daemon-light"], "/usr/sbin/exim4", setup_exim4, "apt"),
    ("pgbouncer", ["pgbouncer"], "/usr/sbin/pgbouncer", setup_pgbouncer, "apt"),
    ("varnishd", ["varnish"], "/usr/sbin/varnishd", setup_varnishd, "apt"),
    ("varnishd 027", ["varnish"], "/usr/sbin/varnishd", setup_varnishd_umask, "apt"),
]
NEW_STYLE = [
    ("nsd -d", ["nsd"], "/usr/sbin/nsd", setup_nsd_foreground, "apt"),
    ("squid", ["squid"], "/usr/sbin/squid", setup_squid, "apt"),
]
# Why a package is not installed the ordinary way.
UNPACK_REASON = {
    "chrony": "installing chrony would remove systemd-timesyncd (they conflict), and this "
              "script removes nothing: the package is unpacked with dpkg-deb into the "
              "scratch directory and chronyd runs from there",
}

# Each failure (or warning) seen in the surveys, explained by hand from what
# the daemon was seen to do (its logs, strace, its documentation): what it
# does, and whether that is a fault. A failure with no line here is printed
# on the page as "not explained yet", and the script warns.
FDS = (FAULT, "It does not close the descriptors it inherited, which stay open in the "
              "daemon for its whole life (daemon(7) asks to close them all)")
SIGNALS = (FAULT, "It resets neither the signal mask nor the signal dispositions it "
                  "inherited: a signal its launcher blocked stays blocked in the daemon")
LEADER = (FAULT, "It forks once and calls setsid(), with no second fork: the daemon leads "
                 "its session, and would acquire a controlling terminal by opening one")
UMASK = (CHOICE, "It keeps the umask it was started with: the modes of the files it creates "
                 "are left to whoever starts it (systemd's UMask=, 0022 by default), where "
                 "daemon(7) asks for 0 and an explicit mode on each file")
RACE = (FAULT, "The launcher returns before the daemon has written its pidfile: whoever "
               "reads the pidfile as soon as the start command returns (a script, systemd "
               "Type=forking) races the daemon")
EXPLAINED = {
    "tinyproxy": {
        "umask": (CHOICE, "It sets umask 0177 itself, so that its log and pidfile are "
                          "private (mode 0600); the checker expects daemon(7)'s 0"),
        "no-inherited-fds": FDS, "signals-reset": SIGNALS, "pidfile-exists": RACE,
        "pidfile-locked": (FAULT, "Its pidfile is written, never locked nor read: nothing "
                                  "tells a live daemon's file from a stale one"),
        "single-instance": (FAULT, "It binds its port only after daemonizing: the second "
                                   "daemon's bind() fails with EADDRINUSE, its message goes to "
                                   "a stderr it has already closed, and it exits 71 unseen, "
                                   "after its launcher has exited 0"),
        "stdio": (FAULT, "It closes 0, 1 and 2 when it daemonizes, and what it opens next takes "
                         "their numbers: its listening socket becomes fd 0 and its log file "
                         "fd 1, so a stray write to stdout lands in its log"),
        "stdio-open": (FAULT, "It closes 2 and never reopens it (see stdio): the next file it "
                              "opens would become its stderr"),
    },
    "rsync": {
        "not-session-leader": LEADER,
        "cwd": (FAULT, "The listening daemon stays in the directory it was started from, "
                       "which it keeps busy (it cannot be unmounted)"),
        "umask": (CHOICE, "It keeps the caller's umask on purpose: rsync reads it at start "
                          "and applies it to the files it receives"),
        "no-inherited-fds": FDS, "signals-reset": SIGNALS, "pidfile-exists": RACE,
        "single-instance": (FAULT, "Its pidfile is locked, and the second daemon does refuse "
                                   "(\"failed to lock pid file\"), but only after the fork: the "
                                   "launcher has exited 0, and the refusal shows only in the log "
                                   "and on the terminal"),
    },
    "chronyd": {
        "umask": (CHOICE, "It keeps the caller's umask: chrony creates each of its files "
                          "with an explicit mode, which the umask can only narrow"),
        "signals-reset": SIGNALS,
        "pidfile-locked": (CHOICE, "No lock: chronyd reads the pid in its pidfile and asks "
                                   "whether that process runs. It refused the second start and "
                                   "took over the stale pidfile all the same (both checks pass)"),
    },
    "nsd": {
        "not-session-leader": LEADER,
        "cwd": (CHOICE, "It changes to its zonesdir, as nsd.conf(5) documents: here the "
                        "scratch directory"),
        "umask": UMASK, "no-inherited-fds": FDS, "signals-reset": SIGNALS,
        "pidfile-exists": RACE,
        "pidfile-locked": (CHOICE, "No lock: nsd only asks whether the pid in the file runs; "
                                   "a second instance is refused because its bind() fails, "
                                   "which happens before it daemonizes (it exits 1)"),
        "no-leftovers": (FAULT, "Its main process exits without waiting for its server "
                                "processes (seen by hand: a server is left for init to reap), "
                                "so a server slower to finish outlives the process that the "
                                "pidfile names; the checker found one still running after the "
                                "stop and killed it"),
    },
    "vsftpd": {
        "not-session-leader": LEADER,
        "cwd": (FAULT, "The listener stays in the directory it was started from"),
        "umask": (CHOICE, "It keeps the caller's umask; the files that FTP uploads create "
                          "follow its own local_umask and anon_umask settings instead"),
        "no-inherited-fds": FDS, "signals-reset": SIGNALS,
        "single-instance": (FAULT, "It binds its port after the fork: the second daemon "
                                   "prints \"500 OOPS: could not bind listening IPv4 socket\" "
                                   "and exits 2, but its launcher has already exited 0"),
    },
    "exim4": {
        "not-session-leader": LEADER,
        "cwd": (CHOICE, "It works in its spool directory, by design"),
        "no-inherited-fds": FDS, "signals-reset": SIGNALS, "pidfile-exists": RACE,
        "pidfile-locked": (FAULT, "No lock, and no check of the pidfile at start: nothing "
                                  "keeps a second daemon from starting (see single-instance)"),
        "single-instance": (CHOICE, "The second daemon does not give up when its port is "
                                    "taken: it retries bind() every 30 s, 9 times "
                                    "(daemon_startup_sleep, daemon_startup_retries), so that a "
                                    "restart may overlap the old daemon's exit; its launcher "
                                    "has exited 0 meanwhile"),
        "no-leftovers": (CHOICE, "That second daemon, still waiting for its port when the "
                                 "first one stopped (it would have taken the port over at its "
                                 "next try); the checker killed it"),
    },
    "pgbouncer": {
        "cwd": (FAULT, "It stays in the directory it was started from"),
        "umask": UMASK, "no-inherited-fds": FDS, "signals-reset": SIGNALS,
        "pidfile-exists": RACE,
        "pidfile-locked": (CHOICE, "No lock: pgbouncer asks whether the pid in its pidfile "
                                   "runs; it refuses a live one before it forks (single-instance "
                                   "passes) and removes a stale one (\"stale pidfile, removing\")"),
    },
    "nsd -d": {
        "pidfile-locked": (CHOICE, "No lock, as in the classic run (see nsd): under a manager "
                                   "the pidfile is informational, the manager knows the pid"),
        "reload-on-sighup": (CHOICE, "It announces the reload with RELOADING=1 and READY=1 "
                                     "after it, but without MONOTONIC_USEC=, which only a "
                                     "Type=notify-reload unit needs (systemd 253 and later); "
                                     "Debian's unit is Type=notify"),
    },
    "squid": {
        "notify-ready": (CHOICE, "READY=1 comes from its worker process (squid-1), not from the "
                                 "main process: Debian's unit accepts it with NotifyAccess=all; "
                                 "the checker, as systemd by default (NotifyAccess=main), "
                                 "takes the main process's word only"),
        "stops-on-sigterm": (CHOICE, "On SIGTERM it stops accepting and waits for the open "
                                     "connections to end, up to shutdown_lifetime (30 s by "
                                     "default), longer than the checker's timeout"),
        "no-leftovers": (CHOICE, "Its worker and pinger processes, still shutting down (see "
                                 "stops-on-sigterm); the checker killed them"),
        "logs-to-stderr": (CHOICE, "It puts 1 and 2 on /dev/null and writes its log to its "
                                   "own file (cache_log), not to the journal"),
    },
    "varnishd": {
        "launcher-exits": (FAULT, "Under umask 077 it cannot start: it creates its working "
                                  "directory (-n) as root with mode 0700, then cannot use it "
                                  "from the processes that gave up root (its jail's users "
                                  "varnish and vcache); the VCL compilation fails and it exits "
                                  "255 before daemonizing. It never sets the umask it relies on "
                                  "(the next column runs it under umask 027)"),
        "daemon-running": (FAULT, "It never started (see launcher-exits)"),
        "pidfile-exists": (FAULT, "It never started (see launcher-exits)"),
    },
    "varnishd 027": {
        "not-session-leader": (FAULT, "No second fork: its manager process leads the session "
                                      "it created"),
        "cwd": (CHOICE, "It works in its working directory (-n), where it keeps its shared "
                        "memory log and compiled VCL"),
        "umask": UMASK, "signals-reset": SIGNALS,
        "pidfile-content": (FAULT, "The pid has no newline after it; the FHS asks for one, "
                                   "though most readers accept either"),
        "pidfile-removed": (CHOICE, "By the time it exits, its manager runs as user varnish "
                                    "and may not delete a file from a directory that only root "
                                    "may write (the checker's private one; /run likewise): "
                                    "unlink() fails with EACCES. The file was locked while it "
                                    "ran, so what is left is recognisably stale"),
    },
}


# --- small helpers -----------------------------------------------------------

def give_to(user, directory):
    """The scratch directory of a daemon that runs as user: its own."""
    entry = pwd.getpwnam(user)
    for path in [directory] + list(directory.rglob("*")):
        os.chown(path, entry.pw_uid, entry.pw_gid)


def sha(data):
    return hashlib.sha256(data).hexdigest()[:16]


def free_port():
    """A port free on 127.0.0.1 for both TCP and UDP, at this moment."""
    for _ in range(20):
        with socket.socket() as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
            try:
                with socket.socket(type=socket.SOCK_DGRAM) as udp:
                    udp.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise OSError("no free port on 127.0.0.1")


def run(argv, **kwargs):
    return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          **kwargs)


def shown_path(path):
    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def say(status, text):
    print(f"{status:<4} {text}", flush=True)


# --- the checker -------------------------------------------------------------

def checker_list():
    done = run([str(CHECKER), "--list", "--format", "json"])
    if done.returncode != 0:
        raise RuntimeError(f"checker --list failed: {done.stderr.strip()}")
    return done.stdout


def checker_version():
    return run([str(CHECKER), "--version"]).stdout.strip()


def new_style_available():
    """(available, why not) from the checker itself."""
    done = run([str(CHECKER), "--profile", "new-style", "--list"])
    return done.returncode == 0, done.stderr.strip()


def run_checker(spec, cwd):
    """The JSON report of one run, or a reason why there is none."""
    argv = [str(CHECKER), "--format", "json", "--timeout", "5"] + spec["args"]
    if spec.get("user"):
        entry = pwd.getpwnam(spec["user"])
        argv = ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}",
                "--clear-groups", "--"] + argv
    with subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, start_new_session=True) as proc:
        try:
            out, err = proc.communicate(timeout=RUN_LIMIT_S)
        except subprocess.TimeoutExpired:
            proc.terminate()    # the checker then ends what the daemon started
            proc.communicate()
            return None, f"the checker did not finish within {RUN_LIMIT_S} s"
    try:
        return json.loads(out), None
    except ValueError:
        return None, f"the checker exited {proc.returncode}: {err.strip()[:300]}"


# --- processes: what an install or a run left behind --------------------------

def process_table():
    """{pid: (start time, executable)} of every process whose executable we can read."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
            exe = os.readlink(f"/proc/{entry}/exe")
        except OSError:
            continue        # gone, or a kernel thread
        start = int(stat[stat.rindex(b")") + 2:].split()[19])
        table[int(entry)] = (start, exe)
    return table


def new_processes(before, executables):
    """Processes that were not in `before` and run one of `executables`."""
    return {pid: v for pid, v in process_table().items()
            if before.get(pid) != v and v[1] in executables}


def stop_process(pid, start):
    """SIGTERM, then SIGKILL after STOP_WAIT_S, to this very process (pidfd)."""
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return "already gone"
    try:
        if process_table().get(pid, (None,))[0] != start:
            return "already gone"
        for sig in (signal.SIGTERM, signal.SIGKILL):
            signal.pidfd_send_signal(pidfd, sig)
            if select.select([pidfd], [], [], STOP_WAIT_S)[0]:
                return f"stopped by {sig.name}"
        return "still running after SIGKILL"
    finally:
        os.close(pidfd)


def stop_leftovers(before, executables, what):
    found = new_processes(before, executables)
    lines = []
    for pid, (start, exe) in sorted(found.items()):
        outcome = stop_process(pid, start)
        lines.append(f"{what} left pid {pid} ({exe}) running: {outcome}")
        say("FAIL" if "still" in outcome else "ok", lines[-1])
    return lines


# --- installing --------------------------------------------------------------

def installed_version(package):
    done = run(["dpkg-query", "-W", "-f", "${db:Status-Abbrev}${Version}", package])
    if done.returncode != 0 or not done.stdout.startswith("ii"):
        return None
    return done.stdout[3:].strip()


def package_files(packages):
    files = set()
    for package in packages:
        done = run(["dpkg", "-L", package])
        files |= {line for line in done.stdout.splitlines() if line.startswith("/")}
    return files


def apt_install(packages, state):
    """Install what is missing; None, or why it could not be."""
    missing = [p for p in packages if installed_version(p) is None]
    if not missing:
        return None
    if not state.get("updated"):
        run(["apt-get", "update", "-qq"])
        state["updated"] = True
    before = process_table()
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    done = run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "--no-remove"]
               + missing, env=env)
    state["installed"] += missing
    executables = {f for f in package_files(missing) if os.access(f, os.X_OK)}
    state["install_leftovers"] += stop_leftovers(before, executables,
                                                 f"installing {' '.join(missing)}")
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:]
        return f"apt-get install {' '.join(missing)} failed: {' '.join(last)}"
    return None


def unpack(package, into):
    """Download the package and unpack it under `into`; its version, or raise."""
    into.mkdir(parents=True, exist_ok=True)
    done = run(["apt-get", "download", package], cwd=into)
    debs = sorted(into.glob(f"{package}_*.deb"))
    if done.returncode != 0 or not debs:
        raise RuntimeError(f"apt-get download {package} failed: {done.stderr.strip()[-200:]}")
    if run(["dpkg-deb", "-x", str(debs[-1]), str(into / "root")]).returncode != 0:
        raise RuntimeError(f"dpkg-deb -x {debs[-1].name} failed")
    return run(["dpkg-deb", "-f", str(debs[-1]), "Version"]).stdout.strip()


def provide(daemon, scratch, state):
    """(binary path, version, None) or (None, None, why it cannot run)."""
    name, packages, binary, _, how = daemon
    if how == "unpack":
        try:
            version = unpack(packages[0], scratch / "unpacked" / packages[0])
        except RuntimeError as exc:
            return None, None, str(exc)
        state["unpacked"][packages[0]] = version
        return str(scratch / "unpacked" / packages[0] / "root" / binary), version, None
    why = apt_install(packages, state)
    if why:
        return None, None, why
    return binary, installed_version(packages[0]), None


# --- one daemon --------------------------------------------------------------

def survey(daemon, scratch, state):
    """The record of one daemon: RUNS runs of the checker, each from a fresh
    scratch directory and port, their statuses side by side."""
    name, packages, _, setup, _ = daemon
    record = {"name": name, "package": packages[0], "runs": 0}
    binary, version, why = provide(daemon, scratch, state)
    record["version"] = version
    if binary is None:
        record["error"] = why
        say("skip", f"{name}: {why}")
        return record
    for n in range(1, RUNS + 1):
        report, why = one_run(record, setup, binary, scratch / f"{slug(name)}-{n}", state)
        if report is None:
            record["error"] = why
            say("FAIL", f"{name}, run {n}: {why}")
            return record
        merge(record, report, scratch)
    bad = [i for i, c in record["checks"].items() if set(c["statuses"]) & {"fail", "warn"}]
    say("ok", f"{name} {version}: {' '.join(record['verdicts'])}; "
              f"fail or warn: {' '.join(bad) or 'none'}")
    return record


def one_run(record, setup, binary, directory, state):
    directory.mkdir(mode=0o755)
    port = free_port()
    spec = setup(directory, port, binary)
    if "command" not in record:
        record.update(note=spec["note"], user=spec.get("user"),
                      command=shown_command(spec, directory, port, directory.parent))
    before = process_table()
    report, why = run_checker(spec, cwd=directory)
    # The checker promises to leave nothing behind; a survey of others' code checks.
    state["run_leftovers"] += stop_leftovers(before, {binary, os.path.realpath(binary)},
                                             f"the run of {record['name']}")
    return report, why


def merge(record, report, scratch):
    """Add one report's statuses; keep what a failing run observed."""
    record["runs"] += 1
    record.setdefault("verdicts", []).append(report["verdict"])
    checks = record.setdefault("checks", {})
    for c in report["checks"]:
        observed = stable(c["observed"], scratch)
        seen = checks.setdefault(c["id"], {"statuses": [], "observed": observed})
        if c["status"] in ("fail", "warn") and not set(seen["statuses"]) & {"fail", "warn"}:
            seen["observed"] = observed
        seen["statuses"].append(c["status"])


def stable(text, scratch):
    """Random directory names out of what the page shows."""
    text = re.sub(re.escape(str(scratch)) + r"/[\w-]+-\d+", "$DIR", text)
    return CHECKER_SCRATCH.sub("/tmp/checker.XXXXXX", text.replace(str(scratch), "$SCRATCH"))


def slug(name):
    return re.sub(r"\W+", "-", name)


def shown_command(spec, directory, port, scratch):
    """The checker's command line as a reader would type it."""
    words = ["checker"] + [shown_word(a) for a in spec["args"]]
    text = " ".join(words).replace(str(directory), "$DIR").replace(str(scratch), "$SCRATCH")
    text = text.replace(str(port), "$PORT")
    return f"(as {spec['user']}) {text}" if spec.get("user") else text


def shown_word(arg):
    # {pidfile} is shown as the checker reads it: quoting would hide it.
    if "{pidfile}" in arg:
        return f"'{arg}'" if " " in arg else arg
    return shlex.quote(arg)


# --- the page ----------------------------------------------------------------

CELL = {"pass": "pass", "fail": "**FAIL**", "warn": "warn", "skip": "skip"}
BAD = ("fail", "warn")


def page_text(records, styled, context):
    ids = [c["id"] for c in json.loads(context["list"])["checks"]]
    parts = [intro(context), how_they_ran(records + styled),
             "## The verdicts\n\n" + verdict_table(records, ids),
             explanations(records, ids), new_style_section(styled, context, ids),
             installs(context), versions(records + styled, context)]
    return "\n".join(parts)


def intro(context):
    return f"""# How real daemons fare

The checker, run on daemons that real systems run: the Debian packages of a
proxy, a file server, a time server, a DNS server, an FTP server, a mail
server, a connection pooler and an HTTP cache. Each ran from a minimal
configuration of its own, written into a scratch directory and listening on
127.0.0.1 only, in the checker's hostile launch environment (a terminal, a
scratch working directory, umask 077, inherited descriptors, a blocked and
an ignored signal), {RUNS} times. A failed check is not a verdict on the
daemon: it may be a real fault, a different but defensible choice, or an
effect of how the survey ran it. Each failure is explained below, in a line
written by hand from what the daemon was seen to do.

This page is written by `docs/tools/real_world.py` (`make real-world`: as
root, it installs the packages, runs the checker on each daemon and rewrites
the page). It is not part of `make check`, which only checks that the page
is what the script last wrote, for this script and this checker
(`make real-world-check`).

Survey of {context['date']}, {context['checker']}, on {context['system']}.
"""


def how_they_ran(records):
    rows = ["## How each one ran", "",
            "`$SCRATCH` is the survey's scratch directory, `$DIR` the daemon's own in it and "
            "`$PORT` a free port, both new for each run; `{pidfile}` is the checker's private "
            "pidfile, in `/tmp/checker.XXXXXX`. The checker ran with "
            "`--format json --timeout 5` besides; unless a command says `--stop-command`, it "
            "stopped the daemon with SIGTERM.", "",
            "| daemon | command | notes |", "|---|---|---|"]
    for r in records:
        command = f"`{r['command']}`" if "command" in r else "(not run)"
        rows.append(f"| {r['name']} | {command} | {r.get('note') or r.get('error', '')} |")
    return "\n".join(rows) + "\n"


def cell(statuses):
    """One status, or how many runs gave each ("**FAIL** 1/3, pass 2/3")."""
    if len(set(statuses)) == 1:
        return CELL[statuses[0]]
    order = ["fail", "warn", "pass", "skip"]
    return ", ".join(f"{CELL[s]} {statuses.count(s)}/{len(statuses)}"
                     for s in order if s in statuses)


def verdict_table(records, ids):
    ran = [r for r in records if r.get("runs")]
    rows = ["| check | " + " | ".join(r["name"] for r in ran) + " |",
            "|---|" + "---|" * len(ran)]
    for i in ids:
        rows.append(f"| `{i}` | " + " | ".join(cell(r["checks"][i]["statuses"]) for r in ran)
                    + " |")
    rows.append("| **verdict** | " + " | ".join(cell(r["verdicts"]) for r in ran) + " |")
    missing = [r for r in records if not r.get("runs")]
    rows += [""] + [f"Not judged: **{r['name']}**: {r['error']}." for r in missing]
    return "\n".join(rows) + "\n"


def explanations(records, ids):
    out = ["## Each failure, explained", "",
           "For each daemon, each check that failed or warned in at least one run: what "
           "the checker observed (in a failing run), what the daemon does, and whether that "
           f"is {FAULT}, {CHOICE}, or {SETUP}.", ""]
    for r in records:
        if not r.get("runs"):
            continue
        out.append(f"### {r['name']}\n")
        bad = [i for i in ids if set(r["checks"][i]["statuses"]) & set(BAD)]
        out += [explained_line(r, i) for i in bad] or ["Every check passed."]
        out.append("")
    return "\n".join(out)


def explained_line(record, check):
    c = record["checks"][check]
    observed = " ".join(c["observed"].replace("|", "\\|").split())
    if len(observed) > 220:
        observed = observed[:217] + "..."
    kind, why = EXPLAINED.get(record["name"], {}).get(check, (None, None))
    if why is None:
        print(f"warn {record['name']}: {check} has no explanation in EXPLAINED", file=sys.stderr)
        why, kind = "Not explained yet", "not judged yet"
    runs = c["statuses"]
    how_often = "" if len(set(runs)) == 1 else \
        f" in {sum(s in BAD for s in runs)} of {len(runs)} runs"
    return f"- `{check}`{how_often}: *{observed}*. {why}: **{kind}**."


def new_style_section(styled, context, ids):
    head = ["## Under `--profile new-style`", "",
            "A new-style daemon (systemd's daemon(7)) stays in the foreground and tells its "
            "service manager when it is ready. Two of these daemons can run that way: "
            "`nsd -d` and `squid --foreground`.", ""]
    if not context["new_style"]:
        said = context["new_style_why"] or "nothing"
        return "\n".join(head + [f"Not run: not available in this checker (asked with "
                                  f"`checker --profile new-style --list`, it said: {said}).", ""])
    lines = head + [verdict_table(styled, ids)]
    lines += [explained_line(r, i) for r in styled if r.get("runs") for i in ids
              if set(r["checks"][i]["statuses"]) & set(BAD)]
    return "\n".join(lines) + "\n"


def installs(context):
    done = context["installed"]
    out = ["## Installing them", "",
           "Packages installed by this survey (`apt-get install --no-install-recommends "
           f"--no-remove`): {', '.join(done) if done else 'none: all were installed already'}."]
    out += [f"Not installed: {p}: {why}." for p, why in UNPACK_REASON.items()
            if p in context["unpacked"]]
    out += ["", "Processes that an install left running, and would have kept running as "
                "services (each stopped by the script, by pid): "
            + ("; ".join(context["install_leftovers"]) or "none") + ".",
            "", "Processes of a daemon that outlived its checker run: "
            + ("; ".join(context["run_leftovers"]) or "none") + "."]
    return "\n".join(out) + "\n"


def versions(records, context):
    rows = ["## Versions", "", "| package | version (dpkg) |", "|---|---|"]
    seen = set()
    for r in records:
        if r["package"] in seen or not r.get("version"):
            continue
        seen.add(r["package"])
        how = " (unpacked, not installed)" if r["package"] in context["unpacked"] else ""
        rows.append(f"| {r['package']} | {r['version']}{how} |")
    return "\n".join(rows) + "\n"


def stamped(body, list_json):
    script = sha(Path(__file__).read_bytes())
    page = sha(body.encode())
    return (f"{body}\n<!-- real-world-stamp: script={script} list={sha(list_json.encode())} "
            f"page={page} -->\n")


# --- the two modes -----------------------------------------------------------

def check(page):
    """The page is what this script wrote, for this script and this checker."""
    passed = failed = 0

    def tally(ok, what, detail=""):
        nonlocal passed, failed
        passed, failed = passed + ok, failed + (not ok)
        say("ok" if ok else "FAIL", what + ("" if ok else f": {detail}"))

    if not os.access(CHECKER, os.X_OK):
        say("skip", f"{shown_path(CHECKER)} is not built (make)")
        print(f"{passed} passed, {failed} failed")
        return 0
    text = page.read_text() if page.exists() else ""
    m = STAMP.search(text)
    tally(bool(m), f"{shown_path(page)} carries the survey's stamp", "none found")
    if m:
        body = text[:m.start()].rstrip("\n") + "\n"
        again = "run make real-world (as root) and commit the page"
        tally(m.group(1) == sha(Path(__file__).read_bytes()),
              "the page was written by this version of docs/tools/real_world.py", again)
        tally(m.group(2) == sha(checker_list().encode()),
              "the page was written with this checker's list of checks", again)
        tally(m.group(3) == sha(body.encode()), "the page is as the script wrote it",
              "edited by hand: " + again)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def survey_all(page, only, save=None):
    if os.geteuid() != 0:
        sys.exit("real_world: fatal: the survey installs packages and runs daemons: run it as root")
    if not os.access(CHECKER, os.X_OK):
        sys.exit("real_world: fatal: checker/checker is not built: run make first")
    state = {"installed": [], "install_leftovers": [], "run_leftovers": [], "unpacked": {}}
    available, why = new_style_available()
    context = {"date": datetime.date.today().isoformat(), "checker": checker_version(),
               "list": checker_list(), "new_style": available, "new_style_why": why,
               "system": f"Debian {Path('/etc/debian_version').read_text().strip()}, "
                         f"Linux {platform.release()}"}
    scratch = Path(tempfile.mkdtemp(prefix="real-world."))
    scratch.chmod(0o755)    # daemons that drop privileges must reach their files
    try:
        records = [survey(d, scratch, state) for d in DAEMONS if not only or d[0] in only]
        styled = [survey(d, scratch, state) for d in NEW_STYLE
                  if available and (not only or d[0] in only)]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if not available:
        say("skip", f"--profile new-style: not available in this checker ({why})")
    context.update(state)
    page.write_text(stamped(page_text(records, styled, context), context["list"]))
    say("ok", f"wrote {shown_path(page)}")
    if save:
        save.write_text(json.dumps(records + styled, indent=1))
    failed = sum(1 for r in records + styled if "error" in r)
    print(f"{len(records) + len(styled) - failed} passed, {failed} failed")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only check the page's stamp")
    parser.add_argument("-o", "--output", type=Path, default=PAGE)
    parser.add_argument("--only", nargs="*", default=[], help="survey only these daemons")
    parser.add_argument("--save", type=Path, help="also write every run's record (JSON) there")
    args = parser.parse_args()
    if args.check:
        return check(args.output)
    return survey_all(args.output, set(args.only), args.save)


if __name__ == "__main__":
    sys.exit(main())
