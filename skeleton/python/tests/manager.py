"""manager.py: a service manager played by the tests, for the new-style mode
of both reference daemons (`mydaemon run`, in C and in Python).

It starts a service as a service manager does (a session of its own, cwd
/, umask 022, stdin on /dev/null, stdout and stderr one pipe, every signal
reset, no descriptor but an optional listening socket at 3, a clean
environment plus the manager's variables), and it listens to what the
service tells it on a NOTIFY_SOCKET of its own (a path or an abstract name)
with SO_PASSCRED on, so that every datagram carries the pid of the process
that sent it.

Everything is awaited on events: the notify socket, the output pipe, a
pidfd. A timeout is only the bound after which a test fails.
"""

import collections
import fcntl
import os
import secrets
import select
import signal
import socket
import struct
import time

TIMEOUT = 10.0
MANAGER_VARIABLES = ("NOTIFY_SOCKET", "LISTEN_PID", "LISTEN_FDS",
                     "LISTEN_FDNAMES", "WATCHDOG_USEC", "WATCHDOG_PID")
SELF = "self"       # a LISTEN_PID or WATCHDOG_PID naming the service itself

_UCRED = struct.Struct("iII")   # struct ucred: pid, uid, gid

Message = collections.namedtuple("Message", "pid uid gid text fields at")
Message.__doc__ = """One notification: its sender's credentials, its text, its
KEY=VALUE lines as a dict, and when it was received (time.monotonic())."""


class ManagerError(AssertionError):
    """What the service failed to do, with what it said."""


class Manager:
    """One notify socket, and the services started to report to it."""

    def __init__(self, directory, abstract=False):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if abstract:
            name = f"daemon-kit/test-manager/{os.getpid()}/{secrets.token_hex(8)}"
            self.sock.bind(b"\0" + name.encode())
            self.address = "@" + name
        else:
            self.address = os.path.join(directory, "notify")
            self.sock.bind(self.address)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.sock.setblocking(False)
        self.messages = []

    def close(self):
        self.sock.close()

    # ---- starting a service --------------------------------------------

    def start(self, argv, listen=None, listen_pid=SELF, listen_fds=1,
              fdnames="mydaemon.socket", watchdog_usec=None, watchdog_pid=SELF,
              env=None):
        """Start argv as a service; returns a Service.

        listen: a listening socket passed at descriptor 3, with LISTEN_FDS,
        LISTEN_PID (SELF, or another pid) and LISTEN_FDNAMES. watchdog_usec:
        sets WATCHDOG_USEC, and WATCHDOG_PID unless watchdog_pid is None.
        env: more variables."""
        environ = {"NOTIFY_SOCKET": self.address}
        environ.update(env or {})
        if listen is not None:
            environ.update(LISTEN_PID=listen_pid, LISTEN_FDS=str(listen_fds),
                           LISTEN_FDNAMES=fdnames)
        if watchdog_usec is not None:
            environ["WATCHDOG_USEC"] = str(watchdog_usec)
            if watchdog_pid is not None:
                environ["WATCHDOG_PID"] = watchdog_pid
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            _exec_service(argv, environ, write_end,
                          None if listen is None else listen.fileno())
        os.close(write_end)
        return Service(self, pid, read_end)

    # ---- what the service says -----------------------------------------

    def receive(self, timeout):
        """The next datagram (recorded in self.messages), or None."""
        if not _readable(self.sock, timeout):
            return None
        data, ancillary, _, _ = self.sock.recvmsg(4096, socket.CMSG_SPACE(_UCRED.size))
        at = time.monotonic()
        pid = uid = gid = None
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid, uid, gid = _UCRED.unpack(payload[:_UCRED.size])
        text = data.decode("utf-8", "replace")
        fields = dict(line.split("=", 1) for line in text.split("\n") if "=" in line)
        message = Message(pid, uid, gid, text, fields, at)
        self.messages.append(message)
        return message

    def drain(self):
        """Every datagram already queued."""
        while self.receive(0) is not None:
            pass

    def wait_for(self, service, key, value=None, timeout=TIMEOUT, after=None):
        """The first message received after index `after` (default: any
        so far not yet returned by wait_for) whose fields have key (=value).
        Fails when the service exits first, or after timeout."""
        start = self._cursor if after is None else after
        deadline = time.monotonic() + timeout
        index = start
        while True:
            while index < len(self.messages):
                message = self.messages[index]
                index += 1
                if key in message.fields and (value is None or message.fields[key] == value):
                    self._cursor = index
                    return message
            left = deadline - time.monotonic()
            if left <= 0:
                raise ManagerError(f"no {key}{'=' + value if value else ''} within "
                                   f"{timeout:g} s\n" + self.describe(service))
            ready = _poll([self.sock, service.pidfd], left)
            if self.sock.fileno() in ready:
                self.receive(0)
            elif service.pidfd in ready:
                self.drain()
                if index >= len(self.messages):
                    raise ManagerError(f"the service exited before {key}"
                                       f"{'=' + value if value else ''}\n"
                                       + self.describe(service))

    _cursor = 0

    def since(self, index):
        return self.messages[index:]

    def describe(self, service):
        service.read_output()
        said = "\n".join(f"    [pid {m.pid}] {m.text!r}" for m in self.messages) or "    (nothing)"
        return f"  notifications:\n{said}\n  output:\n" + _indent(service.output)


class Service:
    """A started service: its pid, a pidfd on it, and its output pipe."""

    def __init__(self, manager, pid, output_fd):
        self.manager = manager
        self.pid = pid
        self.pidfd = os.pidfd_open(pid)
        self.out = output_fd
        os.set_blocking(self.out, False)
        self.output = ""
        self.output_closed = False  # every writer of the pipe is gone
        self.status = None      # exit code once reaped (negative: signal)

    def read_output(self):
        while not self.output_closed:
            try:
                chunk = os.read(self.out, 65536)
            except BlockingIOError:
                return
            if not chunk:
                self.output_closed = True
                return
            self.output += chunk.decode("utf-8", "replace")

    def wait_output(self, fragment, timeout=TIMEOUT):
        """The first output line containing fragment; fails after timeout."""
        deadline = time.monotonic() + timeout
        while True:
            self.read_output()
            for line in self.output.splitlines():
                if fragment in line:
                    return line
            left = deadline - time.monotonic()
            if self.output_closed or left <= 0 or not _poll([self.out], left):
                raise ManagerError(f"no output line with {fragment!r}\n"
                                   + self.manager.describe(self))

    def signal(self, signum):
        signal.pidfd_send_signal(self.pidfd, signum)

    def wait_exit(self, timeout=TIMEOUT):
        """The exit code (negative: killed by that signal); fails after timeout."""
        if self.status is None:
            if not _poll([self.pidfd], timeout):
                raise ManagerError(f"pid {self.pid} still running after {timeout:g} s\n"
                                   + self.manager.describe(self))
            _, status = os.waitpid(self.pid, 0)
            self.status = os.waitstatus_to_exitcode(status)
            self.read_output()
        return self.status

    def kill(self):
        """Cleanup: SIGKILL through the pidfd (never a reused pid), reap, close."""
        if self.status is None:
            try:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.wait_exit()
        for fd in (self.pidfd, self.out):
            os.close(fd)
        self.pidfd = self.out = -1

    def proc_fds(self):
        """{fd: target} of the service's descriptors."""
        base = f"/proc/{self.pid}/fd"
        return {int(n): os.readlink(os.path.join(base, n)) for n in os.listdir(base)}

    def children(self):
        """The pids of its children, zombies included."""
        with open(f"/proc/{self.pid}/task/{self.pid}/children") as f:
            return [int(p) for p in f.read().split()]

    def fd_flags(self, fd):
        """The 'flags' field of /proc/PID/fdinfo/FD (octal open flags)."""
        with open(f"/proc/{self.pid}/fdinfo/{fd}") as f:
            for line in f:
                if line.startswith("flags:"):
                    return int(line.split()[1], 8)
        return None


def listening_inodes():
    """Inodes of the TCP sockets in state LISTEN, from /proc/net/tcp{,6}."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if fields[3] == "0A":       # TCP_LISTEN
                        inodes.add(int(fields[9]))
        except FileNotFoundError:
            pass
    return inodes


def socket_inode(target):
    """The inode of a /proc/PID/fd target "socket:[N]", or None."""
    if target.startswith("socket:["):
        return int(target[len("socket:["):-1])
    return None


def tcp_listener():
    """A listening TCP socket on 127.0.0.1, on a port the kernel picks."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    return sock


def fetch_line(address, timeout=TIMEOUT):
    """Connect to (host, port), read one line until the service closes."""
    with socket.create_connection(address, timeout=timeout) as conn:
        data = b""
        while True:
            chunk = conn.recv(4096)
            if not chunk:
                return data.decode("utf-8", "replace")
            data += chunk


def serving_address(message):
    """(host, port) from "STATUS=serving on 127.0.0.1:PORT"."""
    status = message.fields.get("STATUS", "")
    prefix = "serving on "
    if not status.startswith(prefix):
        raise ManagerError(f"expected STATUS={prefix}ADDR, got {message.text!r}")
    host, _, port = status[len(prefix):].split()[0].rpartition(":")
    return host.strip("[]"), int(port)


def _exec_service(argv, environ, output_fd, listen_fd):
    """In the forked child: become the service. Only os._exit leaves."""
    try:
        os.setsid()
        os.chdir("/")
        os.umask(0o022)
        null = os.open(os.devnull, os.O_RDONLY)
        # Moved out of the way first, so that no dup2 below clobbers one
        # of them (any may sit on 0-3 in the parent).
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 100)
                for fd in (null, output_fd, listen_fd) if fd is not None]
        os.dup2(high[0], 0)
        os.dup2(high[1], 1)
        os.dup2(high[1], 2)
        if listen_fd is not None:
            os.dup2(high[2], 3)
        os.closerange(4 if listen_fd is not None else 3, os.sysconf("SC_OPEN_MAX"))
        for signum in signal.valid_signals():
            if signum not in (signal.SIGKILL, signal.SIGSTOP):
                try:
                    signal.signal(signum, signal.SIG_DFL)
                except (OSError, ValueError):
                    pass    # the ones the C library keeps for itself
        signal.pthread_sigmask(signal.SIG_SETMASK, ())
        env = {k: (str(os.getpid()) if v == SELF else str(v)) for k, v in environ.items()}
        os.execve(argv[0], argv, env)
    except BaseException as exc:    # noqa: B036 -- whatever it was, report and leave
        try:
            os.write(2, f"manager: unable to start {argv[0]}: {exc}\n".encode())
        finally:
            os._exit(127)
    os._exit(127)


def _poll(fds, timeout):
    poller = select.poll()
    for fd in fds:
        poller.register(fd, select.POLLIN)
    return {fd for fd, _ in poller.poll(max(0, int(timeout * 1000 + 0.999)))}


def _readable(sock, timeout):
    return bool(_poll([sock], timeout))


def _indent(text):
    return "\n".join("    " + line for line in text.splitlines()) or "    (nothing)"
