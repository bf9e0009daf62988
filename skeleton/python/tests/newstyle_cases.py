"""newstyle_cases.py: what `mydaemon run` must do under a service manager,
the same cases for both references: test_newstyle.py runs them on the
Python twin, skeleton/c/tests/newstyle.py on the C daemon.

NewStyleCases is a mixin for a unittest.TestCase that has a scratch
directory (support.ScratchTestCase) and defines:

    program(*args)   the argv that runs `mydaemon run ARGS...`
    units_dir        the directory of its mydaemon.service and .socket
    installed        {path in the units: path of the built program here}

The manager is played by manager.py; every wait is on the notify socket,
the service's output or a pidfd, bounded by a timeout.
"""

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time

import manager
from manager import MANAGER_VARIABLES, SELF, Manager, fetch_line, serving_address

DEFAULT_GREETING = "hello from mydaemon\n"
WATCHDOG_USEC = 200000      # 200 ms, as the checker's --watchdog 200
O_CLOEXEC = 0o2000000
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
CHECKER = os.path.join(REPO_ROOT, "checker", "checker")

# The reload hook: prints, on the service's stdout (the journal), its own
# environment, descriptors and blocked signals (inherited across exec), as
# one line that the test reads back.
HOOK_SCRIPT = """\
import json, os
fds = sorted(int(n) for n in os.listdir("/proc/self/fd"))
fds = [fd for fd in fds if os.path.exists(f"/proc/self/fd/{fd}")]
with open("/proc/self/status") as f:
    blocked = [line.split()[1] for line in f if line.startswith("SigBlk:")][0]
print("hook-report " + json.dumps({"env": dict(os.environ), "fds": fds,
                                   "blocked": blocked}), flush=True)
"""


class NewStyleCases:

    timeout = manager.TIMEOUT   # a subclass under valgrind may raise it

    def program(self, *args):
        raise NotImplementedError

    # ---- helpers -------------------------------------------------------

    def manager(self, abstract=False):
        m = Manager(self.dir, abstract)
        self.addCleanup(m.close)
        return m

    def start(self, m, *args, **kwargs):
        service = m.start(self.program(*args), **kwargs)
        self.addCleanup(service.kill)
        return service

    def assertFromMain(self, m, service):
        """Every datagram so far came from the service's main process."""
        senders = {msg.pid for msg in m.messages}
        self.assertEqual(senders, {service.pid},
                         "sender pids (SCM_CREDENTIALS) of the notifications\n"
                         + m.describe(service))

    def await_ready_and_connect(self, m, service, address=None):
        """Wait for the first READY=1 and connect at once: it must be served."""
        ready = m.wait_for(service, "READY", "1", timeout=self.timeout, after=0)
        line = fetch_line(address or serving_address(ready), timeout=self.timeout)
        return ready, line

    def stop_cleanly(self, m, service):
        """SIGTERM: STOPPING=1 is sent before the exit, and the exit is 0."""
        mark = len(m.messages)
        service.signal(signal.SIGTERM)
        code = service.wait_exit(self.timeout)
        # Sent before the exit means queued by the time the pidfd fired.
        m.drain()
        stopping = [msg for msg in m.since(mark) if msg.fields.get("STOPPING") == "1"]
        self.assertTrue(stopping, "STOPPING=1 before the exit\n" + m.describe(service))
        self.assertEqual(code, 0, "exit status after SIGTERM\n" + m.describe(service))
        self.assertFromMain(m, service)

    def reload(self, m, service):
        """SIGHUP: RELOADING=1 with a fresh MONOTONIC_USEC, then READY=1."""
        mark = len(m.messages)
        service.signal(signal.SIGHUP)
        reloading = m.wait_for(service, "RELOADING", "1", timeout=self.timeout, after=mark)
        now = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        self.assertIn("MONOTONIC_USEC", reloading.fields, reloading.text)
        sent = int(reloading.fields["MONOTONIC_USEC"])
        self.assertTrue(now - 1000000 <= sent <= now,
                        f"MONOTONIC_USEC={sent} is not within the last second of "
                        f"CLOCK_MONOTONIC ({now})")
        return m.wait_for(service, "READY", "1", timeout=self.timeout)

    # ---- readiness, status, stop ----------------------------------------

    def check_a_whole_life(self, abstract):
        m = self.manager(abstract)
        service = self.start(m, "--port", "0")
        starting = m.wait_for(service, "STATUS", "starting", timeout=self.timeout)
        ready, line = self.await_ready_and_connect(m, service)
        self.assertGreater(ready.at, starting.at)
        self.assertRegex(ready.fields["STATUS"], r"^serving on 127\.0\.0\.1:[1-9][0-9]*$")
        self.assertEqual(line, DEFAULT_GREETING)
        self.assertIn("serving on 127.0.0.1:", service.wait_output("serving on"))
        self.stop_cleanly(m, service)
        statuses = [msg.fields["STATUS"] for msg in m.messages if "STATUS" in msg.fields]
        self.assertEqual(statuses[0], "starting")
        self.assertEqual(statuses[-1], "stopping")

    def test_ready_only_when_served_path_socket(self):
        self.check_a_whole_life(abstract=False)

    def test_ready_only_when_served_abstract_socket(self):
        self.check_a_whole_life(abstract=True)

    def test_stays_in_the_foreground(self):
        m = self.manager()
        service = self.start(m, "--port", "0")
        self.await_ready_and_connect(m, service)
        fds = service.proc_fds()
        # Still the process we started, in the session we gave it, with the
        # output pipe as stdout and stderr, and no pidfile or log opened.
        self.assertEqual(os.getsid(service.pid), service.pid, "its session")
        self.assertEqual(fds[1], fds[2])
        self.assertTrue(fds[1].startswith("pipe:"), fds)
        files = [t for t in fds.values() if t.startswith("/") and t != os.devnull]
        self.assertEqual(files, [], f"files it holds open: {fds}")
        self.assertEqual(service.children(), [], "it forked nothing")
        self.stop_cleanly(m, service)

    # ---- reload -----------------------------------------------------------

    def test_reload_rereads_config_then_is_ready_again(self):
        m = self.manager()
        config = os.path.join(self.dir, "greeting")
        with open(config, "w") as f:
            f.write("first greeting\nignored second line\n")
        service = self.start(m, "--port", "0", "--config", config)
        ready, line = self.await_ready_and_connect(m, service)
        self.assertEqual(line, "first greeting\n")

        with open(config, "w") as f:
            f.write("second greeting\n")
        again = self.reload(m, service)
        self.assertEqual(fetch_line(serving_address(again)), "second greeting\n")
        statuses = [msg.fields.get("STATUS") for msg in m.messages]
        self.assertIn("reloading", statuses)

        # A configuration that cannot be read keeps the old one in force,
        # and the service ready.
        os.unlink(config)
        os.mkdir(config)
        again = self.reload(m, service)
        self.assertEqual(fetch_line(serving_address(again)), "second greeting\n")
        self.assertIn("warning", service.wait_output("unable to read"))
        self.stop_cleanly(m, service)

    # ---- watchdog ---------------------------------------------------------

    def collect_pings(self, m, service, count):
        pings = []
        while len(pings) < count:
            pings.append(m.wait_for(service, "WATCHDOG", "1", timeout=self.timeout))
        return pings

    def test_watchdog_every_half_interval(self):
        m = self.manager()
        service = self.start(m, "--port", "0", watchdog_usec=WATCHDOG_USEC)
        ready = m.wait_for(service, "READY", "1", timeout=self.timeout)
        pings = self.collect_pings(m, service, 6)
        times = [ready.at] + [p.at for p in pings]
        gaps = [b - a for a, b in zip(times, times[1:])]
        interval = WATCHDOG_USEC / 1e6
        # Every gap within the interval, or a manager would kill the service;
        # the pace at half the interval, give or take the machine's noise.
        self.assertLess(max(gaps), interval, f"gaps between pings: {gaps}")
        self.assertLess(sum(gaps) / len(gaps), interval / 2 * 1.15, f"gaps: {gaps}")
        self.assertGreater(sum(gaps) / len(gaps), interval / 2 * 0.85, f"gaps: {gaps}")
        self.stop_cleanly(m, service)

    def test_watchdog_without_watchdog_pid_is_ours(self):
        m = self.manager()
        service = self.start(m, "--port", "0", watchdog_usec=WATCHDOG_USEC, watchdog_pid=None)
        self.collect_pings(m, service, 2)
        self.stop_cleanly(m, service)

    def test_watchdog_of_another_pid_stays_silent(self):
        # 20 ms: a service that took the watchdog for its own would ping
        # every 10 ms; the absence is watched for six times that.
        m = self.manager()
        service = self.start(m, "--port", "0", watchdog_usec=20000,
                             watchdog_pid=str(os.getpid()))
        m.wait_for(service, "READY", "1", timeout=self.timeout)
        with self.assertRaises(manager.ManagerError):
            m.wait_for(service, "WATCHDOG", timeout=0.06)
        self.stop_cleanly(m, service)
        self.assertNotIn("WATCHDOG", {k for msg in m.messages for k in msg.fields})

    # ---- socket activation -------------------------------------------------

    def test_socket_activation_serves_on_descriptor_3(self):
        m = self.manager()
        listener = manager.tcp_listener()
        self.addCleanup(listener.close)
        service = self.start(m, "--port", "0", listen=listener)
        ready, line = self.await_ready_and_connect(m, service, listener.getsockname())
        self.assertEqual(line, DEFAULT_GREETING)
        host, port = listener.getsockname()
        self.assertEqual(ready.fields["STATUS"], f"serving on {host}:{port}")
        fds = service.proc_fds()
        passed = os.fstat(listener.fileno()).st_ino
        self.assertEqual(manager.socket_inode(fds.get(3, "")), passed, fds)
        # It opened no listening socket of its own.
        own = {manager.socket_inode(t) for t in fds.values()} & manager.listening_inodes()
        self.assertEqual(own, {passed}, f"listening sockets of the service: {fds}")
        # Close-on-exec now, so that no child of the service inherits it.
        self.assertTrue(service.fd_flags(3) & O_CLOEXEC, "descriptor 3 close-on-exec")
        self.stop_cleanly(m, service)

    def test_listen_pid_of_another_process_is_ignored(self):
        m = self.manager()
        listener = manager.tcp_listener()
        self.addCleanup(listener.close)
        service = self.start(m, "--port", "0", listen=listener, listen_pid=str(os.getpid()))
        ready, line = self.await_ready_and_connect(m, service)
        self.assertEqual(line, DEFAULT_GREETING)
        self.assertNotEqual(serving_address(ready), listener.getsockname())
        fds = service.proc_fds()
        own = {manager.socket_inode(t) for t in fds.values()} & manager.listening_inodes()
        self.assertEqual(len(own), 2, f"the passed socket, and its own: {fds}")
        self.stop_cleanly(m, service)

    def test_descriptor_3_that_does_not_listen_is_refused(self):
        m = self.manager()
        unbound = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(unbound.close)
        service = self.start(m, "--port", "0", listen=unbound)
        self.assertEqual(service.wait_exit(self.timeout), 1, m.describe(service))
        self.assertRegex(service.output,
                         r"mydaemon: fatal: unable to serve on descriptor 3 .*"
                         r"not a listening stream socket")
        m.drain()
        self.assertNotIn("READY", {k for msg in m.messages for k in msg.fields})

    # ---- the environment of children ---------------------------------------

    def test_children_get_none_of_the_manager_variables(self):
        hook = os.path.join(self.dir, "hook.py")
        with open(hook, "w") as f:
            f.write(HOOK_SCRIPT)
        m = self.manager()
        listener = manager.tcp_listener()
        self.addCleanup(listener.close)
        service = self.start(m, "--reload-hook", shlex.join([sys.executable, hook]),
                             listen=listener, watchdog_usec=WATCHDOG_USEC,
                             env={"KEPT": "yes"})
        self.await_ready_and_connect(m, service, listener.getsockname())
        self.reload(m, service)
        report = json.loads(service.wait_output("hook-report ").split(" ", 1)[1])
        leaked = sorted(set(MANAGER_VARIABLES) & set(report["env"]))
        self.assertEqual(leaked, [], "the manager's variables in the child's environment")
        self.assertEqual(report["env"].get("KEPT"), "yes", "the rest of it is inherited")
        self.assertEqual(report["fds"], [0, 1, 2], "the child's descriptors")
        self.assertEqual(int(report["blocked"], 16), 0, "the child's blocked signals")
        # The service reaps it, and says so.
        self.assertIn("exited with status 0", service.wait_output("exited with"))
        self.assertEqual(service.children(), [], "no child left, not even a zombie")
        self.stop_cleanly(m, service)

    # ---- the checker's run ---------------------------------------------------

    def test_the_checkers_new_style_run(self):
        """What `checker --profile new-style --socket-activation --watchdog 200`
        announces it will do, played here: an activated socket and a 200 ms
        watchdog, a connection when READY=1 arrives, a settle, SIGHUP, a
        settle, SIGTERM. The settles are counted in watchdog pings (about
        300 ms each), not slept."""
        m = self.manager()
        listener = manager.tcp_listener()
        self.addCleanup(listener.close)
        service = self.start(m, listen=listener, watchdog_usec=WATCHDOG_USEC)
        ready, line = self.await_ready_and_connect(m, service, listener.getsockname())
        self.assertEqual(line, DEFAULT_GREETING)
        self.collect_pings(m, service, 3)
        self.reload(m, service)
        self.collect_pings(m, service, 3)
        self.stop_cleanly(m, service)
        # Pings all along, from READY=1 to STOPPING=1, never a full interval apart.
        times = [msg.at for msg in m.messages[m.messages.index(ready):]
                 if msg.fields.get("WATCHDOG") == "1" or msg is ready]
        gaps = [b - a for a, b in zip(times, times[1:])]
        self.assertLess(max(gaps), WATCHDOG_USEC / 1e6, f"gaps between pings: {gaps}")
        # stdout and stderr stayed the manager's pipe: every line came through.
        for said in ("serving on", "reloading on SIGHUP", "stopping on SIGTERM", "stopped"):
            self.assertIn(said, service.output)

    # ---- the command line --------------------------------------------------

    def test_run_refuses_the_options_of_start(self):
        result = subprocess.run(self.program("--pidfile", os.path.join(self.dir, "x.pid")),
                                capture_output=True, text=True, timeout=self.timeout)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("--pidfile is not an option of run", result.stderr)

    def test_help_documents_run(self):
        argv = self.program()
        result = subprocess.run(argv[:argv.index("run")] + ["--help"],
                                capture_output=True, text=True, timeout=self.timeout)
        self.assertEqual(result.returncode, 0, result.stderr)
        for word in ("run", "--address", "--port", "--config", "--reload-hook"):
            self.assertIn(word, result.stdout)

    # ---- the units, and real systemd tools ---------------------------------

    def scratch_units(self):
        """Copies of the units, naming the programs built here."""
        units = os.path.join(self.dir, "units")
        os.mkdir(units)
        for name in ("mydaemon.service", "mydaemon.socket"):
            with open(os.path.join(self.units_dir, name)) as f:
                text = f.read()
            for installed, here in self.installed.items():
                text = text.replace(installed, here)
            with open(os.path.join(units, name), "w") as f:
                f.write(text)
        return units

    def test_units_say_what_they_must(self):
        with open(os.path.join(self.units_dir, "mydaemon.service")) as f:
            service = f.read()
        for line in ("Type=notify", "ExecReload=/bin/kill -HUP $MAINPID",
                     "Restart=on-failure", "NoNewPrivileges=yes"):
            self.assertIn(f"\n{line}\n", service)
        self.assertRegex(service, r"\nExecStart=/.* run\b")
        self.assertRegex(service, r"\nWatchdogSec=[1-9]")
        with open(os.path.join(self.units_dir, "mydaemon.socket")) as f:
            self.assertRegex(f.read(), r"\nListenStream=127\.0\.0\.1:7007\n")

    def test_systemd_analyze_verify(self):
        tool = shutil.which("systemd-analyze")
        if not tool:
            self.skipTest("systemd-analyze is not installed (Debian package systemd)")
        units = self.scratch_units()
        # --man=no: whether the pages named in Documentation= are installed
        # is a fact about this machine, not about the units.
        result = subprocess.run([tool, "verify", "--man=no",
                                 os.path.join(units, "mydaemon.socket"),
                                 os.path.join(units, "mydaemon.service")],
                                capture_output=True, text=True, timeout=60, cwd=units)
        self.assertEqual((result.returncode, result.stdout + result.stderr), (0, ""))

    def test_served_through_systemd_socket_activate(self):
        tool = shutil.which("systemd-socket-activate")
        if not tool:
            self.skipTest("systemd-socket-activate is not installed (Debian package systemd)")
        m = self.manager()
        # It needs a port number: one the kernel has just handed out, then
        # released. Another process could take it meanwhile: then again.
        for _ in range(3):
            probe = manager.tcp_listener()
            port = probe.getsockname()[1]
            probe.close()
            service = m.start([tool, "--listen", f"127.0.0.1:{port}",
                               f"--setenv=NOTIFY_SOCKET={m.address}", "--"]
                              + self.program(), env={})
            self.addCleanup(service.kill)
            try:
                service.wait_output(f"Listening on 127.0.0.1:{port}", timeout=self.timeout)
                break
            except manager.ManagerError:
                if "in use" not in service.output:
                    raise
        # It starts the service on the first connection, which the service
        # then answers on the socket it was handed.
        line = fetch_line(("127.0.0.1", port), timeout=self.timeout)
        self.assertEqual(line, DEFAULT_GREETING, m.describe(service))
        ready = m.wait_for(service, "READY", "1", timeout=self.timeout)
        self.assertEqual(ready.fields["STATUS"], f"serving on 127.0.0.1:{port}")
        self.stop_cleanly(m, service)

    def test_checker_new_style_profile(self):
        if not os.access(CHECKER, os.X_OK):
            self.skipTest(f"{CHECKER} is not built")
        listing = subprocess.run([CHECKER, "--list", "--format", "json"],
                                 capture_output=True, text=True, timeout=30)
        ids = {c["id"] for c in json.loads(listing.stdout or "{}").get("checks", [])}
        if "notify-ready" not in ids:
            self.skipTest("this checker has no new-style profile yet")
        result = subprocess.run(
            [CHECKER, "--format", "json", "--profile", "new-style", "--socket-activation",
             "--watchdog", "200", "--"] + self.program(),
            capture_output=True, text=True, timeout=120)
        report = json.loads(result.stdout)
        bad = {c["id"]: c.get("observed") for c in report["checks"]
               if c["status"] in ("fail", "warn")}
        self.assertEqual(bad, {}, result.stderr)
        self.assertEqual(result.returncode, 0, result.stderr)
