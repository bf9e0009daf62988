# skeleton/python/ — the Python 3 twin of the reference daemon (daemon.py,
# pidfile.py, the mydaemon.py CLI) and the seed's class ported literally
# (seed_daemon.py). Nothing to build: only tests.
#
#   make skeleton-python-check   unit tests of the class and CLI, the seed's
#                                bugs shown, and the checker's verdict on both

SKPY_DIR := skeleton/python

CHECK_TARGETS += skeleton-python-check
.PHONY: skeleton-python-check

# -B: no __pycache__ left in the tree.
skeleton-python-check:
	$(PYTHON) -B $(SKPY_DIR)/tests/run.py
