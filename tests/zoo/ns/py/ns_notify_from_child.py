#!/usr/bin/env python3
"""ns_notify_from_child.py: keeps NOTIFY_SOCKET in its environment and lets
a helper process it runs (python3 -c ..., as a start-up script would) send
READY=1.

How the fault is seen for sure: the READY=1 datagram carries the helper's
credentials and no MAINPID=, so it is refused (systemd: "reception only
permitted for main PID"); the main process never says READY=1 before the
reload, so notify-ready fails at the timeout. The helper has been waited
for (subprocess.run) before the service goes on: no zombie, no leftover."""
import sys

sys.dont_write_bytecode = True
import nszoo  # noqa: E402

sys.exit(nszoo.main(nszoo.Recipe(ready_from_child=True)))
