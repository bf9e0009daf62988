# checker/ — the `checker` program. Every source but main.c is also linked
# into the unit tests (tests/unit/), so they are kept in CHECKER_LIB_SRCS.

CHECKER_LIB_SRCS := $(filter-out checker/main.c,$(wildcard checker/*.c))
CHECKER_LIB_OBJS := $(CHECKER_LIB_SRCS:.c=.o)
CHECKER_OBJS     := $(CHECKER_LIB_OBJS) checker/main.o
CHECKER_HDRS     := $(wildcard checker/*.h)

ALL_TARGETS += checker/checker
INSTALL_PROGRAMS += checker/checker
CLEAN_FILES += checker/checker $(CHECKER_OBJS)

# Linked statically where the C library allows it: the dynamic loader's
# start-up was a tenth of a whole checker run at --settle 0 (make bench: the
# quiet ratio went from 1.68 to 1.58), and the checker is started once per
# check, in loops. It needs nothing that a static glibc cannot give (no
# NSS, no dlopen).
CHECKER_STATIC := $(shell printf 'int main(void){return 0;}' | \
                    $(CC) -static -x c -o /dev/null - 2>/dev/null && echo -static)

checker/checker: $(CHECKER_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $(CHECKER_STATIC) -o $@ $(CHECKER_OBJS) $(LDLIBS) -lutil

checker/%.o: checker/%.c $(CHECKER_HDRS)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Each header compiles on its own: it includes what it uses.
CHECK_TARGETS += checker-headers
.PHONY: checker-headers
checker-headers:
	@for h in $(CHECKER_HDRS); do \
	    printf '#include "%s"\n' "$${h#checker/}" | \
	    $(CC) $(CPPFLAGS) $(CFLAGS) -Ichecker -fsyntax-only -x c - || exit 1; \
	done; echo "checker-headers: $(words $(CHECKER_HDRS)) headers compile on their own"

# valgrind 3.19 does not know pidfd_open, so the checker's own memory is
# checked with AddressSanitizer, UBSan and LeakSanitizer instead: a build of
# its own, run over the zoo.
CHECKER_ASAN_FLAGS := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
                      -fno-omit-frame-pointer
CHECKER_ASAN_OBJS  := $(patsubst checker/%.c,checker/asan/%.o,$(CHECKER_LIB_SRCS) checker/main.c)
CLEAN_FILES += checker/checker-asan $(CHECKER_ASAN_OBJS)
CHECK_TARGETS += checker-asan-check
.PHONY: checker-asan-check

checker/asan:
	mkdir -p $@

checker/asan/%.o: checker/%.c $(CHECKER_HDRS) | checker/asan
	$(CC) $(CPPFLAGS) $(CFLAGS) $(CHECKER_ASAN_FLAGS) -c -o $@ $<

checker/checker-asan: $(CHECKER_ASAN_OBJS)
	$(CC) $(CFLAGS) $(CHECKER_ASAN_FLAGS) $(LDFLAGS) -o $@ $(CHECKER_ASAN_OBJS) $(LDLIBS) -lutil

checker-asan-check: checker/checker-asan zoo
	@echo "checker-asan-check: the zoo under a sanitized checker"
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 \
	    UBSAN_OPTIONS=halt_on_error=1:exitcode=99 \
	    $(PYTHON) tests/zoo/run.py --checker checker/checker-asan --bin tests/zoo/bin --jobs 4
