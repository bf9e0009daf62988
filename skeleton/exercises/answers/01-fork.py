#!/usr/bin/env python3
"""01-fork.py: the tutorial's daemon in Python 3, steps 1 to 1 done
(step 1: fork, and let the parent exit).

The seed's class shape: Daemon(pidfile) with start(), stop(), daemonize()
and run(); standard library only. Usage:

    python3 01-fork.py start /ABSOLUTE/PIDFILE
(the pidfile comes at step 9: until then it is accepted and ignored)
"""
import os
import signal
import sys


class Daemon:
    def __init__(self, pidfile):
        self.pidfile = pidfile

    def start(self):
        try:
            self.daemonize()        # returns in the daemon only
        except OSError as exc:
            self.fatal(exc)
        self.run()

    def daemonize(self):
        """The steps that make this process a daemon, in the order the
        recipe needs them."""
        if os.fork() > 0:                   # step 1: fork;
            os._exit(0)                     # step 1: the parent exits

    def run(self):
        while True:                 # a placeholder that keeps a daemon
            signal.pause()          # alive: the real loop comes at step 7

    def fatal(self, exc):
        """Report a failed step to whoever can still hear it, then exit 1."""
        line = f"01-fork: fatal: {exc.strerror or exc}"
        if exc.filename:
            line += f": {exc.filename}"
        print(line, file=sys.stderr)
        os._exit(1)


def main(argv):
    if len(argv) > 1 and argv[1] != "start":
        sys.exit(f"usage: {argv[0]} start [PIDFILE]")
    Daemon(argv[2] if len(argv) > 2 else None).start()


if __name__ == "__main__":
    main(sys.argv)
