#!/usr/bin/env python3
"""ns_abstract_as_path.py: passes NOTIFY_SOCKET to sendto() as it is, so an
abstract "@name" is taken for a file name (Python spells an abstract
address with a leading NUL, not with @): every send fails with ENOENT,
logged once.

How the fault is seen for sure: with --notify-socket abstract nothing ever
arrives: notify-ready fails at the timeout, and notify-stopping with it
(and watchdog, when asked). With a path NOTIFY_SOCKET it is correct."""
import sys

sys.dont_write_bytecode = True
import nszoo  # noqa: E402

sys.exit(nszoo.main(nszoo.Recipe(abstract_as_path=True)))
