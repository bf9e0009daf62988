"""headless_shot.py: screenshots of a region of a local page, by headless Chromium.

Chromium's own --screenshot takes the whole window, and the size of what a
page lays out is known only once it is laid out. So the browser is driven
over its DevTools pipe (--remote-debugging-pipe: commands on its fd 3,
answers on its fd 4, each a JSON object ended by a NUL byte): load the
page, ask it (one expression, evaluated by DevTools and not by the page,
which may forbid scripts) for the rectangle to keep, and capture only that.

    with Browser() as b:
        b.shoot("file:///tmp/x.html", "x.png", "JS giving {x, y, width, height}")

How the browser is found, and the processes it leaves are reaped, is
tests/trace/render/run.py's (imported, not copied): this process becomes
the subreaper of whatever Chromium forks, and sweeps it at the end.
Every wait is bounded; a browser that does not answer in time is killed
(its own process group: nobody else's). Errors raise ShotError.
"""
import base64
import fcntl
import importlib.util
import json
import os
import select
import shutil
import signal
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
ANSWER_TIMEOUT = 60         # s for any one answer of the browser, the page load included
CLOSE_TIMEOUT = 10          # s for the browser to leave once asked


class ShotError(Exception):
    pass


def _render_run():
    """tests/trace/render/run.py, loaded as a module (it runs nothing on import)."""
    path = ROOT / "tests" / "trace" / "render" / "run.py"
    spec = importlib.util.spec_from_file_location("trace_render_run", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_run = _render_run()
find_browser = _run.browser


def _high_fd(fd):
    """fd moved to 10 or above, so that placing the pipes on the child's 3
    and 4 cannot overwrite one with the other."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class Browser:
    """One headless Chromium, one tab per shot, all over one pipe."""

    def __init__(self, chrome=None):
        self.chrome = chrome or find_browser()
        if self.chrome is None:
            raise ShotError("no chromium installed")
        self.pid = None
        self.next_id = 0
        self.buffer = b""
        self.events = []

    def __enter__(self):
        _run.become_subreaper()
        self.profile = tempfile.mkdtemp(prefix="shot-chromium.")
        child_in, self.to_browser = (_high_fd(fd) for fd in os.pipe())
        self.from_browser, child_out = (_high_fd(fd) for fd in os.pipe())
        argv = [self.chrome, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--disable-crash-reporter", "--disable-breakpad", "--hide-scrollbars",
                "--remote-debugging-pipe", f"--user-data-dir={self.profile}", "about:blank"]
        actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                   (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                   (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
                   (os.POSIX_SPAWN_DUP2, child_in, 3),
                   (os.POSIX_SPAWN_DUP2, child_out, 4)]
        try:
            self.pid = os.posix_spawn(self.chrome, argv, os.environ,
                                      file_actions=actions, setsid=True)
        except OSError as e:
            for fd in (self.to_browser, self.from_browser):
                os.close(fd)
            shutil.rmtree(self.profile, ignore_errors=True)
            raise ShotError(f"unable to start {self.chrome}: {e.strerror}")
        finally:
            os.close(child_in)
            os.close(child_out)
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        """Ask the browser to leave, kill it if it does not, reap all it left."""
        if self.pid is None:
            return
        try:
            self._send("Browser.close")
        except OSError:
            pass
        if not self._exited_within(CLOSE_TIMEOUT):
            os.killpg(self.pid, signal.SIGKILL)     # the group we made for it
            os.waitpid(self.pid, 0)
        self.pid = None
        _run.sweep()
        for fd in (self.to_browser, self.from_browser):
            os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)

    def restart(self):
        """A fresh browser, after one that failed to answer."""
        self.close()
        self.buffer, self.events = b"", []
        self.__enter__()

    def _exited_within(self, seconds):
        fd = os.pidfd_open(self.pid)
        try:
            select.select([fd], [], [], seconds)
        finally:
            os.close(fd)
        pid, _ = os.waitpid(self.pid, os.WNOHANG)
        return pid != 0

    def _send(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self.to_browser, data):]
        return self.next_id

    def _receive(self, deadline):
        """The next message from the browser, or ShotError at the deadline."""
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.from_browser], [], [], left)[0]:
                raise ShotError("the browser did not answer in time")
            chunk = os.read(self.from_browser, 1 << 16)
            if not chunk:
                raise ShotError("the browser closed its pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=None):
        """Send a command and return its result; events met on the way are kept."""
        wanted = self._send(method, params, session)
        deadline = time.monotonic() + ANSWER_TIMEOUT
        while True:
            message = self._receive(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    raise ShotError(f"{method}: {message['error'].get('message')}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_event(self, method, session):
        deadline = time.monotonic() + ANSWER_TIMEOUT
        while True:
            for i, e in enumerate(self.events):
                if e["method"] == method and e.get("sessionId") == session:
                    return self.events.pop(i)
            message = self._receive(deadline)
            if "method" in message:
                self.events.append(message)

    def shoot(self, url, png, region_js, width=1600, height=1200):
        """Load url in a window of width x height CSS px, evaluate region_js
        (an expression giving {x, y, width, height} in page coordinates, or a
        string saying why there is none), and write that region to png.
        Returns the region."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        try:
            session = self.call("Target.attachToTarget",
                                {"targetId": target, "flatten": True})["sessionId"]
            self.call("Page.enable", session=session)
            self.call("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": height, "deviceScaleFactor": 1,
                       "mobile": False}, session)
            self.call("Page.navigate", {"url": url}, session)
            self.wait_event("Page.loadEventFired", session)
            got = self.call("Runtime.evaluate", {"expression": region_js,
                                                 "returnByValue": True}, session)
            region = got.get("result", {}).get("value")
            if not isinstance(region, dict):
                why = got.get("exceptionDetails", {}).get("text") or region
                raise ShotError(f"no region to capture: {why}")
            clip = {k: float(region[k]) for k in ("x", "y", "width", "height")}
            shot = self.call("Page.captureScreenshot",
                             {"format": "png", "captureBeyondViewport": True,
                              "clip": dict(clip, scale=1)}, session)
            Path(png).write_bytes(base64.b64decode(shot["data"]))
            return clip
        finally:
            self.call("Target.closeTarget", {"targetId": target})
