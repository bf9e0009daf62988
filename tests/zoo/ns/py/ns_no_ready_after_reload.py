#!/usr/bin/env python3
"""ns_no_ready_after_reload.py: on SIGHUP it sends RELOADING=1 (with
MONOTONIC_USEC=) and never READY=1 again.

How the fault is seen for sure: no READY=1 follows the RELOADING=1 at all:
reload-on-sighup fails (a warn: exit 0)."""
import sys

sys.dont_write_bytecode = True
import nszoo  # noqa: E402

sys.exit(nszoo.main(nszoo.Recipe(ready_after_reload=False)))
