#!/usr/bin/env python3
"""10-start-stop.py: the starting point of exercise 10 (start and stop): the steps
before it are done, and each TODO comment marks where this step goes.

The seed's class shape: Daemon(pidfile) with start(), stop(), daemonize()
and run(); standard library only. Usage:

    python3 10-start-stop.py start /ABSOLUTE/PIDFILE
"""
import errno
import fcntl
import os
import signal
import sys
import syslog

READY = b"ready\n"      # what the daemon says on the readiness pipe


class Daemon:
    def __init__(self, pidfile):
        self.pidfile = pidfile
        self.read_fd = self.ready_fd = -1   # the readiness pipe's ends
        self.pidfile_fd = -1    # open (and locked) for the daemon's life
        self.log_open = False

    def start(self):
        self.read_fd, self.ready_fd = os.pipe()     # step 9: readiness pipe
        try:
            self.daemonize()        # returns in the daemon only
            self.pidfile_fd = create_pidfile(self.pidfile)   # step 9
            self.start_job()
        except OSError as exc:
            self.fatal(exc)
        self.report(READY)          # step 9: now the launcher may exit
        self.run()

    # TODO step 10: stop(): send SIGTERM to the pid that the pidfile names,
    # only if that pid holds the pidfile's lock, then wait until it ends.

    def daemonize(self):
        """The steps that make this process a daemon, in the order the
        recipe needs them."""
        if os.fork() > 0:                   # step 1: fork;
            os.close(self.ready_fd)         # step 9: so that EOF can come
            os._exit(wait_until_ready(self.read_fd))  # step 9: once told
        os.close(self.read_fd)
        os.umask(0)                         # step 2: modes are ours alone
        syslog.openlog("10-start-stop", syslog.LOG_PID | syslog.LOG_NDELAY,
                       syslog.LOG_DAEMON)   # step 3: the log, early
        self.log_open = True
        syslog.syslog(syslog.LOG_INFO, "starting")
        os.setsid()                         # step 4: a new session
        if os.fork() > 0:                   # step 8: fork again;
            os._exit(0)                     # step 8: the leader leaves
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
        # TODO step 10: leave the loop on SIGTERM, remove the pidfile and
        # exit 0.

    def fatal(self, exc):
        """Report a failed step to whoever can still hear it, then exit 1."""
        line = f"10-start-stop: fatal: {exc.strerror or exc}"
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
                     "10-start-stop: fatal: the daemon ended before it was ready\n")
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


def main(argv):
    if len(argv) != 3 or argv[1] != "start" or argv[2][:1] != "/":
        sys.exit(f"usage: {argv[0]} start /ABSOLUTE/PIDFILE")
    Daemon(argv[2]).start()


if __name__ == "__main__":
    main(sys.argv)
