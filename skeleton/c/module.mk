# skeleton/c/ — the reference C daemon (`mydaemon`), built from four library
# units (daemonize, pidfile, sdnotify, listenfds) that the unit tests link on
# their own, and the program's own files (mydaemon.c, its new-style mode
# newstyle.c, its stderr lines report.c).
#
#   make skeleton/c/mydaemon   the daemon
#   make skeleton-c-check      headers, unit tests, unit tests under valgrind,
#                              e2e, the new-style mode under a test manager
#   make skeleton-c-bench      launch time, idle wake-ups and memory

SKC_DIR       := skeleton/c
SKC_LIB_SRCS  := $(SKC_DIR)/daemonize.c $(SKC_DIR)/pidfile.c $(SKC_DIR)/sdnotify.c \
                 $(SKC_DIR)/listenfds.c
SKC_LIB_OBJS  := $(SKC_LIB_SRCS:.c=.o)
SKC_PROG_SRCS := $(SKC_DIR)/mydaemon.c $(SKC_DIR)/newstyle.c $(SKC_DIR)/report.c
SKC_HDRS      := $(SKC_DIR)/daemonize.h $(SKC_DIR)/pidfile.h $(SKC_DIR)/sdnotify.h \
                 $(SKC_DIR)/listenfds.h $(SKC_DIR)/newstyle.h $(SKC_DIR)/report.h
SKC_OBJS      := $(SKC_LIB_OBJS) $(SKC_PROG_SRCS:.c=.o)
SKC_BIN       := $(SKC_DIR)/mydaemon

SKC_TESTS     := $(SKC_DIR)/tests/check_pidfile $(SKC_DIR)/tests/check_daemonize \
                 $(SKC_DIR)/tests/check_sdnotify $(SKC_DIR)/tests/check_listenfds
SKC_NAIVE     := $(SKC_DIR)/bench/mydaemon-naive
SKC_LAUNCHTIME := $(SKC_DIR)/bench/launchtime
# Full RELRO for the daemon: its GOT is read-only once it runs (hardening),
# and every symbol is bound once, in the launcher, instead of lazily again in
# each forked child, which measurably delays readiness (see bench/).
SKC_LINK      := -Wl,-z,relro -Wl,-z,now
# Only the unit tests need libcheck, so `make all` builds without it.
SKC_CHECK_FLAGS = $(shell pkg-config --cflags --libs check)

ALL_TARGETS   += $(SKC_BIN)
CHECK_TARGETS += skeleton-c-headers skeleton-c-unit skeleton-c-valgrind skeleton-c-e2e \
                 skeleton-c-newstyle
BENCH_TARGETS += skeleton-c-bench
CLEAN_FILES   += $(SKC_BIN) $(SKC_OBJS) $(SKC_TESTS) $(SKC_NAIVE) $(SKC_LAUNCHTIME)

.PHONY: skeleton-c-check skeleton-c-headers skeleton-c-unit skeleton-c-valgrind \
        skeleton-c-e2e skeleton-c-newstyle skeleton-c-bench

$(SKC_OBJS): $(SKC_DIR)/%.o: $(SKC_DIR)/%.c $(SKC_HDRS)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(SKC_BIN): $(SKC_OBJS)
	$(CC) $(CFLAGS) $(SKC_LINK) $(LDFLAGS) -o $@ $(SKC_OBJS) $(LDLIBS)

$(SKC_DIR)/tests/check_%: $(SKC_DIR)/tests/check_%.c $(SKC_LIB_OBJS) $(SKC_HDRS)
	$(CC) $(CPPFLAGS) $(CFLAGS) -I$(SKC_DIR) $(LDFLAGS) -o $@ $< $(SKC_LIB_OBJS) \
	    $(SKC_CHECK_FLAGS) $(LDLIBS)

# The same daemon, closing descriptors the naive way, for the benchmark.
$(SKC_NAIVE): $(SKC_PROG_SRCS) $(SKC_LIB_SRCS) $(SKC_HDRS)
	$(CC) $(CPPFLAGS) $(CFLAGS) -DNAIVE_CLOSE $(SKC_LINK) $(LDFLAGS) -o $@ \
	    $(SKC_PROG_SRCS) $(SKC_LIB_SRCS) $(LDLIBS)

$(SKC_LAUNCHTIME): $(SKC_DIR)/bench/launchtime.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

skeleton-c-check: skeleton-c-headers skeleton-c-unit skeleton-c-valgrind skeleton-c-e2e \
                  skeleton-c-newstyle

# Each public header compiles on its own.
skeleton-c-headers: $(SKC_HDRS)
	@for h in $(SKC_HDRS); do \
	    echo "#include \"$$h\"" | $(CC) $(CPPFLAGS) $(CFLAGS) -x c -fsyntax-only -I. - || exit 1; \
	done

skeleton-c-unit: $(SKC_TESTS)
	@for t in $(SKC_TESTS); do CK_FORK=yes ./$$t || exit 1; done

# Fork mode stays on: each test runs in a child that valgrind follows and
# checks on its own, and --error-exitcode turns any finding into a failure.
skeleton-c-valgrind: $(SKC_TESTS)
	@for t in $(SKC_TESTS); do \
	    CK_FORK=yes CK_TIMEOUT_MULTIPLIER=10 valgrind -q --error-exitcode=1 --leak-check=full \
	        --errors-for-leak-kinds=definite,indirect,possible ./$$t || exit 1; \
	done

skeleton-c-e2e: $(SKC_BIN)
	@$(SKC_DIR)/tests/e2e.sh

# `mydaemon run` under a service manager played by the test (the cases are
# shared with the Python twin's, in skeleton/python/tests/newstyle_cases.py),
# under valgrind, systemd-socket-activate, and systemd-analyze verify.
skeleton-c-newstyle: $(SKC_BIN)
	@$(PYTHON) -B $(SKC_DIR)/tests/newstyle.py

skeleton-c-bench: $(SKC_BIN) $(SKC_NAIVE) $(SKC_LAUNCHTIME)
	@$(SKC_DIR)/bench/bench.sh

# AddressSanitizer, UBSan and LeakSanitizer builds (the checker's flags,
# CHECKER_ASAN_FLAGS) of the unit tests and of the daemon, for `make
# sanitize` and `make sanitize-check` (tests/sanitize/), from objects of
# their own in skeleton/c/asan/, never mixed with the normal ones. The zoo's
# sanitized daemons link skeleton/c/asan/daemonize.o (tests/zoo/module.mk).
SKC_ASAN_DIR   := $(SKC_DIR)/asan
SKC_ASAN_LIB   := $(patsubst $(SKC_DIR)/%,$(SKC_ASAN_DIR)/%,$(SKC_LIB_OBJS))
SKC_ASAN_OBJS  := $(patsubst $(SKC_DIR)/%,$(SKC_ASAN_DIR)/%,$(SKC_OBJS))
SKC_ASAN_BIN   := $(SKC_ASAN_DIR)/mydaemon
SKC_ASAN_TESTS := $(foreach t,$(SKC_TESTS),$(dir $(t))asan/$(notdir $(t)))
CLEAN_FILES    += $(SKC_ASAN_OBJS) $(SKC_ASAN_BIN) $(SKC_ASAN_TESTS)

.PHONY: skeleton-c-asan-build
skeleton-c-asan-build: $(SKC_ASAN_BIN) $(SKC_ASAN_TESTS)

$(SKC_ASAN_DIR) $(SKC_DIR)/tests/asan:
	mkdir -p $@

$(SKC_ASAN_OBJS): $(SKC_ASAN_DIR)/%.o: $(SKC_DIR)/%.c $(SKC_HDRS) | $(SKC_ASAN_DIR)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(CHECKER_ASAN_FLAGS) -c -o $@ $<

$(SKC_ASAN_BIN): $(SKC_ASAN_OBJS)
	$(CC) $(CFLAGS) $(CHECKER_ASAN_FLAGS) $(SKC_LINK) $(LDFLAGS) -o $@ $(SKC_ASAN_OBJS) $(LDLIBS)

$(SKC_DIR)/tests/asan/check_%: $(SKC_DIR)/tests/check_%.c $(SKC_ASAN_LIB) $(SKC_HDRS) | $(SKC_DIR)/tests/asan
	$(CC) $(CPPFLAGS) $(CFLAGS) $(CHECKER_ASAN_FLAGS) -I$(SKC_DIR) $(LDFLAGS) -o $@ $< \
	    $(SKC_ASAN_LIB) $(SKC_CHECK_FLAGS) $(LDLIBS)
