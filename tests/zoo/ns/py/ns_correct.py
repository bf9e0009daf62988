#!/usr/bin/env python3
"""ns_correct.py: the new-style reference service in Python (nszoo.py):
every new-style check passes, whichever options the checker is given."""
import sys

sys.dont_write_bytecode = True      # nothing written beside the sources
import nszoo  # noqa: E402

sys.exit(nszoo.main(nszoo.CORRECT))
