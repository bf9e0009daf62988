#!/usr/bin/env python3
"""06-stdio.py: the starting point of exercise 6 (detach the standard descriptors): the steps
before it are done, and each TODO comment marks where this step goes.

The seed's class shape: Daemon(pidfile) with start(), stop(), daemonize()
and run(); standard library only. Usage:

    python3 06-stdio.py start /ABSOLUTE/PIDFILE
(the pidfile comes at step 9: until then it is accepted and ignored)
"""
import os
import signal
import sys
import syslog


class Daemon:
    def __init__(self, pidfile):
        self.pidfile = pidfile
        self.log_open = False

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
        syslog.openlog("06-stdio", syslog.LOG_PID | syslog.LOG_NDELAY,
                       syslog.LOG_DAEMON)   # step 3: the log, early
        self.log_open = True
        syslog.syslog(syslog.LOG_INFO, "starting")
        os.setsid()                         # step 4: a new session
        os.chdir("/")                       # step 5: hold no mount busy
        # TODO step 6: put /dev/null on descriptors 0, 1 and 2.

    def run(self):
        while True:                 # a placeholder that keeps a daemon
            signal.pause()          # alive: the real loop comes at step 7

    def fatal(self, exc):
        """Report a failed step to whoever can still hear it, then exit 1."""
        line = f"06-stdio: fatal: {exc.strerror or exc}"
        if exc.filename:
            line += f": {exc.filename}"
        if self.log_open:
            syslog.syslog(syslog.LOG_ERR, line)
        print(line, file=sys.stderr)
        os._exit(1)


def main(argv):
    if len(argv) > 1 and argv[1] != "start":
        sys.exit(f"usage: {argv[0]} start [PIDFILE]")
    Daemon(argv[2] if len(argv) > 2 else None).start()


if __name__ == "__main__":
    main(sys.argv)
