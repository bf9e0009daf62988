"""sdnotify.py: telling the service manager how the service is doing, by
hand: the notification protocol of sd_notify(3) and the watchdog rules of
sd_watchdog_enabled(3). Standard library only.

Why no libsystemd (nor a binding of it): the whole protocol is one datagram
of newline-separated KEY=VALUE lines, sent to the AF_UNIX address that
$NOTIFY_SOCKET names. A dependency for that is not worth it, and the
reference must run anywhere, with or without systemd.

Library code: failures raise OSError (or ValueError for a malformed
variable), nothing is printed. A failed notification is the caller's to
log: it must never stop the service.
"""

import errno
import os
import socket
import time

SEND_TIMEOUT = 1.0      # seconds a send may wait on a manager's full queue
_SUN_PATH_MAX = 108     # sizeof(struct sockaddr_un.sun_path) on Linux


def parse_address(value):
    """The socket address of $NOTIFY_SOCKET's value, or None when unset.

    A path stays a str. An abstract name ("@name") becomes bytes with a
    leading NUL, and exactly its bytes: Python then counts only those in
    the address length, as the protocol requires.
    """
    if not value:
        return None
    if value[0] not in "/@":
        raise OSError(errno.EAFNOSUPPORT, f"not a path or an abstract name: {value!r}")
    raw = os.fsencode(value)
    if len(raw) > _SUN_PATH_MAX:
        raise OSError(errno.ENAMETOOLONG, f"longer than sun_path: {value!r}")
    if value[0] == "@":
        return b"\0" + raw[1:]
    return value


def monotonic_usec():
    """CLOCK_MONOTONIC in microseconds."""
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000


class Notifier:
    """Sends notifications to one manager; a no-op when there is none."""

    def __init__(self, notify_socket):
        """notify_socket: the value of $NOTIFY_SOCKET (None or "": no manager)."""
        self.address = parse_address(notify_socket)
        self._sock = None
        if self.address is not None:
            self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            # A datagram to a full queue waits: a manager that stopped
            # reading must not freeze the service for good.
            self._sock.settimeout(SEND_TIMEOUT)

    def send(self, *lines):
        """Send the KEY=VALUE lines as one datagram."""
        if self._sock is None:
            return
        data = "\n".join(lines).encode()
        sent = self._sock.sendto(data, self.address)
        if sent != len(data):
            raise OSError(errno.EMSGSIZE, "notification truncated")

    def reloading(self, *extra):
        """RELOADING=1 with MONOTONIC_USEC= read right before sending (what
        Type=notify-reload requires), then the extra lines."""
        self.send("RELOADING=1", f"MONOTONIC_USEC={monotonic_usec()}", *extra)

    def close(self):
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def _decimal(value, name, maximum):
    if not value.isascii() or not value.isdigit() or int(value) > maximum:
        raise ValueError(f"{name}={value!r} is not a decimal number")
    return int(value)


def watchdog_usec(usec, pid, self_pid):
    """The watchdog interval in microseconds when this process must ping it,
    from the values of $WATCHDOG_USEC and $WATCHDOG_PID (either may be None):
    None when there is no watchdog, or when WATCHDOG_PID names another
    process (a child that inherited the variables must stay silent).
    Raises ValueError when a value is malformed. Pings are due every half
    interval."""
    if not usec:
        return None
    interval = _decimal(usec, "WATCHDOG_USEC", 2**64 - 2)
    if interval == 0:
        raise ValueError("WATCHDOG_USEC=0")
    if pid:
        owner = _decimal(pid, "WATCHDOG_PID", 2**31 - 1)
        if owner == 0:
            raise ValueError("WATCHDOG_PID=0")
        if owner != self_pid:
            return None
    return interval
