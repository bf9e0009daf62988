# tests/stress/ — many checkers at once: the whole zoo, N checkers beside
# busy loops, round after round, with every checker's descriptors counted
# at its exit and everything it started accounted for (stress.py, over
# tests/zoo/run.py).
#
#   make stress         16 checkers at once, 2 busy loops, 3 rounds
#   make stress-check   the short form run by `make check`: 4 at once, one
#                       round, 2 busy loops, --settle 0
# STRESS_JOBS, STRESS_LOAD, STRESS_ROUNDS, STRESS_SETTLE change `make stress`.

STRESS_DIR     := tests/stress
STRESS_WITNESS := $(STRESS_DIR)/exitwitness
STRESS_JOBS    ?= 16
STRESS_LOAD    ?= 2
STRESS_ROUNDS  ?= 3
STRESS_SETTLE  ?=

ALL_TARGETS   += $(STRESS_WITNESS)
CHECK_TARGETS += stress-check
CLEAN_FILES   += $(STRESS_WITNESS)

.PHONY: stress stress-check

$(STRESS_WITNESS): $(STRESS_DIR)/exitwitness.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

stress: $(STRESS_WITNESS) zoo checker/checker
	@$(PYTHON) -B $(STRESS_DIR)/stress.py --jobs $(STRESS_JOBS) --load $(STRESS_LOAD) \
	    --rounds $(STRESS_ROUNDS) $(if $(STRESS_SETTLE),--settle $(STRESS_SETTLE))

stress-check: $(STRESS_WITNESS) zoo checker/checker
	@$(PYTHON) -B $(STRESS_DIR)/stress.py --jobs 4 --load 2 --rounds 1 --settle 0
