#!/usr/bin/env python3
"""12-new-style.py: an answer to exercise 12 (new-style: under a service
manager): the starting file's service, made a new-style one.

It no longer daemonizes: the process the manager started is the service, in
the session, directory, umask and descriptors the manager gave it, and
stderr, the journal, is its log. It tells the manager how it is doing
through NOTIFY_SOCKET: READY=1 once it can serve, RELOADING=1 (with
MONOTONIC_USEC=) then READY=1 around a reload, WATCHDOG=1 every half
watchdog interval, STOPPING=1 on the way out. It serves on the socket the
manager passes (LISTEN_FDS), and on one of its own only when none is.
Standard library only. Usage:

    python3 12-new-style.py [GREETING-FILE]

(the first line of the file is the greeting; without it, "hello").
"""
import os
import select
import signal
import socket
import sys
import time

PROG = "12-new-style"
# 0: the kernel picks a free port (a real service has a fixed one; here two
# copies must never collide). The port is logged.
PORT = 0
LISTEN_FDS_START = 3    # the first socket a manager passes
# The manager's variables: read, then removed, so that no child ever takes
# them for its own (its READY=1 would be refused, or worse, believed).
MANAGER_VARIABLES = ("NOTIFY_SOCKET", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES",
                     "WATCHDOG_USEC", "WATCHDOG_PID")


def log(text):
    """The journal is stderr: one line per message."""
    print(f"{PROG}: info: {text}", file=sys.stderr, flush=True)


def fatal(what, exc):
    print(f"{PROG}: fatal: unable to {what}: {exc.strerror}", file=sys.stderr)
    sys.exit(1)


class Notifier:
    """Datagrams of KEY=VALUE lines to NOTIFY_SOCKET; a no-op without it."""

    def __init__(self, address):
        self.sock = self.address = None
        if not address:
            return
        if address[0] not in "/@":
            log(f"NOTIFY_SOCKET={address}: not an address this service can use")
            return
        # An abstract name starts with a NUL byte instead of the '@'. As
        # bytes, its length is exactly its bytes: no terminating NUL.
        self.address = b"\0" + os.fsencode(address[1:]) if address[0] == "@" else address
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)

    def send(self, *lines):
        """One datagram. A failure is logged, never fatal."""
        if self.sock is None:
            return
        try:
            self.sock.sendto("\n".join(lines).encode(), self.address)
        except OSError as exc:
            log(f"unable to notify the service manager: {exc.strerror}")


def watchdog_half(usec, pid):
    """Half the watchdog interval in seconds, or None: no pings are ours to
    send (no watchdog, or WATCHDOG_PID names another process)."""
    if not usec or (pid and int(pid) != os.getpid()):
        return None
    return int(usec) / 2e6


def passed_socket(listen_pid, listen_fds):
    """Descriptor 3 as a socket when the manager passed sockets to this very
    process, else None."""
    if not listen_pid or not listen_fds or int(listen_pid) != os.getpid() or int(listen_fds) < 1:
        return None
    sock = socket.socket(fileno=LISTEN_FDS_START)
    sock.set_inheritable(False)     # passed across the manager's exec; ours alone now
    log(f"serving on descriptor {LISTEN_FDS_START}, passed by the service manager")
    return sock


class Service:
    def __init__(self, greeting_file, notifier, half):
        self.greeting_file = greeting_file
        self.greeting = "hello"
        self.listener = None
        self.wake_r = self.wake_w = None    # signals arrive here as bytes
        self.notifier = notifier
        self.half = half                    # seconds between pings, or None

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
        self.notifier.send("RELOADING=1",
                           f"MONOTONIC_USEC={time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000}")
        self.load_greeting()
        log(f'reloaded: greeting "{self.greeting}"')
        self.notifier.send("READY=1")

    def serve(self):
        """Until SIGTERM or SIGINT; WATCHDOG=1 every half interval."""
        poller = select.poll()
        poller.register(self.wake_r, select.POLLIN)
        poller.register(self.listener, select.POLLIN)
        next_ping = time.monotonic() + self.half if self.half else None
        while True:
            timeout = None if next_ping is None else \
                max(0, (next_ping - time.monotonic()) * 1000)
            ready = {fd for fd, _ in poller.poll(timeout)}
            # Pinged from the loop itself: a loop that hangs stops the pings.
            if next_ping is not None and time.monotonic() >= next_ping:
                self.notifier.send("WATCHDOG=1")
                next_ping = time.monotonic() + self.half
            if self.wake_r.fileno() in ready:
                for signum in self.wake_r.recv(64):
                    if signum != signal.SIGHUP:
                        return
                    self.reload()
            if self.listener.fileno() in ready:
                self.answer()


def main():
    # No closerange(), fork, setsid, chdir, umask, /dev/null or syslog: the
    # manager has done all that, and this process stays the service.
    env = os.environ
    notifier = Notifier(env.get("NOTIFY_SOCKET"))
    half = watchdog_half(env.get("WATCHDOG_USEC"), env.get("WATCHDOG_PID"))
    passed = passed_socket(env.get("LISTEN_PID"), env.get("LISTEN_FDS"))
    for name in MANAGER_VARIABLES:
        env.pop(name, None)     # no thread yet: nothing races

    service = Service(sys.argv[1] if len(sys.argv) > 1 else None, notifier, half)
    service.signal_events()
    service.load_greeting()
    try:
        service.listener = passed if passed is not None else service.listen_on_own()
    except OSError as exc:
        fatal("listen on 127.0.0.1", exc)
    notifier.send("READY=1")
    service.serve()
    notifier.send("STOPPING=1")
    log("stopping")
    service.listener.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
