"""listenfds.py: socket activation received by hand, by the rules of
sd_listen_fds(3): the service manager opens the listening sockets, passes
them as descriptors 3, 4, ... and says so in $LISTEN_FDS, for the process
that $LISTEN_PID names and no other. Standard library only.

Library code: failures raise OSError or ValueError, nothing is printed.
"""

import errno
import os
import socket

START = 3   # the first passed descriptor (SD_LISTEN_FDS_START)


def _decimal(value, name):
    if not value.isascii() or not value.isdigit() or int(value) > 2**31 - 1:
        raise ValueError(f"{name}={value!r} is not a decimal number")
    return int(value)


def take(listen_pid, listen_fds, self_pid):
    """How many descriptors were passed to this process, from the values of
    $LISTEN_PID and $LISTEN_FDS (either may be None): 0 when none, or when
    they were meant for another process; otherwise n >= 1, once descriptors
    3 to 3+n-1 are made non-inheritable, so that no program the service
    starts gets them. ValueError when a value is malformed, OSError (EBADF)
    when a promised descriptor is not open."""
    if not listen_pid:
        return 0
    pid = _decimal(listen_pid, "LISTEN_PID")
    if pid == 0:
        raise ValueError("LISTEN_PID=0")
    if pid != self_pid or not listen_fds:
        return 0
    count = _decimal(listen_fds, "LISTEN_FDS")
    # The manager hands them over inheritable (they had to cross its exec);
    # here they belong to this process alone.
    for fd in range(START, START + count):
        os.set_inheritable(fd, False)
    return count


def listening_stream(fd):
    """A socket object for fd once it proves to be a listening SOCK_STREAM
    socket (any family). OSError ENOTSOCK (not a socket), EPROTOTYPE (not a
    stream socket) or EINVAL (not listening, as accept(2) would say); on
    failure fd is left open."""
    sock = socket.socket(fileno=fd)     # ENOTSOCK for anything else
    try:
        if sock.type != socket.SOCK_STREAM:
            raise OSError(errno.EPROTOTYPE, "not a stream socket")
        if not sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
            raise OSError(errno.EINVAL, "not a listening socket")
    except BaseException:
        sock.detach()
        raise
    return sock
