# tests/zoo/ — daemons with exactly one fault each (or none), and the
# end-to-end test that runs the checker on every one of them and compares the
# checks that fail with tests/zoo/expect.txt.

ZOO_DIR      := tests/zoo
ZOO_BIN      := $(ZOO_DIR)/bin
ZOO_DAEMONS  := $(patsubst $(ZOO_DIR)/daemons/%.c,$(ZOO_BIN)/%,$(wildcard $(ZOO_DIR)/daemons/*.c))
ZOO_TOOLS    := $(ZOO_BIN)/witness
ZOO_LIB_OBJ  := $(ZOO_BIN)/zoo.o
ZOO_CHECKER  ?= checker/checker

ALL_TARGETS   += $(ZOO_DAEMONS) $(ZOO_TOOLS)
CHECK_TARGETS += zoo-check zoo-race-check zoo-trace-check
CLEAN_FILES   += $(ZOO_DAEMONS) $(ZOO_TOOLS) $(ZOO_LIB_OBJ)

.PHONY: zoo zoo-check zoo-race-check zoo-trace-check

zoo: $(ZOO_DAEMONS) $(ZOO_TOOLS)

$(ZOO_BIN):
	mkdir -p $@

$(ZOO_LIB_OBJ): $(ZOO_DIR)/zoo.c $(ZOO_DIR)/zoo.h skeleton/c/daemonize.h | $(ZOO_BIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Iskeleton/c -c -o $@ $<

$(ZOO_BIN)/%: $(ZOO_DIR)/daemons/%.c $(ZOO_LIB_OBJ) skeleton/c/daemonize.o $(ZOO_DIR)/zoo.h | $(ZOO_BIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(ZOO_LIB_OBJ) skeleton/c/daemonize.o $(LDLIBS) -pthread

$(ZOO_BIN)/witness: $(ZOO_DIR)/witness.c | $(ZOO_BIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

# The checker is built by `all` (checker/module.mk); the runner only runs.
# Three at once: the cases wait far more than they compute, and no verdict
# may depend on what runs beside (zoo-race-check below asks much more).
zoo-check: $(ZOO_DAEMONS) $(ZOO_TOOLS) $(ZOO_CHECKER)
	$(PYTHON) $(ZOO_DIR)/run.py -v --checker $(ZOO_CHECKER) --bin $(ZOO_BIN) --jobs 3

# The same cases, every checker at --settle 0, 8 of them at once beside two
# busy loops: the verdicts must still be expect.txt's, the default run's,
# since no verdict may depend on timing.
zoo-race-check: $(ZOO_DAEMONS) $(ZOO_TOOLS) $(ZOO_CHECKER)
	$(PYTHON) $(ZOO_DIR)/run.py --checker $(ZOO_CHECKER) --bin $(ZOO_BIN) --settle 0 --jobs 8 --load 2

# The same cases under --trace, 4 at once: tracing must change no verdict,
# and every report carries a whole trace.
zoo-trace-check: $(ZOO_DAEMONS) $(ZOO_TOOLS) $(ZOO_CHECKER)
	$(PYTHON) $(ZOO_DIR)/run.py --checker $(ZOO_CHECKER) --bin $(ZOO_BIN) --trace --jobs 4

# The zoo's daemons built with AddressSanitizer, UBSan and LeakSanitizer
# (the checker's flags), on the sanitized skeleton/c/asan/daemonize.o, for
# `make sanitize` (tests/sanitize/). The witness is a test tool, not under
# test: bin-asan/ has the plain one, which run.py expects beside the daemons.
ZOO_ASAN_BIN     := $(ZOO_DIR)/bin-asan
ZOO_ASAN_DAEMONS := $(patsubst $(ZOO_BIN)/%,$(ZOO_ASAN_BIN)/%,$(ZOO_DAEMONS))
ZOO_ASAN_LIB_OBJ := $(ZOO_ASAN_BIN)/zoo.o
CLEAN_FILES      += $(ZOO_ASAN_DAEMONS) $(ZOO_ASAN_BIN)/witness $(ZOO_ASAN_LIB_OBJ)

.PHONY: zoo-asan
zoo-asan: $(ZOO_ASAN_DAEMONS) $(ZOO_ASAN_BIN)/witness

$(ZOO_ASAN_BIN):
	mkdir -p $@

$(ZOO_ASAN_LIB_OBJ): $(ZOO_DIR)/zoo.c $(ZOO_DIR)/zoo.h skeleton/c/daemonize.h | $(ZOO_ASAN_BIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(CHECKER_ASAN_FLAGS) -Iskeleton/c -c -o $@ $<

$(ZOO_ASAN_DAEMONS): $(ZOO_ASAN_BIN)/%: $(ZOO_DIR)/daemons/%.c $(ZOO_ASAN_LIB_OBJ) skeleton/c/asan/daemonize.o $(ZOO_DIR)/zoo.h
	$(CC) $(CPPFLAGS) $(CFLAGS) $(CHECKER_ASAN_FLAGS) $(LDFLAGS) -o $@ $< $(ZOO_ASAN_LIB_OBJ) \
	    skeleton/c/asan/daemonize.o $(LDLIBS) -pthread

$(ZOO_ASAN_BIN)/witness: $(ZOO_DIR)/witness.c | $(ZOO_ASAN_BIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)
