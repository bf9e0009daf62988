# grade/ — checker-grade, a teacher's grading of a whole class: every
# student's daemon built and checked (isolated, as root), the class table
# written as CSV, JSON and one HTML page.
#
#   make grade-check   its tests: a made-up class with broken and hostile
#                      submissions, the page in headless Chromium, install,
#                      the man page (about 40 s)
#   make grade-bench   60 generated submissions graded with the default -j

GRADE_PROG := grade/checker-grade
GRADE_MAN  := docs/man/checker-grade.1

INSTALL_PROGRAMS += $(GRADE_PROG)
INSTALL_MANS     += $(GRADE_MAN)
CHECK_TARGETS    += grade-check
BENCH_TARGETS    += grade-bench

.PHONY: grade-check grade-bench

# -B: no __pycache__ left in the tree.
grade-check: checker/checker
	@$(PYTHON) -B grade/tests/run.py

grade-bench: checker/checker
	@$(PYTHON) -B grade/tests/bench.py
