#!/usr/bin/env python3
"""mydaemon.py: the example daemon built on daemon.Daemon.

    python3 mydaemon.py start|stop|restart|status [--pidfile PATH] [--foreground]

It does nothing but wait: the point is how it starts, runs and stops. It
logs to syslog (facility daemon): one line when it starts, one when it
stops; SIGHUP re-opens the log. Exit status: 0 on success, 1 on failure,
2 on a usage error; `status` follows the LSB: 0 running, 1 stale pidfile,
3 not running.
"""

import argparse
import os
import signal
import sys
import syslog

from daemon import RUNNING, STALE, Daemon, DaemonError

PROG = "mydaemon"
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


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog=PROG, description="An example SysV daemon: it waits, and logs to syslog.",
        epilog="Exit status: 0 done, 1 failed, 2 usage error; "
               "status: 0 running, 1 stale pidfile, 3 not running.")
    parser.add_argument("command", choices=("start", "stop", "restart", "status"))
    parser.add_argument("--pidfile", metavar="PATH", default=default_pidfile(),
                        help="pidfile path (default: %(default)s)")
    parser.add_argument("--foreground", action="store_true",
                        help="start: run in this process, do not detach")
    return parser.parse_args(argv)


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
    daemon = MyDaemon(args.pidfile, args.foreground)
    try:
        return act(daemon, args.command, args.foreground)
    except DaemonError as exc:
        print(f"{PROG}: fatal: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
