"""daemon.py: the seed's Daemon class, made correct (Python 3, standard library only).

Subclass Daemon, override run() (and reload() for SIGHUP), then call start()
in the launcher: it returns the daemon's pid once the daemon runs and its
pidfile exists, or raises DaemonError with the daemon's own reason.

What happens, in the order of systemd's daemon(7) "SysV" list:

  launcher     creates a readiness pipe, forks, then waits on the pipe
  1st child    resets every signal and the signal mask, closes every
               inherited descriptor, setsid(), forks, and leaves (os._exit)
  daemon       stdio on /dev/null (or the given files), umask(0), chdir("/"),
               pidfile created and locked (after the last fork: fcntl locks
               are not inherited), then "ready PID" on the pipe; run()
  on SIGTERM   the handler raises SystemExit in the main thread, run()
               unwinds, the pidfile is removed, the daemon exits 0

The launcher exits only after the pidfile exists: a parent that returns
first leaves a race for every script (and systemd Type=forking) that reads
the pidfile right after the start command returned.

Library code: failures raise DaemonError ("unable to VERB OBJECT: reason"),
nothing is printed; the forked processes end with os._exit, never by
returning into the caller's code. Call start() from the main thread of a
process that runs no other thread (signal handlers can only be installed
from the main thread, and fork keeps only the calling thread). Open log files
and sockets in run(), not before: the daemon closes what it inherited.
"""

import collections
import math
import os
import select
import signal
import sys
import time
import traceback

import pidfile

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
RELOAD_SIGNAL = signal.SIGHUP
# Held back from the reset until run() starts: a stop request that arrives
# while the daemon starts is honoured then, with the pidfile in place.
_STARTUP_BLOCKED = frozenset(STOP_SIGNALS + (RELOAD_SIGNAL,))
# A fresh Python interpreter ignores these two, so that a broken pipe or an
# oversized file raise OSError instead of killing the process; Python code
# is written for that, so the daemon gets the interpreter's defaults.
_PYTHON_IGNORED = frozenset((signal.SIGPIPE, signal.SIGXFSZ))
_UNCATCHABLE = frozenset((signal.SIGKILL, signal.SIGSTOP))

LOG_MODE = 0o640    # stdout/stderr files created under umask(0)

RUNNING, STALE, STOPPED = "running", "stale", "stopped"
Status = collections.namedtuple("Status", "state pid")
Status.__doc__ = """What status() found: RUNNING with the lock holder's pid,
STALE with the pid written in an unlocked pidfile (None if unreadable),
or STOPPED (no pidfile) with None."""


class DaemonError(Exception):
    """A step failed; str() reads "unable to VERB OBJECT: reason"."""


def _error(what, reason):
    return DaemonError(f"unable to {what}: {reason}")


def _step(what, call, *args):
    """call(*args), with an OSError turned into DaemonError naming the step."""
    try:
        return call(*args)
    except OSError as exc:
        raise _error(what, exc.strerror or exc) from None


class Daemon:
    """A SysV daemon: subclass it and override run()."""

    ready_timeout = 10.0    # bound on the launcher's wait for "ready"
    stop_timeout = 10.0     # bound on stop()'s wait for the exit

    def __init__(self, pidfile, stdin="/dev/null", stdout="/dev/null",
                 stderr="/dev/null"):
        # Absolute now: the daemon resolves them after chdir("/").
        self.pidfile = os.path.abspath(pidfile)
        self.stdin = os.path.abspath(stdin)
        self.stdout = os.path.abspath(stdout)
        self.stderr = os.path.abspath(stderr)
        self.stop_signal = None     # the signal that asked the daemon to stop
        self._held = None           # our locked pidfile.Pidfile, in the daemon
        self._ready_fd = -1         # write end of the readiness pipe
        self._in_run = False        # a stop signal raises only inside run()
        self._reload_requested = False

    # ---- to override ---------------------------------------------------

    def run(self):
        """The daemon's work. The default sleeps until a signal comes (no
        wake-up at all while idle) and calls reload() on each SIGHUP; SIGTERM
        ends it by raising SystemExit(0) wherever it waits."""
        while True:
            self.wait_for_reload()
            self.reload()

    def reload(self):
        """Called by the default run() on SIGHUP: re-open logs, re-read config."""

    # ---- in the launcher -----------------------------------------------

    def start(self):
        """Start the daemon; return its pid once it runs and owns the pidfile."""
        read_fd, write_fd = os.pipe()   # close-on-exec, as os.pipe makes them
        _flush_stdio()      # else buffered output is written once per process
        try:
            child = os.fork()
        except OSError as exc:
            os.close(read_fd)
            os.close(write_fd)
            raise _error("fork", exc.strerror) from None
        if child == 0:
            os.close(read_fd)
            self._ready_fd = write_fd
            self._become_daemon()   # never returns
        os.close(write_fd)
        try:
            report = _read_until_eof(read_fd, self.ready_timeout)
        finally:
            os.close(read_fd)
            os.waitpid(child, 0)    # the first child leaves right after its fork
        return _parse_report(report)

    def stop(self):
        """Ask the running instance to stop and wait until it has exited.

        Returns the pid that was stopped, or None when none runs (a stale
        pidfile is left for the next start to take over). Only the process
        that holds the pidfile's lock is signalled, through a pidfd, so a pid
        reused between the check and the signal cannot be hit. Call it (and
        status()) from another process, never from the daemon: opening its
        own pidfile and closing it again would drop the daemon's lock.
        """
        pid = self._running_pid("stop")
        if pid is None:
            return None
        try:
            pidfd = os.pidfd_open(pid)
        except ProcessLookupError:
            return pid      # it exited between our two looks
        try:
            # The pidfd pins this very process: if it still holds the lock,
            # it is our daemon; if not, it is already on its way out.
            if self._inspect("stop").holder == pid:
                _signal_pidfd(pidfd, signal.SIGTERM)
            if not _wait_readable(pidfd, self.stop_timeout):
                raise _error(f"stop pid {pid}",
                             f"still running after {self.stop_timeout:g} s")
        finally:
            os.close(pidfd)
        return pid

    def restart(self):
        """stop() then start(); returns the new pid."""
        self.stop()
        return self.start()

    def status(self):
        """Return a Status: RUNNING (lock held), STALE or STOPPED."""
        state = self._inspect("read")
        if state.holder is not None:
            return Status(RUNNING, state.holder)
        if state.exists:
            return Status(STALE, state.content)
        return Status(STOPPED, None)

    def run_in_foreground(self):
        """Run in this process, without detaching (for a supervisor that
        does it: systemd Type=simple, runit); return the exit status."""
        self._prepare_signals()
        return self._serve()

    # ---- in the forked processes ---------------------------------------

    def daemonize(self):
        """Detach the first child from what it inherited; returns in the daemon.

        start()'s fork is the first one: the readiness pipe must exist
        before it. Each step raises DaemonError naming itself.
        """
        self._prepare_signals()
        _step("close inherited descriptors", close_inherited_fds,
              (self._ready_fd,))
        _step("create a new session", os.setsid)
        if _step("fork", os.fork) != 0:
            os._exit(0)     # the session leader leaves, so the daemon never
                            # gets a controlling terminal again
        self._redirect_stdio()
        os.umask(0)
        _step("change directory to /", os.chdir, "/")

    def delpid(self):
        """Remove the pidfile this process holds, releasing its lock."""
        held, self._held = self._held, None
        if held is not None:
            held.remove()

    def wait_for_reload(self):
        """Sleep until SIGHUP (returns) or a stop signal (raises SystemExit).

        SIGHUP is blocked while the flag is tested, so one that arrives just
        before the wait stays pending and ends it: no wake-up is lost.
        """
        signal.pthread_sigmask(signal.SIG_BLOCK, (RELOAD_SIGNAL,))
        try:
            if not self._reload_requested:
                signal.sigwaitinfo((RELOAD_SIGNAL,))
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, (RELOAD_SIGNAL,))
        self._reload_requested = False

    def _become_daemon(self):
        status = 1
        try:
            self.daemonize()
            status = self._serve()
        except BaseException as exc:    # whatever happens, never return
            self._report_failure(exc)
        finally:
            _flush_stdio()
            os._exit(status)

    def _serve(self):
        """Own the pidfile, report readiness, run; the exit status."""
        try:
            self._acquire_pidfile()
            return self._run_guarded()
        finally:
            self.delpid()

    def _acquire_pidfile(self):
        try:
            self._held = pidfile.Pidfile.acquire(self.pidfile)
            self._held.write(os.getpid())
        except pidfile.AlreadyRunning as exc:
            raise _error(f"lock {self.pidfile}", _running_as(exc.pid)) from None
        except OSError as exc:
            raise _error(f"create pidfile {self.pidfile}",
                         exc.strerror or exc) from None

    def _run_guarded(self):
        try:
            self._in_run = True
            # Unblocked before "ready": the launcher returns on a daemon in
            # its final state. A stop request held back during the startup
            # lands here, and the launcher then hears no "ready" at all.
            signal.pthread_sigmask(signal.SIG_SETMASK, ())
            self._report_ready()
            self.run()
            status = 0
        except SystemExit as exc:
            status = _exit_status(exc.code)
        except BaseException:
            traceback.print_exc()   # to stderr: the daemon's log, if it has one
            status = 1
        finally:
            self._in_run = False
        return status

    def _prepare_signals(self):
        reset_signals(blocked=_STARTUP_BLOCKED)
        for signum in STOP_SIGNALS:
            signal.signal(signum, self._on_stop_signal)
        signal.signal(RELOAD_SIGNAL, self._on_reload_signal)

    def _on_stop_signal(self, signum, frame):
        # Python runs this in the main thread between two bytecodes, not in
        # the real handler, so raising here is safe: it unwinds run()
        # wherever it waits, and the finally clauses remove the pidfile.
        if self.stop_signal is not None:
            return      # already stopping: let the cleanup finish
        self.stop_signal = signum
        if self._in_run:
            raise SystemExit(0)

    def _on_reload_signal(self, signum, frame):
        self._reload_requested = True

    def _redirect_stdio(self):
        # Fds 0-2 stay open on something harmless: a closed one would be
        # handed to the next open(), and a stray print would land in it.
        for target, path, flags in (
                (0, self.stdin, os.O_RDONLY),
                (1, self.stdout, os.O_WRONLY | os.O_APPEND | os.O_CREAT),
                (2, self.stderr, os.O_WRONLY | os.O_APPEND | os.O_CREAT)):
            fd = _step(f"open {path}", os.open, path, flags | os.O_NOCTTY,
                       LOG_MODE)
            if fd != target:
                _step(f"redirect fd {target}", os.dup2, fd, target)
                if fd > 2:
                    os.close(fd)
            # os.open makes its descriptor close-on-exec; when it landed on
            # the closed target itself, no dup2 cleared that: a program the
            # daemon runs must inherit its standard descriptors.
            os.set_inheritable(target, True)

    def _report_ready(self):
        if self._ready_fd >= 0:
            self._send_report(f"ready {os.getpid()}\n")

    def _report_failure(self, exc):
        if isinstance(exc, DaemonError):
            text = str(exc)
        elif isinstance(exc, SystemExit):
            text = "unable to start daemon: stopped while starting"
        else:
            text = f"unable to start daemon: {type(exc).__name__}: {exc}"
        if self._ready_fd >= 0:
            self._send_report(f"error {text}\n")
        else:
            print(f"daemon: {text}", file=sys.stderr)

    def _send_report(self, text):
        fd, self._ready_fd = self._ready_fd, -1
        try:
            os.write(fd, text.encode())
        finally:
            os.close(fd)

    def _running_pid(self, verb):
        state = self._inspect(verb)
        if state.holder is None:
            return None
        if state.holder == 0:
            raise _error(f"{verb} the daemon of {self.pidfile}",
                         "its lock is held from another pid namespace")
        if state.content is not None and state.content != state.holder:
            raise _error(f"{verb} the daemon of {self.pidfile}",
                         f"it names pid {state.content} but pid "
                         f"{state.holder} holds its lock")
        return state.holder

    def _inspect(self, verb):
        return _step(f"{verb} pidfile {self.pidfile}", pidfile.inspect,
                     self.pidfile)


def reset_signals(blocked=()):
    """Give every signal its default action and block exactly `blocked`.

    A daemon inherits its launcher's ignored and blocked signals; left as
    they are, a SIGTERM that the launcher's shell ignored would never stop
    it. SIGPIPE and SIGXFSZ get the fresh interpreter's SIG_IGN instead.
    """
    signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    signal.set_wakeup_fd(-1)    # the launcher's, if any, is about to be closed
    for signum in signal.valid_signals():
        if signum in _UNCATCHABLE:
            continue
        action = signal.SIG_IGN if signum in _PYTHON_IGNORED else signal.SIG_DFL
        signal.signal(signum, action)


def close_inherited_fds(keep=()):
    """Close every descriptor above 2 but those in keep.

    The open ones are read from /proc/self/fd, so the cost follows what is
    open, not RLIMIT_NOFILE (looping close() to a limit of 1,048,576 takes
    seconds in a container). os.closerange is one close_range(2) call on
    Linux when Python is built against glibc 2.34 or later, and a close()
    loop up to the highest open descriptor otherwise.
    """
    try:
        end = max(int(name) for name in os.listdir("/proc/self/fd")) + 1
    except FileNotFoundError:   # no /proc: the limit is the only bound left
        end = os.sysconf("SC_OPEN_MAX")
    low = 3
    for fd in sorted(k for k in keep if k >= low) + [end]:
        os.closerange(low, fd)
        low = fd + 1


def _running_as(pid):
    if pid == 0:
        return "already running (in another pid namespace)"
    return f"already running as pid {pid}"


def _exit_status(code):
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _flush_stdio():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass    # absent, closed or broken: nothing to duplicate


def _read_until_eof(fd, timeout):
    """All the bytes written to the pipe until its last writer closed it."""
    deadline = time.monotonic() + timeout
    chunks = []
    while True:
        if not _wait_readable(fd, deadline - time.monotonic()):
            raise _error("start daemon",
                         f"no readiness report within {timeout:g} s")
        chunk = os.read(fd, 4096)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _wait_readable(fd, timeout):
    """True once fd is readable, False after timeout seconds."""
    if timeout <= 0:
        timeout = 0
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(math.ceil(timeout * 1000)))


def _signal_pidfd(pidfd, signum):
    try:
        signal.pidfd_send_signal(pidfd, signum)
    except ProcessLookupError:
        pass    # already exited: that is what we wanted


def _parse_report(report):
    text = report.decode("utf-8", "replace").rstrip("\n")
    kind, _, rest = text.partition(" ")
    if kind == "ready" and rest.isdigit():
        return int(rest)
    if kind == "error" and rest:
        raise DaemonError(rest)
    raise _error("start daemon", "it exited before reporting readiness")
