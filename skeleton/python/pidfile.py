"""pidfile.py: a daemon's pidfile, kept the way FreeBSD's pidfile(3) keeps it.

A pidfile says "this daemon runs as pid N" only while its owner holds a lock
on it: the lock dies with the process, so a file left behind by a crash is
recognisably stale and can be taken over, and a second instance is refused
without guessing from a pid that may since have been reused.

The lock is a POSIX record lock (fcntl F_SETLK), for two reasons:
- another process can ask who holds it (F_GETLK returns the holder's pid),
  which flock(2) cannot tell;
- it belongs to the process that took it and is NOT inherited across fork.
  That is why a daemon must take it after its last fork: taken earlier, it
  would belong to a parent that exits a moment later, releasing it.

The flip side of "owned by the process": closing ANY descriptor on the file
in the owning process drops the lock. A daemon holding its pidfile must never
open the path again (so never call inspect() in the daemon itself).

Library code: errors are raised (OSError with errno, or AlreadyRunning),
nothing is printed, nothing exits.
"""

import collections
import errno
import fcntl
import os
import stat
import struct

MODE = 0o644    # readable by all, writable only by the owner: whoever can
                # rewrite a pidfile chooses what `stop` kills

# Linux's struct flock with a 64-bit off_t: l_type, l_whence, l_start,
# l_len, l_pid. Native alignment gives the C layout (the kernel may write
# trailing padding; fcntl.fcntl hands it a 1024-byte buffer).
_FLOCK = struct.Struct("hhqqi")

_OPEN_FLAGS = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
# O_NOFOLLOW: a symlink planted at the path must not redirect our writes.
# O_NONBLOCK: a FIFO planted at the path must not hang the open.

_TAKEOVER_ATTEMPTS = 8  # each failure needs the file replaced under us


class AlreadyRunning(Exception):
    """The pidfile is locked by a live process: pid (0 if in another pid namespace)."""

    def __init__(self, path, pid):
        super().__init__(path, pid)
        self.path = path
        self.pid = pid


State = collections.namedtuple("State", "exists holder content")
State.__doc__ = """What a pidfile says, seen from outside its owner.

exists: the path names a regular file;
holder: pid of the process holding its lock, None when nobody does
        (0: a process in another pid namespace);
content: the pid written in it when it reads exactly "PID\\n", else None.
"""


class Pidfile:
    """A pidfile created (or taken over) and locked by this process."""

    def __init__(self, path, fd):
        self.path = path
        self.fd = fd

    @classmethod
    def acquire(cls, path):
        """Create or take over path and lock it; raise AlreadyRunning if locked.

        The lock is taken on what we opened, then the path is checked to
        still name that very file (device and inode): an exiting owner
        unlinks its pidfile while we wait between open and lock, and a lock
        on an unlinked file would protect nothing.
        """
        for _ in range(_TAKEOVER_ATTEMPTS):
            fd = _open_regular(path, os.O_RDWR | os.O_CREAT)
            try:
                if _try_lock(fd, path) and _still_named(fd, path):
                    _make_ours(fd)
                    return cls(path, fd)
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)
        raise OSError(errno.EAGAIN, "pidfile keeps being replaced", path)

    def write(self, pid):
        """Replace the content with "PID\\n" (truncate, then write at offset 0)."""
        data = f"{pid}\n".encode("ascii")
        os.ftruncate(self.fd, 0)
        if os.pwrite(self.fd, data, 0) != len(data):
            raise OSError(errno.EIO, "short write to pidfile", self.path)

    def remove(self):
        """Unlink the pidfile if the path still names ours, then release the lock.

        Unlinking before closing keeps the lock until the name is gone, so a
        new instance never sees our file unlocked.
        """
        try:
            if _still_named(self.fd, self.path):
                os.unlink(self.path)
        finally:
            fd, self.fd = self.fd, -1
            if fd >= 0:
                os.close(fd)


def inspect(path):
    """Return the State of the pidfile at path (never creates or locks it)."""
    try:
        fd = _open_regular(path, os.O_RDONLY)
    except FileNotFoundError:
        return State(False, None, None)
    try:
        return State(True, _lock_holder(fd), _parse(_read_all(fd)))
    finally:
        os.close(fd)


def _open_regular(path, flags):
    fd = os.open(path, flags | _OPEN_FLAGS, MODE)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", path)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _try_lock(fd, path):
    """True once locked; False if the holder let go between our two calls."""
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno not in (errno.EAGAIN, errno.EACCES):
            raise
        holder = _lock_holder(fd)
        if holder is None:
            return False
        raise AlreadyRunning(path, holder) from None
    return True


def _lock_holder(fd):
    """Pid holding a lock that would block ours on fd, or None."""
    query = _FLOCK.pack(fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
    l_type, _, _, _, l_pid = _FLOCK.unpack(fcntl.fcntl(fd, fcntl.F_GETLK, query))
    return None if l_type == fcntl.F_UNLCK else l_pid


def _still_named(fd, path):
    try:
        named = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def _make_ours(fd):
    """Own the file and give it MODE: a stale pidfile may come from a
    careless writer (the seed's is 0666) or from another user, who could
    otherwise still rewrite it. Taking over another user's file needs root:
    for anyone else fchown fails (EPERM), and the takeover is refused."""
    st = os.fstat(fd)
    if st.st_uid != os.geteuid():
        os.fchown(fd, os.geteuid(), os.getegid())
    if stat.S_IMODE(st.st_mode) != MODE:
        os.fchmod(fd, MODE)


def _read_all(fd, limit=64):
    data = os.pread(fd, limit + 1, 0)
    return data if len(data) <= limit else b""


def _parse(data):
    """The pid of a well-formed pidfile ("PID\\n", no leading zero), else None."""
    digits = data[:-1]
    if not data.endswith(b"\n") or not digits.isdigit() or digits.startswith(b"0"):
        return None
    return int(digits)
