#!/usr/bin/env python3
"""02-umask.py: the tutorial's daemon in Python 3, steps 1 to 2 done
(step 2: set the umask).

The seed's class shape: Daemon(pidfile) with start(), stop(), daemonize()
and run(); standard library only. Usage:

    python3 02-umask.py start /ABSOLUTE/PIDFILE
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
        os.umask(0)                         # step 2: modes are ours alone

    def run(self):
        while True:                 # a placeholder that keeps a daemon
            signal.pause()          # alive: the real loop comes at step 7

    def fatal(self, exc):
        """Report a failed step to whoever can still hear it, then exit 1."""
        line = f"02-umask: fatal: {exc.strerror or exc}"
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
