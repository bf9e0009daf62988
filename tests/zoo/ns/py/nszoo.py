"""The zoo's new-style service in Python (standard library only): the twin
of ../zoons.c, with a switch per fault, for the faults Python programs
make most with sd_notify. Each ns_*.py beside it is one recipe.

The correct service reads NOTIFY_SOCKET, LISTEN_FDS/LISTEN_PID and
WATCHDOG_USEC/WATCHDOG_PID once and removes them from its environment;
serves TCP on the passed descriptor 3 (or on its own 127.0.0.1 socket when
none was passed), one line per connection; says READY=1 once it serves;
pings the watchdog every half interval from its main loop; answers SIGHUP
with RELOADING=1 + MONOTONIC_USEC= then READY=1, and SIGTERM with
STOPPING=1 and exit 0; logs to stderr, the journal.

Signals are events: the handlers do nothing, and signal.set_wakeup_fd()
writes each signal's number into a socket that the main loop watches.
"""

import dataclasses
import os
import selectors
import signal
import socket
import subprocess
import sys
import time

LISTEN_FDS_START = 3

# What a start-up helper run with the service's environment does: it finds
# NOTIFY_SOCKET there and speaks for the service.
HELPER = """
import os, socket
spec = os.environ["NOTIFY_SOCKET"]
addr = "\\0" + spec[1:] if spec.startswith("@") else spec
with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
    s.sendto(b"READY=1\\nSTATUS=serving", addr)
"""


@dataclasses.dataclass(frozen=True)
class Recipe:
    ready_from_child: bool = False      # a helper process sends READY=1
    abstract_as_path: bool = False      # "@name" sent to as a path
    ready_after_reload: bool = True     # READY=1 once a reload is done
    use_listen_fds: bool = True         # serve on the passed descriptor 3


CORRECT = Recipe()


class Service:
    def __init__(self, recipe, prog):
        self.recipe = recipe
        self.prog = prog
        self.notify_failed = False
        self.next_ping = None

    def say(self, text):
        print(f"{self.prog}[{os.getpid()}]: {text}", file=sys.stderr, flush=True)

    # ............................................................ set-up

    def read_environment(self):
        env = os.environ
        spec = env.get("NOTIFY_SOCKET")
        self.notify_addr = None
        if spec and self.recipe.abstract_as_path:
            self.notify_addr = spec         # the fault: "@name" as a file name
        elif spec:
            self.notify_addr = "\0" + spec[1:] if spec.startswith("@") else spec
        self.activated = self.recipe.use_listen_fds and self.listen_fds_for_us()
        self.watchdog_usec = self.watchdog_asked()
        # No child of ours must inherit what was meant for us; leaving
        # NOTIFY_SOCKET there is the fault of ready_from_child.
        names = ["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "WATCHDOG_USEC", "WATCHDOG_PID"]
        if not self.recipe.ready_from_child:
            names.append("NOTIFY_SOCKET")
        for name in names:
            env.pop(name, None)

    @staticmethod
    def listen_fds_for_us():
        try:
            return int(os.environ.get("LISTEN_PID", "")) == os.getpid() and \
                int(os.environ.get("LISTEN_FDS", "")) >= 1
        except ValueError:
            return False

    @staticmethod
    def watchdog_asked():
        usec, pid = os.environ.get("WATCHDOG_USEC"), os.environ.get("WATCHDOG_PID")
        try:
            if usec is None or (pid is not None and int(pid) != os.getpid()):
                return 0
            return max(int(usec), 0)
        except ValueError:
            return 0

    def trap_signals(self):
        self.wake_r, wake_w = socket.socketpair()
        self.wake_r.setblocking(False)
        wake_w.setblocking(False)
        self.wake_w = wake_w
        signal.set_wakeup_fd(wake_w.fileno(), warn_on_full_buffer=False)
        for sig in (signal.SIGHUP, signal.SIGTERM):
            signal.signal(sig, lambda signum, frame: None)

    def start_serving(self):
        if self.activated:
            self.listener = socket.socket(fileno=LISTEN_FDS_START)
            self.listener.set_inheritable(False)
            self.say("serving on the passed descriptor 3")
            return
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.say(f"serving on 127.0.0.1:{self.listener.getsockname()[1]}")

    # ............................................................ notify

    def notify(self, text):
        """One datagram; a failure is logged once and otherwise ignored, as
        sd_notify's callers do."""
        if self.notify_addr is None:
            return
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
                s.sendto(text.encode(), self.notify_addr)
        except OSError as e:
            if not self.notify_failed:
                self.notify_failed = True
                self.say(f"unable to notify the service manager: {e.strerror}")

    def say_ready(self):
        if self.recipe.ready_from_child:
            subprocess.run([sys.executable, "-c", HELPER], check=False)
        else:
            self.notify("READY=1\nSTATUS=serving")
        self.say("ready")

    def ping_if_due(self):
        """Pings when due; returns the wait until the next, in seconds."""
        if not self.watchdog_usec:
            return None
        now = time.monotonic()
        if self.next_ping is None or now >= self.next_ping:
            self.notify("WATCHDOG=1")
            self.next_ping = now + self.watchdog_usec / 2e6
        return self.next_ping - now

    # ............................................................ events

    def reload(self):
        self.say("reloading")
        usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        self.notify(f"RELOADING=1\nMONOTONIC_USEC={usec}")
        # (the configuration would be read again here)
        if self.recipe.ready_after_reload:
            self.notify("READY=1\nSTATUS=serving")
            self.say("reloaded")

    def answer(self):
        try:
            conn, _ = self.listener.accept()
        except (BlockingIOError, ConnectionAbortedError, InterruptedError):
            return
        with conn:
            try:
                conn.sendall(f"{self.prog}: hello\n".encode())
            except OSError as e:
                self.say(f"unable to answer a connection: {e.strerror}")

    def serve(self):
        sel = selectors.DefaultSelector()
        sel.register(self.listener, selectors.EVENT_READ, "connection")
        sel.register(self.wake_r, selectors.EVENT_READ, "signal")
        while True:
            for key, _ in sel.select(self.ping_if_due()):
                if key.data == "connection":
                    self.answer()
                    continue
                try:
                    signums = self.wake_r.recv(64)
                except BlockingIOError:
                    continue
                for signum in signums:
                    if signum == signal.SIGHUP:
                        self.reload()
                    elif signum == signal.SIGTERM:
                        return

    def run(self):
        self.trap_signals()
        self.read_environment()
        self.start_serving()
        self.say_ready()
        self.serve()
        self.say("stopping")
        self.notify("STOPPING=1")
        return 0


def main(recipe):
    prog = os.path.basename(sys.argv[0])
    try:
        return Service(recipe, prog).run()
    except OSError as e:
        print(f"{prog}: fatal: {e}", file=sys.stderr)
        return 111
