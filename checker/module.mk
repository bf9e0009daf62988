# checker/ — the `checker` program. Every source but main.c is also linked
# into the unit tests (tests/unit/), so they are kept in CHECKER_LIB_SRCS.

CHECKER_LIB_SRCS := $(filter-out checker/main.c,$(wildcard checker/*.c))
CHECKER_LIB_OBJS := $(CHECKER_LIB_SRCS:.c=.o)
CHECKER_OBJS     := $(CHECKER_LIB_OBJS) checker/main.o
CHECKER_HDRS     := $(wildcard checker/*.h)

ALL_TARGETS += checker/checker
CLEAN_FILES += checker/checker $(CHECKER_OBJS)

checker/checker: $(CHECKER_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CHECKER_OBJS) $(LDLIBS) -lutil

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
