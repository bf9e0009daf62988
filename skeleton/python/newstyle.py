"""newstyle.py: `mydaemon.py run`, the twin of skeleton/c/newstyle.c: the
example daemon as a new-style service under a service manager (daemon(7),
"New-Style Daemons"; systemd Type=notify).

It does not daemonize: no fork, no setsid, no pidfile, no redirection of
stdout or stderr. The manager has already done what `start` does by hand,
and stderr is its journal. The service is tiny but real, so that readiness
means something: a TCP service that answers each connection with one line
(its greeting) and closes it.

Its life, and what the manager hears through sdnotify.py:
  start     takes the manager's variables (notify socket, passed sockets,
            watchdog) and removes them from os.environ before any child
            exists; STATUS=starting
  listen    on descriptor 3 when the manager passed it (socket activation,
            listenfds.py), else on a socket of its own; READY=1 only then
  SIGHUP    RELOADING=1 with MONOTONIC_USEC=, re-reads the greeting,
            READY=1 again, then starts the reload hook, if any
  watchdog  WATCHDOG=1 every half interval: the poll timeout of the loop
  SIGTERM   STOPPING=1, closes the listener, exits 0

Signals become events: their handlers do nothing, and signal.set_wakeup_fd
writes each signal's number into a socket that the loop polls.
"""

import errno
import math
import os
import select
import signal
import socket
import subprocess
import sys
import time

import daemon
import listenfds
import sdnotify

PROG = "mydaemon"
DEFAULT_GREETING = "hello from mydaemon"
GREETING_MAX = 255          # bytes of the greeting file's first line
ACCEPTS_PER_WAKEUP = 64     # then signals and pings get their turn

# What the manager tells its service through the environment. A child would
# inherit these and take them for its own: with NOTIFY_SOCKET its messages
# look like ours, and a LISTEN_PID that matches a grandchild's pid hands it
# our socket.
MANAGER_VARIABLES = ("NOTIFY_SOCKET", "LISTEN_PID", "LISTEN_FDS",
                     "LISTEN_FDNAMES", "WATCHDOG_USEC", "WATCHDOG_PID")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
EVENT_SIGNALS = STOP_SIGNALS + (signal.SIGHUP, signal.SIGCHLD)


class StartError(Exception):
    """The service cannot start; str() reads "unable to VERB OBJECT: reason"."""


def report(level, text):
    """One line on stderr, the journal: "mydaemon: LEVEL: text"."""
    print(f"{PROG}: {level}: {text}", file=sys.stderr, flush=True)


def _reason(exc):
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


def load_greeting(path):
    """(greeting, found): the first line of the file, or the default when
    there is no path or no such file. Raises OSError otherwise."""
    if path is None:
        return DEFAULT_GREETING, True
    try:
        with open(path, "rb") as f:
            head = f.read(GREETING_MAX)
    except FileNotFoundError:
        return DEFAULT_GREETING, False
    return head.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8", "replace"), True


def describe(sock):
    """ "127.0.0.1:7007", "[::1]:7007", "/run/mydaemon.sock", "@name"."""
    name = sock.getsockname()
    if sock.family == socket.AF_INET:
        return f"{name[0]}:{name[1]}"
    if sock.family == socket.AF_INET6:
        return f"[{name[0]}]:{name[1]}"
    if isinstance(name, bytes):     # an abstract AF_UNIX name
        return "@" + name[1:].decode(errors="replace")
    return name or f"descriptor {sock.fileno()}"


def ensure_stdio():
    """/dev/null on whichever of fds 0-2 is closed: our first socket must
    not become stderr."""
    for fd in range(3):
        try:
            os.fstat(fd)
        except OSError as exc:
            if exc.errno != errno.EBADF:
                raise
            got = os.open(os.devnull, os.O_RDWR)
            if got != fd:
                os.dup2(got, fd)
                os.close(got)
            os.set_inheritable(fd, True)


class Service:
    """The new-style service; run() is its whole life."""

    def __init__(self, address, port, config=None, reload_hook=None):
        """address, port: where to listen when no socket is passed;
        config: the greeting file or None; reload_hook: a shell command
        run after each reload, or None."""
        self.address = address
        self.port = port
        self.config = config
        self.reload_hook = reload_hook
        self.notifier = sdnotify.Notifier(None)
        self.notify_failing = False
        self.passed = 0
        self.watchdog_usec = None
        self.listener = None
        self.where = ""
        self.greeting = DEFAULT_GREETING
        self.hook = None            # the reload hook's Popen while it runs
        self.next_ping = None       # monotonic time of the next WATCHDOG=1
        self._wake_r = self._wake_w = None

    def run(self):
        """Serve until SIGTERM or SIGINT; the exit status (0 after a clean stop)."""
        try:
            ensure_stdio()
            self.start()
        except StartError as exc:
            report("fatal", str(exc))
            self.close()
            return 1
        try:
            self.serve()
        finally:
            self.stop()
            self.close()
        return 0

    # ---- start -------------------------------------------------------

    def start(self):
        self.take_manager_environment()
        self.tell("STATUS=starting")
        self.trap_signals()
        try:
            self.greeting, found = load_greeting(self.config)
        except OSError as exc:
            raise StartError(f"unable to read {self.config}: {_reason(exc)}") from None
        if not found:
            report("info", f'no config file {self.config}: greeting "{self.greeting}"')
        self.listener = self.listen_on_passed() if self.passed else self.listen_on_own()
        self.where = describe(self.listener)
        if self.watchdog_usec:
            report("info", f"watchdog: WATCHDOG=1 every {self.watchdog_usec // 2} us")
            self.next_ping = time.monotonic() + self.watchdog_usec / 2e6
        report("info", f"serving on {self.where}"
               + (" (socket passed by the service manager)" if self.passed else ""))
        self.tell("READY=1", f"STATUS=serving on {self.where}")

    def take_manager_environment(self):
        """Read the manager's variables, then remove them all from
        os.environ (which unsets them in the process too): no thread and no
        child exists yet."""
        env = os.environ
        try:
            self.notifier = sdnotify.Notifier(env.get("NOTIFY_SOCKET"))
        except OSError as exc:
            report("warning", f"unable to use NOTIFY_SOCKET={env.get('NOTIFY_SOCKET')}: "
                              f"{_reason(exc)}")
        failure = None
        try:
            self.passed = listenfds.take(env.get("LISTEN_PID"), env.get("LISTEN_FDS"),
                                         os.getpid())
        except (OSError, ValueError) as exc:
            failure = StartError(
                "unable to take the sockets passed by the service manager "
                f"(LISTEN_PID={env.get('LISTEN_PID')}, LISTEN_FDS={env.get('LISTEN_FDS')}): "
                f"{_reason(exc)}")
        try:
            self.watchdog_usec = sdnotify.watchdog_usec(
                env.get("WATCHDOG_USEC"), env.get("WATCHDOG_PID"), os.getpid())
        except ValueError as exc:
            report("warning", f"unable to use the watchdog: {exc}")
        for name in MANAGER_VARIABLES:
            env.pop(name, None)
        if failure:
            raise failure

    def trap_signals(self):
        """The twin's reset first (a launcher such as nohup may have left
        SIGHUP ignored), then do-nothing handlers: the C-level handler
        writes the signal's number to the wake-up socket, which is the
        event the loop reads."""
        daemon.reset_signals()
        self._wake_r, self._wake_w = socket.socketpair()
        for sock in (self._wake_r, self._wake_w):
            sock.setblocking(False)
        signal.set_wakeup_fd(self._wake_w.fileno(), warn_on_full_buffer=False)
        for signum in EVENT_SIGNALS:
            signal.signal(signum, _ignore_here)

    def listen_on_passed(self):
        try:
            sock = listenfds.listening_stream(listenfds.START)
        except OSError as exc:
            raise StartError(f"unable to serve on descriptor {listenfds.START} passed by the "
                             f"service manager: not a listening stream socket: "
                             f"{_reason(exc)}") from None
        # Non-blocking, so that a connection reset between poll() and
        # accept() cannot block the loop; the manager's copy only polls.
        sock.setblocking(False)
        if self.passed > 1:
            report("info", f"serving on descriptor {listenfds.START} only, "
                           f"of the {self.passed} passed")
        return sock

    def listen_on_own(self):
        try:
            family, kind, proto, _, addr = socket.getaddrinfo(
                self.address, self.port, socket.AF_UNSPEC, socket.SOCK_STREAM, 0,
                socket.AI_PASSIVE | socket.AI_NUMERICHOST | socket.AI_NUMERICSERV)[0]
        except socket.gaierror as exc:
            raise StartError(f"unable to use address {self.address} port {self.port}: "
                             f"{exc.strerror}") from None
        sock = None
        try:
            sock = socket.socket(family, kind, proto)
            # A restart must not wait for the last instance's connections
            # to leave TIME_WAIT.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(addr)
            sock.listen(socket.SOMAXCONN)
        except OSError as exc:
            if sock is not None:
                sock.close()
            raise StartError(f"unable to listen on {self.address} port {self.port}: "
                             f"{_reason(exc)}") from None
        sock.setblocking(False)
        return sock

    # ---- the loop ----------------------------------------------------

    def serve(self):
        """One poll() with the watchdog's deadline as its only timeout;
        returns on a stop request."""
        poller = select.poll()
        poller.register(self._wake_r, select.POLLIN)
        poller.register(self.listener, select.POLLIN)
        while True:
            ready = {fd for fd, _ in poller.poll(self.poll_timeout())}
            self.ping_if_due()
            if self._wake_r.fileno() in ready and self.handle_signals():
                return
            if self.listener.fileno() in ready:
                self.answer_all()

    def poll_timeout(self):
        if self.next_ping is None:
            return None
        return max(0, math.ceil((self.next_ping - time.monotonic()) * 1000))

    def ping_if_due(self):
        if self.next_ping is None:
            return
        now = time.monotonic()
        if now < self.next_ping:
            return
        self.tell("WATCHDOG=1")
        half = self.watchdog_usec / 2e6
        # On the schedule, without drift; after a stall, from now.
        self.next_ping += half
        if self.next_ping <= now:
            self.next_ping = now + half

    def handle_signals(self):
        """Act on every signal received; True when one asks to stop."""
        try:
            numbers = self._wake_r.recv(512)
        except BlockingIOError:
            return False
        for signum in numbers:
            if signum == signal.SIGHUP:
                self.reload()
            elif signum == signal.SIGCHLD:
                self.reap_hook()
            elif signum in STOP_SIGNALS:
                report("info", f"stopping on {signal.Signals(signum).name}")
                return True
        return False

    def answer_all(self):
        for _ in range(ACCEPTS_PER_WAKEUP):
            try:
                conn, _ = self.listener.accept()
            except BlockingIOError:
                return
            except OSError as exc:
                if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    report("warning", f"unable to accept a connection: {_reason(exc)}")
                    return
                continue    # that connection's own trouble: the next may do
            self.answer(conn)

    def answer(self, conn):
        """One line, then close. What the client sent is read first, as far
        as it has arrived: closing with unread data resets the connection,
        and a reset can destroy our line before the client reads it."""
        with conn:
            conn.setblocking(False)
            try:
                conn.send((self.greeting + "\n").encode(), socket.MSG_NOSIGNAL)
                for _ in range(8):
                    if not conn.recv(512):
                        break
            except OSError:
                pass        # a client gone is no error of ours

    def reload(self):
        self.tell_reloading()
        report("info", "reloading on SIGHUP")
        try:
            self.greeting, found = load_greeting(self.config)
            report("info", f'greeting: "{self.greeting}"' + ("" if found else " (no config file)"))
        except OSError as exc:
            report("warning", f'unable to read {self.config}: {_reason(exc)}; '
                              f'the greeting stays "{self.greeting}"')
        self.tell("READY=1", f"STATUS=serving on {self.where}")
        self.start_hook()

    # ---- the reload hook ---------------------------------------------

    def start_hook(self):
        """/bin/sh -c HOOK, with os.environ as it is now (the manager's
        variables gone); subprocess closes our descriptors in the child and
        gives it SIGPIPE's default back."""
        if self.reload_hook is None:
            return
        if self.hook is not None:
            report("warning", f"reload hook (pid {self.hook.pid}) still running: "
                              "not started again")
            return
        try:
            self.hook = subprocess.Popen(["/bin/sh", "-c", self.reload_hook])
        except OSError as exc:
            report("warning", f"unable to start the reload hook: {_reason(exc)}")
            return
        report("info", f"reload hook started (pid {self.hook.pid})")

    def reap_hook(self):
        if self.hook is not None and self.hook.poll() is not None:
            self._report_hook_end()

    def _report_hook_end(self):
        pid, code = self.hook.pid, self.hook.returncode
        self.hook = None
        if code >= 0:
            report("info", f"reload hook (pid {pid}) exited with status {code}")
        else:
            report("warning", f"reload hook (pid {pid}) killed by "
                              f"{signal.Signals(-code).name}")

    # ---- stop --------------------------------------------------------

    def stop(self):
        self.tell("STOPPING=1", "STATUS=stopping")
        self.listener.close()
        if self.hook is not None:
            # Ours, and not reaped yet: its pid cannot have been reused.
            report("info", f"stopping the reload hook (pid {self.hook.pid})")
            self.hook.terminate()
            self.hook.wait()
            self._report_hook_end()
        report("info", "stopped")

    def close(self):
        if self._wake_w is not None:
            signal.set_wakeup_fd(-1)
            self._wake_r.close()
            self._wake_w.close()
            self._wake_r = self._wake_w = None
        if self.listener is not None:
            self.listener.close()
        self.notifier.close()

    # ---- notifications -----------------------------------------------

    def tell(self, *lines):
        self._notify(self.notifier.send, *lines)

    def tell_reloading(self):
        self._notify(self.notifier.reloading, "STATUS=reloading")

    def _notify(self, send, *lines):
        """A failure is logged once until a notification succeeds again,
        and never stops the service."""
        try:
            send(*lines)
        except OSError as exc:
            if not self.notify_failing:
                report("warning", f"unable to notify the service manager: {_reason(exc)}")
            self.notify_failing = True
        else:
            self.notify_failing = False


def _ignore_here(signum, frame):
    """The Python-level handler does nothing: the signal's number is already
    in the wake-up socket, where the loop reads it."""
