#!/usr/bin/env python3
"""12-new-style.py: the starting point of exercise 12 (new-style: under a
service manager).

A small TCP service written the classic way, as steps 1 to 11 taught: it
daemonizes, logs to syslog, listens on a socket of its own and answers each
connection with one line, its greeting; SIGHUP re-reads the greeting,
SIGTERM stops it. Started from a shell it is a correct classic daemon.
Started by a service manager, most of its start-up is wrong, and the manager
hears nothing from it. Each TODO marks one thing to change. Standard library
only; grade it with `make exercise 12 LANG=python`. Usage:

    python3 12-new-style.py [GREETING-FILE]

(the first line of the file is the greeting; without it, "hello").
"""
import os
import select
import signal
import socket
import sys
import syslog

PROG = "12-new-style"
# 0: the kernel picks a free port (a real service has a fixed one; here two
# copies must never collide). The port is logged.
PORT = 0


def log(text):
    # TODO step 12: the journal is stderr: print there, one line per
    # message ("12-new-style: info: ..."), instead of to syslog.
    syslog.syslog(syslog.LOG_INFO, text)


def fatal(what, exc):
    print(f"{PROG}: fatal: unable to {what}: {exc.strerror}", file=sys.stderr)
    sys.exit(1)


class Service:
    def __init__(self, greeting_file):
        self.greeting_file = greeting_file
        self.greeting = "hello"
        self.listener = None
        self.wake_r = self.wake_w = None    # signals arrive here as bytes

    def load_greeting(self):
        """The first line of the greeting file, if there is one."""
        try:
            with open(self.greeting_file or "", encoding="utf-8", errors="replace") as f:
                self.greeting = f.readline().rstrip("\r\n") or self.greeting
        except OSError:
            pass

    def listen_on_own(self):
        """127.0.0.1:PORT, listening; the port it got is logged."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", PORT))
        sock.listen(socket.SOMAXCONN)
        log(f"serving on 127.0.0.1:{sock.getsockname()[1]}")
        return sock

    def signal_events(self):
        """Handlers that do nothing: the C-level handler writes each
        signal's number into a socket that the loop polls."""
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_r.setblocking(False)
        self.wake_w.setblocking(False)
        signal.set_wakeup_fd(self.wake_w.fileno(), warn_on_full_buffer=False)
        for signum in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: None)

    def answer(self):
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return              # that client's trouble, not ours
        with conn:
            conn.sendall((self.greeting + "\n").encode())

    def reload(self):
        # TODO step 12: tell the manager first: "RELOADING=1" and, in the
        # same datagram, "MONOTONIC_USEC=" the CLOCK_MONOTONIC time in
        # microseconds.
        self.load_greeting()
        log(f'reloaded: greeting "{self.greeting}"')
        # TODO step 12: then "READY=1" again: the reload is over.

    def serve(self):
        """Until SIGTERM or SIGINT."""
        poller = select.poll()
        poller.register(self.wake_r, select.POLLIN)
        poller.register(self.listener, select.POLLIN)
        while True:
            # TODO step 12: with a watchdog (WATCHDOG_USEC set, and
            # WATCHDOG_PID unset or our pid), send "WATCHDOG=1" every half
            # interval: wake for it with poll()'s timeout.
            ready = {fd for fd, _ in poller.poll()}
            if self.wake_r.fileno() in ready:
                for signum in self.wake_r.recv(64):
                    if signum != signal.SIGHUP:
                        return
                    self.reload()
            if self.listener.fileno() in ready:
                self.answer()


def daemonize():
    """Steps 1 to 11: the classic start-up."""
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    for signum in signal.valid_signals() - {signal.SIGKILL, signal.SIGSTOP}:
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    if os.fork() > 0:
        os._exit(0)
    syslog.openlog(PROG, syslog.LOG_PID | syslog.LOG_NDELAY, syslog.LOG_DAEMON)
    os.setsid()
    if os.fork() > 0:
        os._exit(0)
    os.chdir("/")
    os.umask(0)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)


def main():
    service = Service(sys.argv[1] if len(sys.argv) > 1 else None)
    # TODO step 12: the service manager has already done all of this, and
    # more (see the tutorial's page): no closerange(), no fork, no setsid,
    # no chdir, no umask, no /dev/null on 0-2, no syslog. The process the
    # manager started must stay the service. closerange() would even close
    # the socket the manager passes as descriptor 3.
    try:
        daemonize()
    except OSError as exc:
        fatal("daemonize", exc)

    # TODO step 12: take in the manager's variables, then remove them all
    # from os.environ (NOTIFY_SOCKET, LISTEN_PID, LISTEN_FDS,
    # LISTEN_FDNAMES, WATCHDOG_USEC, WATCHDOG_PID), so that no child ever
    # takes them for its own.
    service.signal_events()
    service.load_greeting()
    # TODO step 12: when LISTEN_PID is our pid and LISTEN_FDS is 1 or more,
    # serve on descriptor 3, the socket the manager passed; only otherwise
    # listen on a socket of our own.
    try:
        service.listener = service.listen_on_own()
    except OSError as exc:
        fatal("listen on 127.0.0.1", exc)
    # TODO step 12: now, and not before, the service can serve: send
    # "READY=1" to the AF_UNIX datagram address in NOTIFY_SOCKET (a path,
    # or an abstract name written with a leading '@').
    service.serve()
    # TODO step 12: say "STOPPING=1" first.
    log("stopping")
    service.listener.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
