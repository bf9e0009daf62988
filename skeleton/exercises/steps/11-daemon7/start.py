#!/usr/bin/env python3
"""11-daemon7.py: the starting point of exercise 11 (what daemon(7) adds): the steps
before it are done, and each TODO comment marks where this step goes.

The seed's class shape: Daemon(pidfile) with start(), stop(), daemonize()
and run(); standard library only. Usage:

    python3 11-daemon7.py start /ABSOLUTE/PIDFILE
    python3 11-daemon7.py stop /ABSOLUTE/PIDFILE
"""
import errno
import fcntl
import os
import select
import signal
import struct
import sys
import syslog

READY = b"ready\n"      # what the daemon says on the readiness pipe
STOP_TIMEOUT = 10.0     # seconds "stop" waits for the daemon to end


class Daemon:
    def __init__(self, pidfile):
        self.pidfile = pidfile
        self.read_fd = self.ready_fd = -1   # the readiness pipe's ends
        self.pidfile_fd = -1    # open (and locked) for the daemon's life
        self.log_open = False

    def start(self):
        # TODO step 11: close every descriptor above 2 that the launcher
        # left open, and give every signal its default action with an
        # empty signal mask: here, before anything else.
        self.read_fd, self.ready_fd = os.pipe()     # step 9: readiness pipe
        try:
            self.daemonize()        # returns in the daemon only
            self.pidfile_fd = create_pidfile(self.pidfile)   # step 9
            # TODO step 11: take a stale pidfile over instead of refusing
            # it: decide by its lock, not by its existence (O_EXCL).
            self.start_job()
        except OSError as exc:
            self.fatal(exc)
        self.report(READY)          # step 9: now the launcher may exit
        self.run()

    def stop(self):
        """Send SIGTERM to the daemon holding the pidfile's lock; wait for
        its end. Exit status 0 also when none runs, as an init script's."""
        pid = locked_by(self.pidfile)
        if pid is None:
            print(f"not running: no process holds the lock of {self.pidfile}",
                  file=sys.stderr)
            return 0
        # The pidfd names this very process: if the pid was reused between
        # our look at the lock and pidfd_open(), the second look shows it.
        pidfd = os.pidfd_open(pid)
        try:
            if locked_by(self.pidfile) != pid:
                return 0                    # it ended meanwhile
            signal.pidfd_send_signal(pidfd, signal.SIGTERM)
            if not select.select([pidfd], [], [], STOP_TIMEOUT)[0]:
                raise OSError(errno.ETIMEDOUT, f"pid {pid} still runs")
        finally:
            os.close(pidfd)
        return 0

    def daemonize(self):
        """The steps that make this process a daemon, in the order the
        recipe needs them."""
        if os.fork() > 0:                   # step 1: fork;
            os.close(self.ready_fd)         # step 9: so that EOF can come
            os._exit(wait_until_ready(self.read_fd))  # step 9: once told
        os.close(self.read_fd)
        os.umask(0)                         # step 2: modes are ours alone
        syslog.openlog("11-daemon7", syslog.LOG_PID | syslog.LOG_NDELAY,
                       syslog.LOG_DAEMON)   # step 3: the log, early
        self.log_open = True
        syslog.syslog(syslog.LOG_INFO, "starting")
        os.setsid()                         # step 4: a new session
        if os.fork() > 0:                   # step 8: fork again;
            os._exit(0)                     # step 8: the leader leaves
        os.chdir("/")                       # step 5: hold no mount busy
        stdio_to_dev_null()                 # step 6: never left closed
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})  # step 7
        # step 10: SIGTERM blocked before anyone knows our pid: one that
        # comes early waits, pending, for run() to take it.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})

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
            info = signal.sigwaitinfo({signal.SIGCHLD, signal.SIGTERM})
            if info.si_signo == signal.SIGTERM:     # step 10: clean up
                break
            collect_children()                      # step 7
        os.unlink(self.pidfile)     # step 10: while the lock is still ours
        os._exit(0)

    def fatal(self, exc):
        """Report a failed step to whoever can still hear it, then exit 1."""
        line = f"11-daemon7: fatal: {exc.strerror or exc}"
        if exc.filename:
            line += f": {exc.filename}"
        if self.log_open:
            syslog.syslog(syslog.LOG_ERR, line)
        if self.ready_fd >= 0:      # the launcher waits: it prints it
            self.report(line.encode() + b"\n")
        print(line, file=sys.stderr)
        os._exit(1)

    def report(self, message):
        """Tell the waiting launcher MESSAGE, once."""
        fd, self.ready_fd = self.ready_fd, -1
        os.write(fd, message)
        os.close(fd)


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


def wait_until_ready(read_fd):
    """In the launcher: the exit status, once the daemon has spoken (or
    died: end of file with no word, as every write end is then closed)."""
    said = b""
    while True:
        chunk = os.read(read_fd, 512)
        if not chunk:
            break
        said += chunk
    if said == READY:
        return 0
    sys.stderr.write(said.decode(errors="replace") or
                     "11-daemon7: fatal: the daemon ended before it was ready\n")
    return 1


def lock_whole_file(fd):
    """A POSIX record lock (fcntl): per process, not inherited by fork, so
    taken by the final process; and closing any descriptor of the file in
    this process drops it: the daemon never opens its own pidfile again."""
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            raise OSError(errno.EAGAIN, "already running (its lock is held)") from None
        raise


def write_pid(fd):
    """Replace the content with "PID\\n": truncate, then write at 0."""
    data = f"{os.getpid()}\n".encode()
    os.ftruncate(fd, 0)
    if os.pwrite(fd, data, 0) != len(data):
        raise OSError(errno.EIO, "short write to the pidfile")


def create_pidfile(path):
    """New (O_EXCL: it must not exist, and a symlink there is refused),
    mode 0644 whatever the umask, locked, then written."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        lock_whole_file(fd)
        write_pid(fd)
    except OSError:
        os.unlink(path)
        os.close(fd)
        raise
    return fd


# struct flock on Linux (64-bit off_t): l_type, l_whence, l_start, l_len,
# l_pid; F_GETLK fills it with the lock that would block ours.
FLOCK = struct.Struct("hhqqi")


def locked_by(path):
    """The pid that path names, when that pid holds its lock; else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    try:
        asked = FLOCK.pack(fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
        kind, _, _, _, holder = FLOCK.unpack(fcntl.fcntl(fd, fcntl.F_GETLK, asked))
        if kind == fcntl.F_UNLCK:
            return None
        named = os.pread(fd, 32, 0)
    finally:
        os.close(fd)
    if named != f"{holder}\n".encode():
        raise OSError(errno.EPERM, f"{path} names another pid than its lock's holder, {holder}")
    return holder


def main(argv):
    if len(argv) != 3 or argv[1] not in ("start", "stop") or argv[2][:1] != "/":
        sys.exit(f"usage: {argv[0]} start|stop /ABSOLUTE/PIDFILE")
    daemon = Daemon(argv[2])
    sys.exit(daemon.stop() if argv[1] == "stop" else daemon.start())


if __name__ == "__main__":
    main(sys.argv)
