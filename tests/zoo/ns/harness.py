#!/usr/bin/env python3
"""A small service manager that runs one new-style daemon and says what it saw.

It is not the checker: it plays the checker's part in a new-style run as the
checker's contract describes it (the `new-style` profile; docs/checks.md), so that
the zoo's new-style daemons can be shown to do what their names say before
the checker's own new-style run exists. Its judgements are the contract's
rules, read simply.

The daemon is started as a service manager starts a service: its own
session, no terminal, cwd /, umask 0022, stdin /dev/null, stdout and stderr
one pipe (the journal), signals reset, no other descriptor, a clean
environment plus NOTIFY_SOCKET (a path, or "@name" with --notify-socket
abstract); with --socket-activation a listening TCP socket on 127.0.0.1 at
descriptor 3 (LISTEN_FDS=1, LISTEN_PID, LISTEN_FDNAMES); with --watchdog MS,
WATCHDOG_USEC and WATCHDOG_PID.

The run: start; wait (bounded by --timeout) for READY=1 from the main
process, or with MAINPID= naming a live descendant; with
--socket-activation, connect when READY=1 arrives; settle; inspect; SIGHUP;
settle; SIGTERM to the main process, wait for its end (bounded by
--timeout); sweep whatever is left.

Usage: harness.py [--socket-activation] [--watchdog MS]
                  [--notify-socket path|abstract] [--timeout S] [--settle MS]
                  [--profile new-style] [--json] [--] COMMAND [ARG...]
Exit status: 0 when every required check passed, 1 otherwise, 2 on a usage
error or a command that cannot be started.
"""

import argparse
import ctypes
import json
import os
import select
import shutil
import signal
import socket
import struct
import sys
import tempfile
import time

# The new-style checks this harness judges, in the contract's order, and
# which of them the profile requires (the others warn).
CHECKS = ["daemon-running", "no-zombies", "stops-on-sigterm", "no-leftovers",
          "stays-foreground", "notify-ready", "notify-stopping",
          "reload-on-sighup", "socket-activation", "watchdog", "logs-to-stderr"]
WARN_ONLY = {"notify-stopping", "reload-on-sighup", "logs-to-stderr"}

PR_SET_CHILD_SUBREAPER = 36
TCP_LISTEN = "0A"       # the state column of /proc/net/tcp
JOURNAL_KEEP = 50       # last lines kept, as a journal excerpt


# ------------------------------------------------------------ processes

def become_subreaper():
    """Orphans of the service come to us, as they come to a service manager,
    so that nothing it forks away escapes the sweep."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"prctl PR_SET_CHILD_SUBREAPER: {os.strerror(err)}")


def proc_stat(pid):
    """(state, ppid) of a live process, None when it is gone. The command
    name may hold spaces and parentheses: what follows the last ')'."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rindex(b")") + 2:].split()
    return fields[0].decode(), int(fields[1])


def process_table():
    """pid -> (state, ppid) of every process."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = proc_stat(int(entry))
            if st:
                table[int(entry)] = st
    return table


def descendants(root, table=None):
    """Every process below root (zombies included), as pid -> (state, ppid)."""
    table = table if table is not None else process_table()
    children = {}
    for pid, (_, ppid) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = {}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found[child] = table[child]
            todo.append(child)
    return found


def alive(pid):
    st = proc_stat(pid)
    return st is not None and st[0] not in ("Z", "X")


def describe_status(status):
    if status is None:
        return "an unknown status (not our child)"
    kind, value = status
    return f"status {value}" if kind == "status" else f"signal {signal.Signals(value).name}"


# --------------------------------------------------------------- a run

class Datagram:
    def __init__(self, t, pid, text, main):
        self.t = t              # seconds since the start
        self.pid = pid          # the sender, from SCM_CREDENTIALS
        self.text = text
        self.main = main        # the main process when it was read (after its
                                # own MAINPID=, when that was taken)
        self.handover = False   # it named a new main process (MAINPID=)
        self.fields = {}
        for line in text.split("\n"):
            key, sep, value = line.partition("=")
            if sep:
                self.fields[key] = value

    def says(self, key, value="1"):
        return self.fields.get(key) == value


class Run:
    """One daemon under the harness: what was seen, then the verdicts."""

    def __init__(self, command, socket_activation=False, watchdog_ms=None,
                 notify_kind="path", timeout=5.0, settle_ms=250):
        self.command = command
        self.sa = socket_activation
        self.watchdog_ms = watchdog_ms
        self.notify_kind = notify_kind
        self.timeout = timeout
        self.settle = settle_ms / 1000.0
        self.me = os.getpid()
        self.timeline = []      # (t, text)
        self.datagrams = []
        self.journal = []
        self.exits = {}         # pid -> ("status", N) | ("signal", N)
        self.exit_times = {}    # pid -> t
        self.verdicts = {}      # id -> (status, observed)
        self.started = None
        self.main = None
        self.pidfds = {}
        self.client = None
        self.answered_at = None
        self.tmpdir = None

    # .............................................................. events

    def now(self):
        return time.monotonic() - self.t0

    def note(self, text):
        self.timeline.append((self.now(), text))

    def watch(self, pid):
        """A pidfd, so that an exit is an event (POLLIN) like any other."""
        if pid in self.pidfds or pid in self.exit_times:
            return
        try:
            self.pidfds[pid] = os.pidfd_open(pid)
        except ProcessLookupError:
            self.exit_times[pid] = self.now()

    def gone(self, pid):
        """Only what pump() has noted: a look at /proc here could see an
        exit whose last datagrams have not been read yet."""
        return pid in self.exit_times

    def reap(self):
        """Reap every child that has exited: the started process, and the
        orphans that came to us as subreaper."""
        while True:
            try:
                info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG)
            except ChildProcessError:
                return
            if info is None:
                return
            kind = "status" if info.si_code == os.CLD_EXITED else "signal"
            self.exits[info.si_pid] = (kind, info.si_status)
            self.exit_times.setdefault(info.si_pid, self.now())
            self.note(f"pid {info.si_pid} ended with {describe_status(self.exits[info.si_pid])}")

    def receive(self):
        """Every datagram waiting on the notify socket, with its sender."""
        while True:
            try:
                data, anc, _, _ = self.notify.recvmsg(
                    4096, socket.CMSG_SPACE(struct.calcsize("iII")), socket.MSG_DONTWAIT)
            except BlockingIOError:
                return
            pid = 0
            for level, kind, cdata in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                    pid = struct.unpack("iII", cdata[:12])[0]
            d = Datagram(self.now(), pid, data.decode(errors="replace"), self.main)
            self.datagrams.append(d)
            self.note(f"datagram from {pid}{' (main)' if pid == self.main else ''}: "
                      f"{d.text.strip()!r}")
            self.take_mainpid(d)

    def take_mainpid(self, d):
        """MAINPID= is taken from the started process or a descendant, and
        must name a live descendant (or the started process)."""
        if "MAINPID" not in d.fields:
            return
        try:
            named = int(d.fields["MAINPID"])
        except ValueError:
            self.note(f"MAINPID={d.fields['MAINPID']!r} refused: not a number")
            return
        # Our tree is the service's: as subreaper we adopt what it orphans,
        # so a child whose parent (the started process) has exited is still
        # found here.
        family = {self.started} | set(descendants(self.me))
        if d.pid not in family:
            self.note(f"MAINPID={named} refused: sent by {d.pid}, not the started process or a descendant")
        elif named not in family or not alive(named):
            self.note(f"MAINPID={named} refused: not a live descendant")
        else:
            self.main = named
            d.main = named
            d.handover = True
            self.watch(named)
            self.note(f"main process is now {named}")

    def read_journal(self):
        try:
            data = os.read(self.journal_fd, 65536)
        except BlockingIOError:
            return
        if not data:
            os.close(self.journal_fd)
            self.journal_fd = None
            return
        self.journal_buf += data
        *lines, self.journal_buf = self.journal_buf.split(b"\n")
        self.journal += [line.decode(errors="replace") for line in lines]
        del self.journal[:-JOURNAL_KEEP]

    def read_client(self):
        try:
            data = self.client.recv(4096)
        except BlockingIOError:
            return
        except OSError as e:
            self.note(f"connection failed: {e.strerror}")
            self.close_client()
            return
        if data:
            if self.answered_at is None:
                self.answered_at = self.now()
                self.note(f"connection answered: {data.decode(errors='replace').strip()!r}")
            return
        if self.answered_at is None:    # accepted, and closed without a word
            self.answered_at = self.now()
            self.note("connection accepted and closed")
        self.close_client()

    def close_client(self):
        if self.client:
            self.client.close()
            self.client = None

    def pump(self, deadline, until=lambda: False):
        """Handle events until until() holds or the deadline (seconds since
        the start) passes. Exits first, then datagrams, then the question:
        a message queued before a process exits is always read before
        anything is decided on that exit."""
        ready = []
        while True:
            for pid, fd in list(self.pidfds.items()):
                if fd in ready:
                    os.close(fd)
                    del self.pidfds[pid]
                    self.exit_times.setdefault(pid, self.now())
                    self.note(f"pid {pid} exited")
            self.reap()
            self.receive()
            if self.journal_fd is not None and self.journal_fd in ready:
                self.read_journal()
            if self.client and self.client.fileno() in ready:
                self.read_client()
            left = deadline - self.now()
            if until() or left <= 0:
                return
            fds = [self.notify.fileno()] + list(self.pidfds.values())
            if self.journal_fd is not None:
                fds.append(self.journal_fd)
            if self.client:
                fds.append(self.client.fileno())
            ready, _, _ = select.select(fds, [], [], left)

    # ............................................................. start

    def make_notify_socket(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        if self.notify_kind == "abstract":
            name = f"zoons-{os.getpid()}-{os.path.basename(self.tmpdir)}"
            s.bind(b"\0" + name.encode())
            spec = "@" + name
        else:
            spec = os.path.join(self.tmpdir, "notify")
            s.bind(spec)
            # Reachable by a service that gives up root, as a manager's is.
            os.chmod(self.tmpdir, 0o711)
            os.chmod(spec, 0o666)
        s.setblocking(False)
        return s, spec

    def environment(self, pid):
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "NOTIFY_SOCKET": self.notify_spec}
        if self.sa:
            env.update(LISTEN_FDS="1", LISTEN_PID=str(pid), LISTEN_FDNAMES="zoo")
        if self.watchdog_ms:
            env.update(WATCHDOG_USEC=str(self.watchdog_ms * 1000), WATCHDOG_PID=str(pid))
        return env

    def spawn(self, path, journal_w):
        """fork and exec by hand: LISTEN_PID and WATCHDOG_PID must name the
        child, which only the child knows before its exec. A failed exec
        sends its errno over a close-on-exec pipe; EOF means it worked."""
        listen_fd = self.listener.fileno() if self.listener else None
        err_r, err_w = os.pipe()
        pid = os.fork()
        if pid > 0:
            os.close(err_w)
            with os.fdopen(err_r, "rb") as f:
                data = f.read()
            if data:
                os.waitpid(pid, 0)
                code = int(data)
                raise FileNotFoundError(f"{path}: {os.strerror(code)}")
            return pid
        try:
            os.close(err_r)
            os.setsid()
            os.chdir("/")
            os.umask(0o022)
            null = os.open("/dev/null", os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(journal_w, 1)
            os.dup2(journal_w, 2)
            if listen_fd is not None:
                os.dup2(listen_fd, 3)
                os.set_inheritable(3, True)
            os.set_inheritable(err_w, False)
            low = 4 if listen_fd is not None else 3
            os.closerange(low, err_w)
            os.closerange(err_w + 1, os.sysconf("SC_OPEN_MAX"))
            for sig in signal.valid_signals():
                if sig not in (signal.SIGKILL, signal.SIGSTOP):
                    try:
                        signal.signal(sig, signal.SIG_DFL)
                    except (OSError, ValueError):
                        pass
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
            os.execve(path, self.command, self.environment(os.getpid()))
        except OSError as e:
            os.write(err_w, str(e.errno).encode())
        finally:
            os._exit(127)

    def start(self):
        self.tmpdir = tempfile.mkdtemp(prefix="zoons.")
        self.notify, self.notify_spec = self.make_notify_socket()
        self.listener = None
        if self.sa:
            self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.listener.bind(("127.0.0.1", 0))
            self.listener.listen(16)
            self.listen_addr = self.listener.getsockname()
            self.listen_ino = os.fstat(self.listener.fileno()).st_ino
        journal_r, journal_w = os.pipe()
        self.journal_ino = os.fstat(journal_r).st_ino
        self.journal_fd, self.journal_buf = journal_r, b""
        os.set_blocking(journal_r, False)
        self.t0 = time.monotonic()
        self.started = self.main = self.spawn(self.path, journal_w)
        os.close(journal_w)
        self.watch(self.started)
        self.note(f"started pid {self.started}: {' '.join(self.command)}")

    # ........................................................... phases

    def accepted_ready(self):
        """The first READY=1 that the manager takes: from the main process
        as it was when the datagram came (MAINPID= in the same datagram
        counts), or None."""
        for d in self.datagrams:
            if d.says("READY") and (d.pid == d.main or d.handover):
                return d
        return None

    def refused_ready(self):
        return [d for d in self.datagrams if d.says("READY") and not (d.pid == d.main or d.handover)]

    def connect(self):
        self.client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.client.setblocking(False)
        self.client.connect_ex(self.listen_addr)
        self.connected_at = self.now()
        self.note(f"connecting to {self.listen_addr[0]}:{self.listen_addr[1]}")

    def wait_ready(self):
        """Until READY=1 is taken, the timeout, or the main process's end
        (a Type=notify service whose main process exits before READY=1
        has failed)."""
        self.pump(self.timeout, lambda: self.accepted_ready() or self.gone(self.main))
        self.ready = self.accepted_ready()
        self.ready_wait_end = self.now()
        if self.sa:
            self.connect()

    def service_processes(self):
        return {pid: st for pid, st in descendants(self.me).items() if st[0] not in ("Z", "X")}

    def topmost(self):
        procs = self.service_processes()
        if not procs:
            return None
        # The one closest to us: the supervisor, not its workers.
        return min(procs, key=lambda p: (procs[p][1] != self.me, p))

    def inspect(self):
        table = process_table()
        procs = descendants(self.me, table)
        live = [p for p, st in procs.items() if st[0] not in ("Z", "X")]
        self.seen = {
            "live": live,
            "main_alive": alive(self.main),
            "zombies": [p for p, (s, pp) in procs.items() if s == "Z" and pp != self.me],
            "stdio": self.stdio_of(self.main if alive(self.main) else self.topmost()),
            "own_listeners": self.own_listeners(live) if self.sa else [],
        }
        self.note(f"inspected: live {sorted(live)}, main {self.main} "
                  f"{'alive' if self.seen['main_alive'] else 'gone'}")

    def stdio_of(self, pid):
        if pid is None:
            return None
        out = {}
        for fd in (1, 2):
            try:
                out[fd] = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                out[fd] = None
        return out

    def own_listeners(self, pids):
        """Listening TCP sockets held by the service, other than the one
        passed to it."""
        listening = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                with open(table) as f:
                    for line in list(f)[1:]:
                        cols = line.split()
                        if cols[3] == TCP_LISTEN:
                            listening.add(int(cols[9]))
            except OSError:
                pass
        found = []
        for pid in pids:
            try:
                fds = os.listdir(f"/proc/{pid}/fd")
            except OSError:
                continue
            for fd in fds:
                try:
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                if target.startswith("socket:["):
                    ino = int(target[8:-1])
                    if ino in listening and ino != self.listen_ino:
                        found.append(f"{pid} fd {fd}")
        return found

    def send(self, pid, sig):
        fd = os.pidfd_open(pid)
        try:
            signal.pidfd_send_signal(fd, sig)
        finally:
            os.close(fd)

    def reload(self):
        self.hup_at = None
        self.hup_target = self.main if alive(self.main) else None
        if self.hup_target is None:
            return
        self.hup_at = self.now()
        self.send(self.hup_target, signal.SIGHUP)
        self.note(f"SIGHUP to {self.hup_target}")
        self.pump(self.hup_at + self.settle)

    def stop(self):
        self.term_at = None
        self.killed = None
        self.target = self.main if alive(self.main) else self.topmost()
        if self.target is None:
            return
        self.watch(self.target)
        self.term_at = self.now()
        self.send(self.target, signal.SIGTERM)
        self.note(f"SIGTERM to {self.target}")
        self.pump(self.term_at + self.timeout, lambda: self.gone(self.target))
        if not self.gone(self.target):
            self.killed = self.target
            self.send(self.target, signal.SIGKILL)
            self.note(f"{self.target} still running after {self.timeout}s: SIGKILL")
            self.pump(self.now() + self.timeout, lambda: self.gone(self.target))

    def sweep(self):
        """Whatever is left once the main process has gone is a leftover:
        named, killed and reaped."""
        self.reap()
        self.leftovers = sorted(self.service_processes())
        deadline = self.now() + self.timeout
        while self.service_processes() and self.now() < deadline:
            for pid in self.service_processes():
                self.watch(pid)
                try:
                    self.send(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.pump(deadline, lambda: not self.service_processes())
        if self.leftovers:
            self.note(f"left after the stop, killed: {self.leftovers}")
        # The journal's last lines: every writer is dead, so EOF is near.
        self.pump(self.now() + self.timeout, lambda: self.journal_fd is None)

    def execute(self):
        # Resolved here: the service starts in /, where a relative path fails.
        self.path = shutil.which(self.command[0], path="/usr/local/bin:/usr/bin:/bin") \
            if "/" not in self.command[0] else os.path.abspath(self.command[0])
        if not self.path or not os.access(self.path, os.X_OK):
            raise FileNotFoundError(f"{self.command[0]}: not found or not executable")
        try:
            self.start()
            self.wait_ready()
            # The settle time starts once the connection is made, and an
            # answer counts only if it was read before it ended (before the
            # SIGHUP that ends ready-early's wait): no race either way.
            self.pump(self.now() + self.settle)
            self.settle_end = self.now()
            self.inspect()
            self.reload()
            self.stop()
            self.sweep()
        finally:
            self.cleanup()
        self.judge()
        return self

    def cleanup(self):
        for pid in list(self.service_processes()) if self.started else []:
            try:
                self.send(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for fd in self.pidfds.values():
            os.close(fd)
        self.pidfds = {}
        self.close_client()
        if getattr(self, "journal_fd", None) is not None:
            os.close(self.journal_fd)
            self.journal_fd = None
        for s in (getattr(self, "notify", None), getattr(self, "listener", None)):
            if s:
                s.close()
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
        # Everything we started is dead by now: a blocking reap cannot hang.
        while True:
            try:
                info = os.waitid(os.P_ALL, 0, os.WEXITED)
            except ChildProcessError:
                break
            if info is None:
                break

    # ........................................................ verdicts

    def verdict(self, check, status, observed):
        self.verdicts[check] = (status, observed)

    def judge(self):
        self.judge_running()
        self.judge_ready()
        self.judge_reload()
        self.judge_stop()
        self.judge_socket_activation()
        self.judge_watchdog()
        self.judge_logs()

    def judge_running(self):
        live = self.seen["live"]
        self.verdict("daemon-running", "pass" if live else "fail",
                     f"running after the settle time: {sorted(live)}" if live else "no process left after the settle time")
        z = self.seen["zombies"]
        self.verdict("no-zombies", "fail" if z else "pass", f"zombies: {z}" if z else "no zombie children")
        if self.seen["main_alive"]:
            self.verdict("stays-foreground", "pass", f"main process {self.main} alive after the settle time")
        else:
            how = describe_status(self.exits.get(self.main))
            self.verdict("stays-foreground", "fail",
                         f"main process {self.main} ended ({how}) before the settle time was over")

    def judge_ready(self):
        refused = [f"READY=1 from {d.pid}, not the main process {d.main} "
                   f"(systemd: reception only permitted for main PID)" for d in self.refused_ready()]
        if not self.ready:
            why = "; ".join(refused) or "no READY=1 arrived"
            self.verdict("notify-ready", "fail", f"no READY=1 from the main process within {self.timeout}s: {why}")
            return
        observed = f"READY=1 from {self.ready.pid} at {self.ready.t * 1000:.0f} ms"
        if self.sa:
            if self.answered_at is None or self.answered_at > self.settle_end:
                state = "never answered" if self.answered_at is None else \
                    f"answered only after {(self.answered_at - self.connected_at) * 1000:.0f} ms"
                self.verdict("notify-ready", "fail",
                             f"{observed}; the connection made then was {state}, "
                             f"not within the settle time ({self.settle * 1000:.0f} ms)")
                return
            observed += f"; connection answered after {(self.answered_at - self.connected_at) * 1000:.0f} ms"
        self.verdict("notify-ready", "pass", observed)

    def judge_reload(self):
        if self.hup_at is None:
            self.verdict("reload-on-sighup", "skip", "no main process to send SIGHUP to")
            return
        target = self.hup_target
        if target in self.exit_times and self.exit_times[target] <= self.hup_at + self.settle:
            self.verdict("reload-on-sighup", "fail",
                         f"main process {target} ended after SIGHUP ({describe_status(self.exits.get(target))})")
            return
        after = [d for d in self.datagrams if d.t >= self.hup_at and d.pid == target
                 and d.t <= self.hup_at + self.settle]
        problems = []
        for i, d in enumerate(after):
            if not d.says("RELOADING"):
                continue
            mono = d.fields.get("MONOTONIC_USEC")
            if mono is None or not mono.isdigit():
                problems.append("RELOADING=1 without MONOTONIC_USEC=")
            elif int(mono) > time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000:
                problems.append(f"MONOTONIC_USEC={mono} is in the future")
            if not any(e.says("READY") for e in after[i + 1:]):
                problems.append("no READY=1 after RELOADING=1")
        if problems:
            self.verdict("reload-on-sighup", "fail", "; ".join(problems))
        else:
            said = "RELOADING=1 then READY=1" if any(d.says("RELOADING") for d in after) else "no reload announced"
            self.verdict("reload-on-sighup", "pass", f"survived SIGHUP; {said}")

    def judge_stop(self):
        if self.term_at is None:
            self.verdict("stops-on-sigterm", "skip", "nothing left to stop")
            self.verdict("notify-stopping", "skip", "nothing left to stop")
        else:
            t = self.target
            stopping = [d for d in self.datagrams if d.pid == t and d.says("STOPPING") and d.t >= self.term_at]
            if self.killed:
                self.verdict("stops-on-sigterm", "fail", f"{t} still running {self.timeout}s after SIGTERM")
                self.verdict("notify-stopping", "pass" if stopping else "skip",
                             "STOPPING=1 arrived" if stopping else f"{t} never stopped")
            else:
                end = self.exits.get(t)
                ok = end is None or end in (("status", 0), ("signal", signal.SIGTERM))
                took = (self.exit_times[t] - self.term_at) * 1000
                self.verdict("stops-on-sigterm", "pass" if ok else "fail",
                             f"{t} ended with {describe_status(end)} {took:.0f} ms after SIGTERM")
                self.verdict("notify-stopping", "pass" if stopping else "fail",
                             f"STOPPING=1 from {t} before its exit" if stopping else f"no STOPPING=1 from {t} before its exit")
        left = [p for p in self.leftovers if p != self.killed]
        self.verdict("no-leftovers", "fail" if left else "pass", f"left: {left}" if left else "nothing left")

    def judge_socket_activation(self):
        if not self.sa:
            self.verdict("socket-activation", "skip", "without --socket-activation")
            return
        own = self.seen["own_listeners"]
        stop_at = self.term_at if self.term_at is not None else self.now()
        answered = self.answered_at is not None and self.answered_at <= stop_at
        if own or not answered:
            problems = ([f"listening sockets of its own: {', '.join(own)}"] if own else []) + \
                ([] if answered else ["the connection to descriptor 3 was never answered"])
            self.verdict("socket-activation", "fail", "; ".join(problems))
        else:
            self.verdict("socket-activation", "pass", "served on descriptor 3, no listening socket of its own")

    def judge_watchdog(self):
        if not self.watchdog_ms:
            self.verdict("watchdog", "skip", "without --watchdog")
            return
        if not self.ready:
            # The checker's reading: the interval runs from READY=1.
            self.verdict("watchdog", "skip", "no READY=1: no interval to judge")
            return
        start = self.ready.t
        end = self.term_at if self.term_at is not None else self.exit_times.get(self.main, self.now())
        pings = [d.t for d in self.datagrams if d.says("WATCHDOG") and d.pid == d.main and start <= d.t <= end]
        others = sorted({d.pid for d in self.datagrams if d.says("WATCHDOG") and d.pid != d.main})
        gaps = [b - a for a, b in zip([start] + pings, pings + [end])]
        worst = max(max(gaps), 0) * 1000
        observed = f"{len(pings)} pings from the main process, longest silence {worst:.0f} ms"
        if others:
            observed += f"; pings from other processes, not counted: {others}"
        self.verdict("watchdog", "pass" if worst <= self.watchdog_ms else "fail", observed)

    def judge_logs(self):
        stdio = self.seen["stdio"]
        if stdio is None:
            self.verdict("logs-to-stderr", "skip", "no process to look at")
            return
        journal = f"pipe:[{self.journal_ino}]"
        wrong = {fd: t for fd, t in stdio.items() if t != journal}
        self.verdict("logs-to-stderr", "fail" if wrong else "pass",
                     f"not the journal: {wrong}" if wrong else "stdout and stderr on the journal pipe")

    def failed(self):
        """Checks that failed or warned, as the checker's report lists them."""
        return {c for c, (s, _) in self.verdicts.items() if s == "fail"}

    def exit_status(self):
        required = self.failed() - WARN_ONLY
        return 1 if required else 0


# ------------------------------------------------------------------ main

def print_run(run):
    print(f"harness: {' '.join(run.command)}")
    for t, text in run.timeline:
        print(f"  {t * 1000:7.0f} ms  {text}")
    for line in run.journal[-10:]:
        print(f"  journal: {line}")
    for check in CHECKS:
        status, observed = run.verdicts[check]
        shown = "WARN" if status == "fail" and check in WARN_ONLY else status.upper()
        print(f"  {shown:4}  {check:18} {observed}")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--socket-activation", action="store_true")
    p.add_argument("--watchdog", type=int, metavar="MS")
    p.add_argument("--notify-socket", choices=("path", "abstract"), default="path")
    p.add_argument("--timeout", type=float, default=5.0)
    p.add_argument("--settle", type=int, default=250, metavar="MS")
    p.add_argument("--profile", choices=("new-style",), default="new-style")
    p.add_argument("--json", action="store_true")
    p.add_argument("command", nargs=argparse.REMAINDER)
    args = p.parse_args(argv)
    if args.command and args.command[0] == "--":
        args.command = args.command[1:]
    if not args.command:
        p.error("no command")
    return args


def run_options(args):
    return dict(socket_activation=args.socket_activation, watchdog_ms=args.watchdog,
                notify_kind=args.notify_socket, timeout=args.timeout, settle_ms=args.settle)


def main():
    args = parse_args(sys.argv[1:])
    become_subreaper()
    try:
        run = Run(args.command, **run_options(args)).execute()
    except FileNotFoundError as e:
        print(f"harness: fatal: unable to start {e}", file=sys.stderr)
        return 2
    if args.json:
        json.dump({"verdicts": run.verdicts, "journal": run.journal,
                   "notify": [{"ms": round(d.t * 1000), "pid": d.pid, "message": d.text}
                              for d in run.datagrams]}, sys.stdout, indent=1)
        print()
    else:
        print_run(run)
    return run.exit_status()


if __name__ == "__main__":
    sys.exit(main())
