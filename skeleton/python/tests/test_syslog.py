"""test_syslog.py: mydaemon.py's syslog lines (start, SIGHUP, stop), received
on a private /dev/log by syslog_probe.py. Root only: it needs a private
mount namespace; elsewhere the test skips and says why."""

import os
import shutil
import subprocess
import sys

import support
from support import ScratchTestCase

PROBE = os.path.join(support.TESTS_DIR, "syslog_probe.py")


def namespace_unavailable():
    if os.geteuid() != 0:
        return "needs root to mount a private /dev/log"
    if not shutil.which("unshare") or not shutil.which("mount"):
        return "needs unshare(1) and mount(8) (util-linux)"
    if subprocess.run(["unshare", "--mount", "true"], capture_output=True).returncode != 0:
        return "unshare --mount is not permitted here"
    return None


class SyslogTest(ScratchTestCase):

    def test_start_reload_stop_lines(self):
        why = namespace_unavailable()
        if why:
            self.skipTest(why)
        result = support.run_cli("unshare", "--mount", sys.executable, "-B", PROBE, self.dir,
                                 timeout=60)
        self.assertEqual(result.returncode, 0, "\n" + result.stdout + result.stderr)
