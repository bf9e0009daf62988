#!/usr/bin/env python3
"""seed_daemon.py: the seed tutorial's Python Daemon class, retold by the kit
in Python 3 with every fault of the original kept, so that the checker and
the tests have each one to find. The correct class is daemon.py; the page
docs/tutorial/seed-python-class.md walks through this one method by method.

    python3 seed_daemon.py start|stop|restart [PIDFILE [LOGFILE]]

PIDFILE defaults to /tmp/daemon-example.pid, the default of the source the
seed took its class from. LOGFILE (default /dev/null) receives the daemon's
stdout and stderr; Python 3 opens it in 'a+' mode, so it must be /dev/null
or a regular file.

The code, its names and its comments are the kit's; what it does is the
seed's: the same system calls in the same order (two forks with chdir,
setsid and umask between them, the standard streams re-opened, an atexit
handler, the pidfile written last) and the same decisions. The methods keep
the seed's names, since those are the class's interface. Where Python 3
forced a change, the code says so.

The faults, numbered (tests and pages cite them by number; the code marks
each with "fault N"):

 1. "/n" where a newline was meant: the pidfile holds "1234/n" (two stray
    bytes, no newline) and every message ends in "/n" with no line break.
 2. The class cannot read its own pidfile: int("1234/n") raises ValueError,
    and only OSError (Python 2's IOError) is caught. `stop` dies with a
    traceback and never stops the daemon; a second `start` is refused by
    that crash, not by its message.
 3. World-writable files: open() asks for mode 0666 and umask(0) takes
    nothing away, so anyone may rewrite the pid that `stop` will kill. The
    log files it creates are 0666 too, and opened for reading as well as
    writing ('a+').
 4. A stale pidfile blocks every start: a number in the file counts as a
    running daemon, so a file left behind by a crash or a kill (fault 5)
    refuses each later start until someone deletes it by hand.
 5. No cleanup on SIGTERM: delpid is an atexit handler, which runs only on
    a normal exit; SIGTERM's default action ends the process without it.
 6. No lock: nothing ties the number in the file to a live daemon. Two
    starts can both pass the existence test and both daemonize, and `stop`
    signals whatever process has that pid now.
 7. The launcher returns before the pidfile exists: the first parent leaves
    right after the first fork, so whoever reads the pidfile just after
    `start` (a script, systemd Type=forking) races the daemon.
 8. Failures after the first fork go unseen: the launcher has already
    exited 0, and later messages go to the daemon's /dev/null.
 9. Inherited descriptors stay open in the daemon for its whole life.
10. Inherited signal state stays: what the launcher blocked or ignored
    stays blocked or ignored.
11. sys.exit() in the parents that leave: they run atexit handlers and
    flush stdio buffers they share with the child (os._exit() leaves
    without either). And the directory changes before the session does,
    the reverse of the seed's own C recipe (harmless).
12. stop() polls: SIGTERM every 0.1 s, with no bound, until kill() fails,
    and it recognises "gone" by the English text of the error, not its
    errno. A daemon that ignores SIGTERM keeps it looping for ever.
13. Relative paths change meaning: the daemon opens its pidfile and log
    files after chdir("/"), while start() and stop() read them from the
    caller's directory; `start x.pid` writes /x.pid.
"""
import atexit
import os
import signal
import sys
import time

DEFAULT_PIDFILE = "/tmp/daemon-example.pid"


def complain(text):
    """A message on stderr, with the seed's line ending."""
    sys.stderr.write(text + "/n")       # fault 1: "/n", not "\n"


class Daemon:
    """Give a subclass a run(); start(), stop() and restart() do the rest."""

    def __init__(self, pidfile, stdin="/dev/null", stdout="/dev/null",
                 stderr="/dev/null"):
        # Kept as given: nothing is checked or opened yet, and by the time
        # something is, the directory is "/" (fault 13).
        self.pid_path = pidfile
        self.stream_paths = (stdin, stdout, stderr)

    def daemonize(self):
        """Detach from the caller, re-open the standard streams, write the pidfile."""
        self._fork_and_leave(1)             # fault 7: the launcher returns here
        os.chdir("/")                       # fault 11: before setsid(), not after
        os.setsid()
        os.umask(0)                         # fault 3: files get all that open() asks
        # faults 9, 10: no descriptor is closed, no signal reset, here or later
        self._fork_and_leave(2)
        opened = self._reopen_streams()
        self._record_pid()
        # Closed only now, after the pidfile, where the seed's own locals
        # went out of scope; their copies on 0, 1 and 2 stay open.
        for source in opened:
            source.close()

    def _fork_and_leave(self, which):
        """Go on in a new child; the parent leaves."""
        try:
            child = os.fork()
        except OSError as err:
            # fault 8: after the first fork, the launcher has already exited 0
            complain(f"fork {which} failed: [Errno {err.errno}] {err.strerror}")
            sys.exit(1)
        if child:
            sys.exit(0)     # fault 11: sys.exit(), where os._exit() was meant

    def _reopen_streams(self):
        """Put the three configured files on descriptors 0, 1 and 2."""
        sys.stdout.flush()
        sys.stderr.flush()
        stdin_path, stdout_path, stderr_path = self.stream_paths
        # fault 13: relative paths now start at "/"; fault 3: 'a+' creates
        # the logs 0666 and opens them for reading too. Python 3 has no
        # unbuffered text mode: stderr is opened unbuffered in binary.
        opened = (open(stdin_path, "r"),
                  open(stdout_path, "a+"),
                  open(stderr_path, "ab+", 0))
        for source, stream in zip(opened, (sys.stdin, sys.stdout, sys.stderr)):
            os.dup2(source.fileno(), stream.fileno())
        return opened

    def _record_pid(self):
        """Arrange for delpid at exit, then write the pidfile."""
        atexit.register(self.delpid)    # fault 5: never run when SIGTERM kills
        me = os.getpid()
        # fault 1: "/n"; fault 3: 'w+' creates it 0666 under umask 0;
        # fault 6: no lock on it, ever
        with open(self.pid_path, "w+") as record:
            record.write(f"{me}/n")

    def delpid(self):
        """Remove the pidfile (at a normal exit only: fault 5)."""
        os.remove(self.pid_path)

    def _recorded_pid(self):
        """The number in the pidfile; None when it cannot be opened."""
        try:
            with open(self.pid_path, "r") as record:
                # fault 2: int("1234/n") raises ValueError, which escapes
                return int(record.read().strip())
        except OSError:                 # Python 2's IOError, and nothing else
            return None

    def start(self):
        """Daemonize and run, unless a pidfile names a pid."""
        # fault 4: any number in the file means "running", even a dead pid;
        # fault 2: the class's own "1234/n" crashes here instead
        if self._recorded_pid():
            complain(f"{self.pid_path} names a pid: is the daemon running already?")
            sys.exit(1)
        self.daemonize()
        self.run()

    def stop(self):
        """SIGTERM the pid of the pidfile until it is gone."""
        pid = self._recorded_pid()      # fault 2: crashes on "1234/n"
        if not pid:
            complain(f"no pid in {self.pid_path}: is the daemon stopped?")
            return                      # so that restart() goes on to start()
        try:
            self._terminate(pid)
        except OSError as err:
            # fault 12: "gone" is read from the message text, not from errno
            if "No such process" not in str(err):
                print(err)
                sys.exit(1)
            if os.path.exists(self.pid_path):
                os.remove(self.pid_path)

    @staticmethod
    def _terminate(pid):
        """Signal pid until kill() raises (fault 12: no bound; fault 6: any
        process that has this pid now is signalled)."""
        while True:
            os.kill(pid, signal.SIGTERM)
            time.sleep(0.1)

    def restart(self):
        """stop(), then start(): both faults of 2 included, so it ends in stop()."""
        self.stop()
        self.start()

    def run(self):
        """The daemon's work: a subclass overrides it. Returning ends the
        daemon normally, which runs delpid."""


class NapDaemon(Daemon):
    """The seed's big loop: wake up every 30 s and do nothing."""

    def run(self):
        while True:
            time.sleep(30)


def main(argv):
    verbs = ("start", "stop", "restart")
    if not 2 <= len(argv) <= 4 or argv[1] not in verbs:
        print(f"usage: {argv[0]} {'|'.join(verbs)} [PIDFILE [LOGFILE]]")
        return 2
    path = argv[2] if len(argv) > 2 else DEFAULT_PIDFILE
    log = argv[3] if len(argv) > 3 else "/dev/null"
    daemon = NapDaemon(path, stdout=log, stderr=log)
    {"start": daemon.start, "stop": daemon.stop, "restart": daemon.restart}[argv[1]]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
