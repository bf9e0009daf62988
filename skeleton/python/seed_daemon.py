#!/usr/bin/env python3
"""seed_daemon.py: the seed tutorial's Python 2 Daemon class, ported to Python 3
as literally as possible, bugs KEPT, so the checker can name each of them.

Usage:  python3 seed_daemon.py start|stop|restart [PIDFILE [LOGFILE]]
        (PIDFILE defaults to /tmp/daemon-example.pid, as in the class's
        original source; LOGFILE, default /dev/null, receives the daemon's
        stdout and stderr; it must be seekable, a regular file, as Python 3
        refuses to open anything else in append-and-read mode.)

Only what Python 3 forced was changed: file() became open(), "except E, e"
became "except E as e", print became a function, and the unbuffered text
file open(stderr, 'a+', 0), which Python 3 refuses, became the unbuffered
binary open(stderr, 'ab+', 0). restart() and run() are not shown in the
tutorial ("define them the same way"); they are taken from the original
source it cites. Everything else is as published. For the correct version,
see daemon.py.

The bugs, as they show at run time:

 1. "/n" where "\\n" was meant (a backslash lost when the code was blogged):
    the pidfile holds "1234/n" (no newline, two stray bytes), and every
    error message ends in "/n" with no line break.
 2. Its own start() and stop() cannot read the pidfile it writes:
    int("1234/n") raises ValueError, and they catch only IOError. So `stop`
    dies with a traceback and never stops the daemon, and a second `start`
    is refused by a crash, not by the intended message.
 3. World-writable pidfile: open(pidfile, 'w+') creates mode 0666, and the
    umask(0) just before removes nothing. Anyone can write there the pid
    that `stop` will kill. The stdout/stderr files it creates are 0666 too.
 4. A stale pidfile blocks start: its mere existence means "running", so a
    pidfile left behind by a crash or a kill (see 5) refuses every later
    start until someone deletes it by hand.
 5. The cleanup never runs on SIGTERM: delpid is an atexit handler, and
    Python runs those only on a normal exit; SIGTERM's default action kills
    the process outright. After `kill PID` the pidfile stays (and with 4,
    the daemon cannot be started again).
 6. No lock: nothing shows that the pid in the file is still this daemon's.
    Two starts racing both pass the existence test and both daemonize (the
    later one overwrites the pidfile), and `stop` signals whatever process
    now has that pid.
 7. The pidfile is written after the launcher returned: the first parent
    exits right after the first fork, so whoever runs `start` and then reads
    the pidfile (a script, systemd Type=forking) races the daemon.
 8. Failures after the first fork are invisible: the launcher has already
    exited 0, and the daemon's stderr is /dev/null by the time it writes
    the pidfile.
 9. Inherited descriptors are not closed: every descriptor the launcher
    had open stays open in the daemon for its whole life.
10. Signals are not reset: signals the launcher had blocked or ignored stay
    blocked or ignored in the daemon.
11. sys.exit() in the intermediate parents: they run atexit handlers and
    flush stdio buffers copied from the launcher (os._exit is the call for
    a parent that only leaves). And chdir("/") comes before setsid(), an
    order that differs from the recipe above it (harmless).
12. stop() polls: SIGTERM every 0.1 s until kill() fails, recognising the
    end by the English text of the error rather than its errno, with no
    bound: a daemon that ignores SIGTERM keeps it looping for ever, and a
    reused pid is signalled too.
13. Relative paths break: the daemon opens its pidfile and stdio files
    after chdir("/"), while start() and stop() look for them relative to
    the caller's directory; `start x.pid` writes /x.pid.
"""
import sys, os, time, atexit
from signal import SIGTERM


class Daemon:
    def __init__(self, pidfile, stdin='/dev/null', stdout='/dev/null', stderr='/dev/null'):
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.pidfile = pidfile

    def daemonize(self):
        try:
            pid = os.fork()
            if pid > 0:
                # bug 7, 11: the launcher returns now, before any pidfile
                sys.exit(0)
        except OSError as e:
            sys.stderr.write("fork #1 failed: %d (%s)/n" % (e.errno, e.strerror))
            sys.exit(1)

        # bug 11: chdir before setsid; bugs 9, 10: nothing closed, nothing reset
        os.chdir("/")
        os.setsid()
        os.umask(0)

        try:
            pid = os.fork()
            if pid > 0:
                sys.exit(0)
        except OSError as e:
            sys.stderr.write("fork #2 failed: %d (%s)/n" % (e.errno, e.strerror))
            sys.exit(1)

        sys.stdout.flush()
        sys.stderr.flush()
        si = open(self.stdin, 'r')
        so = open(self.stdout, 'a+')
        se = open(self.stderr, 'ab+', 0)    # Python 3: no unbuffered text mode
        os.dup2(si.fileno(), sys.stdin.fileno())
        os.dup2(so.fileno(), sys.stdout.fileno())
        os.dup2(se.fileno(), sys.stderr.fileno())

        # bug 5: atexit handlers do not run when SIGTERM kills the process
        atexit.register(self.delpid)
        pid = str(os.getpid())
        # bugs 1, 3, 6: "/n", mode 0666 under umask(0), no lock
        open(self.pidfile, 'w+').write("%s/n" % pid)

    def delpid(self):
        os.remove(self.pidfile)

    def start(self):
        """
        Start the daemon
        """
        # bugs 2, 4: existence means "running"; "1234/n" raises ValueError
        try:
            pf = open(self.pidfile, 'r')
            pid = int(pf.read().strip())
            pf.close()
        except IOError:
            pid = None

        if pid:
            message = "pidfile %s already exist. Daemon already running?/n"
            sys.stderr.write(message % self.pidfile)
            sys.exit(1)

        self.daemonize()
        self.run()

    def stop(self):
        """
        Stop the daemon
        """
        # bug 2: "1234/n" raises ValueError here too
        try:
            pf = open(self.pidfile, 'r')
            pid = int(pf.read().strip())
            pf.close()
        except IOError:
            pid = None

        if not pid:
            message = "pidfile %s does not exist. Daemon not running?/n"
            sys.stderr.write(message % self.pidfile)
            return

        # bug 12: polling, matched by message text, unbounded
        try:
            while 1:
                os.kill(pid, SIGTERM)
                time.sleep(0.1)
        except OSError as err:
            err = str(err)
            if err.find("No such process") > 0:
                if os.path.exists(self.pidfile):
                    os.remove(self.pidfile)
            else:
                print(str(err))
                sys.exit(1)

    def restart(self):
        """
        Restart the daemon
        """
        self.stop()
        self.start()

    def run(self):
        """
        Override this method when you subclass Daemon.
        """


class ExampleDaemon(Daemon):
    """The seed's big loop: wake up every 30 s, do nothing."""

    def run(self):
        while True:
            time.sleep(30)


def main(argv):
    if len(argv) not in (2, 3, 4) or argv[1] not in ('start', 'stop', 'restart'):
        print("usage: %s start|stop|restart [PIDFILE [LOGFILE]]" % argv[0])
        sys.exit(2)
    pidfile = argv[2] if len(argv) > 2 else '/tmp/daemon-example.pid'
    log = argv[3] if len(argv) > 3 else '/dev/null'
    daemon = ExampleDaemon(pidfile, stdout=log, stderr=log)
    getattr(daemon, argv[1])()
    sys.exit(0)


if __name__ == "__main__":
    main(sys.argv)
