#!/usr/bin/env python3
"""ns_binds_own_socket.py: ignores LISTEN_FDS and serves on a socket of its
own on 127.0.0.1, leaving the passed descriptor 3 untouched.

How the fault is seen for sure: nobody accepts on the passed socket, so the
connection made at READY=1 is never answered (notify-ready fails), and the
service holds a listening socket other than the passed one
(socket-activation fails). Without --socket-activation it is correct."""
import sys

sys.dont_write_bytecode = True
import nszoo  # noqa: E402

sys.exit(nszoo.main(nszoo.Recipe(use_listen_fds=False)))
