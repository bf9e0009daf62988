#!/usr/bin/env python3
"""newstyle_pitfalls.py: a minimal new-style service with one of step 12's
common mistakes planted in it, so that the tutorial's page
(docs/tutorial/12-new-style.md) can show what the checker says of each.

    python3 docs/tutorial/newstyle_pitfalls.py FAULT

It serves on the socket its manager passes (run it under
`checker --profile new-style --socket-activation --watchdog MS`), answers
each connection with one line, reloads on SIGHUP, stops on SIGTERM. FAULT:

  none                     no mistake: every check passes
  ready-too-early          READY=1 before the start-up work is done
  notify-from-child        READY=1 sent by a helper child that inherited
                           NOTIFY_SOCKET, not by the main process
  abstract-as-path         an '@' address used as if it were a file's path
  reloading-without-usec   RELOADING=1 without MONOTONIC_USEC=
  no-ready-after-reload    RELOADING=1, and never READY=1 again
  watchdog-from-child      WATCHDOG=1 sent by a helper child, which ignores
                           WATCHDOG_PID, instead of by the main loop

A demonstration, not a model: skeleton/python/newstyle.py is the model.
"""
import os
import select
import signal
import socket
import sys
import time

FAULTS = ("none", "ready-too-early", "notify-from-child", "abstract-as-path",
          "reloading-without-usec", "no-ready-after-reload", "watchdog-from-child")
START_UP_WORK = 1.0     # seconds of "loading" before the service can serve


def notify_address(value, fault):
    if fault == "abstract-as-path":
        return value                    # the mistake: "@name" taken for a file
    return b"\0" + os.fsencode(value[1:]) if value.startswith("@") else value


class Service:
    def __init__(self, fault):
        self.fault = fault
        self.address = notify_address(os.environ["NOTIFY_SOCKET"], fault)
        self.notifier = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        usec = os.environ.get("WATCHDOG_USEC")
        self.half = int(usec) / 2e6 if usec else None
        if os.environ.get("LISTEN_PID") != str(os.getpid()):
            sys.exit("newstyle_pitfalls: fatal: no socket passed (LISTEN_PID)")
        self.listener = socket.socket(fileno=3)
        self.helper = None              # the pinging child's pid, while it runs
        self.wake_r, wake_w = socket.socketpair()
        wake_w.setblocking(False)
        signal.set_wakeup_fd(wake_w.fileno())
        self._wake_w = wake_w
        for signum in (signal.SIGHUP, signal.SIGTERM):
            signal.signal(signum, lambda *_: None)

    def tell(self, *lines):
        try:
            self.notifier.sendto("\n".join(lines).encode(), self.address)
        except OSError as exc:
            print(f"newstyle_pitfalls: unable to notify: {exc.strerror}", file=sys.stderr)

    def in_child(self, work, wait):
        """Run work() in a child that inherited everything, NOTIFY_SOCKET
        too; wait for its end, or let it run until stop()."""
        pid = os.fork()
        if pid == 0:
            signal.set_wakeup_fd(-1)
            for signum in (signal.SIGHUP, signal.SIGTERM):
                signal.signal(signum, signal.SIG_DFL)
            work()
            os._exit(0)
        if wait:
            os.waitpid(pid, 0)
        else:
            self.helper = pid

    def ready(self):
        if self.fault == "notify-from-child":
            self.in_child(lambda: self.tell("READY=1"), wait=True)
        else:
            self.tell("READY=1")

    def start(self):
        if self.fault == "ready-too-early":
            self.ready()
            time.sleep(START_UP_WORK)
            return
        time.sleep(START_UP_WORK)
        self.ready()

    def reload(self):
        usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        if self.fault == "reloading-without-usec":
            self.tell("RELOADING=1")
        else:
            self.tell("RELOADING=1", f"MONOTONIC_USEC={usec}")
        if self.fault != "no-ready-after-reload":
            self.tell("READY=1")

    def pinger(self):
        while True:
            self.tell("WATCHDOG=1")
            time.sleep(self.half)

    def serve(self):
        if self.half and self.fault == "watchdog-from-child":
            self.in_child(self.pinger, wait=False)
        next_ping = time.monotonic() + self.half if self.half else None
        poller = select.poll()
        poller.register(self.wake_r, select.POLLIN)
        poller.register(self.listener, select.POLLIN)
        while True:
            timeout = None if next_ping is None else max(0, next_ping - time.monotonic()) * 1000
            ready = {fd for fd, _ in poller.poll(timeout)}
            if next_ping is not None and time.monotonic() >= next_ping:
                if self.fault != "watchdog-from-child":
                    self.tell("WATCHDOG=1")
                next_ping = time.monotonic() + self.half
            if self.wake_r.fileno() in ready:
                for signum in self.wake_r.recv(64):
                    if signum == signal.SIGTERM:
                        return
                    self.reload()
            if self.listener.fileno() in ready:
                conn, _ = self.listener.accept()
                with conn:
                    conn.sendall(b"hello\n")

    def stop(self):
        self.tell("STOPPING=1")
        if self.helper is not None:
            try:
                os.kill(self.helper, signal.SIGTERM)    # ours, not yet reaped
            except ProcessLookupError:
                pass
            os.waitpid(self.helper, 0)


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in FAULTS:
        sys.exit(f"usage: newstyle_pitfalls.py {'|'.join(FAULTS)}")
    service = Service(sys.argv[1])
    service.start()
    service.serve()
    service.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
