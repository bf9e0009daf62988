#!/usr/bin/env python3
"""08-second-fork.py: the starting point of exercise 8 (fork a second time): the steps
before it are done, and each TODO comment marks where this step goes.

The seed's class shape: Daemon(pidfile) with start(), stop(), daemonize()
and run(); standard library only. Usage:

    python3 08-second-fork.py start /ABSOLUTE/PIDFILE
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
            self.start_job()
        except OSError as exc:
            self.fatal(exc)
        self.run()

    def daemonize(self):
        """The steps that make this process a daemon, in the order the
        recipe needs them."""
        if os.fork() > 0:                   # step 1: fork;
            os._exit(0)                     # step 1: the parent exits
        os.umask(0)                         # step 2: modes are ours alone
        syslog.openlog("08-second-fork", syslog.LOG_PID | syslog.LOG_NDELAY,
                       syslog.LOG_DAEMON)   # step 3: the log, early
        self.log_open = True
        syslog.syslog(syslog.LOG_INFO, "starting")
        os.setsid()                         # step 4: a new session
        # TODO step 8: fork again, and let the session leader leave.
        os.chdir("/")                       # step 5: hold no mount busy
        stdio_to_dev_null()                 # step 6: never left closed
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})  # step 7

    def start_job(self):
        """The daemon's work, reduced to one child that ends at once. The
        daemon waits until it has ended, without collecting it (WNOWAIT
        only looks), so that every run shows the same thing."""
        job = os.fork()
        if job == 0:
            os._exit(0)
        os.waitid(os.P_PID, job, os.WEXITED | os.WNOWAIT)

    def run(self):
        """The big loop: sleep until a signal, collect ended children."""
        while True:
            signal.sigwaitinfo({signal.SIGCHLD})    # step 7: no wake-up
            collect_children()                      # for nothing

    def fatal(self, exc):
        """Report a failed step to whoever can still hear it, then exit 1."""
        line = f"08-second-fork: fatal: {exc.strerror or exc}"
        if exc.filename:
            line += f": {exc.filename}"
        if self.log_open:
            syslog.syslog(syslog.LOG_ERR, line)
        print(line, file=sys.stderr)
        os._exit(1)


def stdio_to_dev_null():
    null = os.open("/dev/null", os.O_RDWR)
    for std in (0, 1, 2):
        if null != std:
            os.dup2(null, std)      # dup2 makes an inheritable copy
    if null > 2:
        os.close(null)
    else:
        os.set_inheritable(null, True)  # os.open made it close-on-exec


def collect_children():
    """waitpid() until no ended child is left: one SIGCHLD may stand for
    many children, as signals of one kind do not queue."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def main(argv):
    if len(argv) > 1 and argv[1] != "start":
        sys.exit(f"usage: {argv[0]} start [PIDFILE]")
    Daemon(argv[2] if len(argv) > 2 else None).start()


if __name__ == "__main__":
    main(sys.argv)
