#!/usr/bin/env python3
"""mydaemon.py: the example daemon, in both of its lives.

    python3 mydaemon.py start|stop|restart|status [--pidfile PATH] [--foreground]
    python3 mydaemon.py run [--address ADDR] [--port PORT] [--config PATH]
                            [--reload-hook CMD]

start, stop, restart and status: a classic SysV daemon built on
daemon.Daemon. It does nothing but wait: the point is how it starts, runs
and stops. It logs to syslog (facility daemon): one line when it starts,
one when it stops; SIGHUP re-opens the log. Exit status: 0 on success, 1 on
failure, 2 on a usage error; `status` follows the LSB: 0 running, 1 stale
pidfile, 3 not running.

run: the same program as a new-style service under a service manager
(systemd Type=notify; see newstyle.py). It stays in the foreground, writes
no pidfile and logs to stderr. It answers each TCP connection with one line,
the first line of the --config file (re-read on SIGHUP), on descriptor 3
when socket-activated (LISTEN_PID, LISTEN_FDS), else on ADDR:PORT (default
127.0.0.1:7007; port 0 picks a free one). It notifies NOTIFY_SOCKET:
STATUS=, READY=1 once it listens, RELOADING=1 with MONOTONIC_USEC= then
READY=1 on SIGHUP, WATCHDOG=1 every half WATCHDOG_USEC, STOPPING=1 on
SIGTERM or SIGINT, after which it exits 0. --reload-hook runs a command
with /bin/sh -c after each reload, in an environment without the manager's
variables. Exit status: 0 after a clean stop, 1 when it cannot start.
"""

import argparse
import os
import signal
import sys
import syslog

from daemon import RUNNING, STALE, Daemon, DaemonError

PROG = "mydaemon"
# Where `run` listens when no socket is passed (mydaemon.socket's address).
RUN_ADDRESS = "127.0.0.1"
RUN_PORT = 7007
STATUS_EXIT = {RUNNING: 0, STALE: 1}
NOT_RUNNING_EXIT = 3


class MyDaemon(Daemon):
    """Waits for signals, and says so in syslog (the C mydaemon's lines)."""

    def __init__(self, pidfile, foreground=False):
        super().__init__(pidfile)
        # In the foreground, a copy of each line goes to stderr too.
        self.log_options = syslog.LOG_PID | (syslog.LOG_PERROR if foreground else 0)
        self.log_open = False

    def run(self):
        self.open_log()
        # SIGTERM raises wherever run() is: once "started" is logged, the
        # "stopping" line must be certain, so both lie in the same try.
        try:
            syslog.syslog(syslog.LOG_INFO, f"started; pidfile {self.pidfile}")
            super().run()
        finally:
            syslog.syslog(syslog.LOG_INFO, f"stopping on {self.stop_reason()}")

    def reload(self):
        # closelog() makes the next line reconnect: a syslog daemon that was
        # restarted meanwhile listens on a new socket.
        syslog.closelog()
        self.open_log()
        syslog.syslog(syslog.LOG_INFO, "reopened the log on SIGHUP")

    def delpid(self):
        try:
            super().delpid()
        except OSError as exc:
            if not self.log_open:
                raise
            syslog.syslog(syslog.LOG_WARNING,
                          f"unable to remove pidfile {self.pidfile}: {exc.strerror}")
        if self.log_open:
            syslog.syslog(syslog.LOG_INFO, "stopped")
            syslog.closelog()
            self.log_open = False

    def open_log(self):
        syslog.openlog(PROG, self.log_options, syslog.LOG_DAEMON)
        self.log_open = True

    def stop_reason(self):
        if self.stop_signal is None:
            return "the end of run()"
        return signal.Signals(self.stop_signal).name


def default_pidfile():
    if os.geteuid() == 0:
        return f"/run/{PROG}.pid"
    return os.path.join(os.environ.get("XDG_RUNTIME_DIR") or "/tmp", f"{PROG}.pid")


def port_number(text):
    if not text.isascii() or not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"invalid port: {text}")
    return int(text)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="An example daemon: start|stop|restart|status run it as a SysV "
                    "daemon that waits and logs to syslog; run makes it a new-style "
                    "service for a service manager (systemd Type=notify) that answers "
                    "each TCP connection with one line, logs to stderr, and speaks "
                    "sd_notify (READY, RELOADING, WATCHDOG, STOPPING).",
        epilog="Exit status: 0 done, 1 failed, 2 usage error; "
               "status: 0 running, 1 stale pidfile, 3 not running.")
    parser.add_argument("command", choices=("start", "stop", "restart", "status", "run"))
    sysv = parser.add_argument_group("start, stop, restart, status")
    sysv.add_argument("--pidfile", metavar="PATH",
                      help=f"pidfile path (default: {default_pidfile()})")
    sysv.add_argument("--foreground", action="store_true",
                      help="start: run in this process, do not detach")
    run = parser.add_argument_group(
        "run", "serves on descriptor 3 when LISTEN_PID is its pid and LISTEN_FDS >= 1 "
               "(socket activation), else on its own socket")
    run.add_argument("--address", metavar="ADDR",
                     help=f"numeric IPv4 or IPv6 address to listen on (default {RUN_ADDRESS})")
    run.add_argument("--port", metavar="PORT", type=port_number,
                     help=f"its TCP port; 0 picks a free one (default {RUN_PORT})")
    run.add_argument("--config", metavar="PATH",
                     help="greeting file: its first line answers each connection; "
                          "re-read on SIGHUP")
    run.add_argument("--reload-hook", metavar="CMD",
                     help="run CMD with /bin/sh -c after each reload")
    args = parser.parse_args(argv)
    given = lambda *names: [f"--{n.replace('_', '-')}" for n in names
                            if getattr(args, n) not in (None, False)]
    if args.command == "run":
        # Under a service manager, the manager knows the pid: a pidfile or
        # a fork would only get in its way.
        wrong = given("pidfile", "foreground")
        if wrong:
            parser.error(f"{wrong[0]} is not an option of run")
    else:
        wrong = given("address", "port", "config", "reload_hook")
        if wrong:
            parser.error(f"{wrong[0]} is an option of run only")
        if args.pidfile is None:
            args.pidfile = default_pidfile()
    return args


def run_service(args):
    import newstyle     # only here: start, stop and status never need it
    return newstyle.Service(
        address=RUN_ADDRESS if args.address is None else args.address,
        port=RUN_PORT if args.port is None else args.port,
        config=args.config, reload_hook=args.reload_hook).run()


def print_status(daemon):
    state, pid = daemon.status()
    if state == RUNNING:
        print(f"{PROG}: running as pid {pid}")
    elif state == STALE:
        print(f"{PROG}: not running (stale pidfile {daemon.pidfile}"
              + (f" names pid {pid})" if pid else ")"))
    else:
        print(f"{PROG}: not running")
    return STATUS_EXIT.get(state, NOT_RUNNING_EXIT)


def act(daemon, command, foreground):
    """Carry out command; return the exit status."""
    if command == "start":
        if foreground:
            return daemon.run_in_foreground()
        daemon.start()
    elif command == "stop":
        if daemon.stop() is None:
            print(f"{PROG}: not running", file=sys.stderr)
    elif command == "restart":
        daemon.restart()
    else:
        return print_status(daemon)
    return 0


def main(argv=None):
    args = parse_args(argv)
    if args.command == "run":
        return run_service(args)
    daemon = MyDaemon(args.pidfile, args.foreground)
    try:
        return act(daemon, args.command, args.foreground)
    except DaemonError as exc:
        print(f"{PROG}: fatal: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
