# tests/unit/ — Check unit tests of the checker's library modules.
#
# Each test links only the modules it tests (and what those need), so a
# module's tests build and run whatever state the rest of checker/ is in.
# `make unit-check` runs every test binary as it is (fork mode: a crash is
# one failed test), then again under valgrind with CK_FORK=no, so that the
# tests' own processes are the ones checked for errors and leaks.

UNIT_TESTS := check_proc check_pidfile check_json check_options check_judges check_tracker check_run \
              check_notify check_xml check_tracer check_trace_explain
UNIT_BINS  := $(addprefix tests/unit/,$(UNIT_TESTS))
UNIT_HELPER_OBJS := tests/unit/unit_tmpdir.o

UNIT_OBJS_check_proc    := checker/proc.o checker/fdio.o $(UNIT_HELPER_OBJS)
UNIT_OBJS_check_pidfile := checker/pidfile.o checker/fdio.o $(UNIT_HELPER_OBJS)
UNIT_OBJS_check_json    := checker/json.o checker/utf8.o
UNIT_OBJS_check_xml     := checker/xml.o checker/utf8.o
# The table of checks names each check's judge and its trace_explain
# finder: whatever links checks.o links both.
UNIT_TABLE_OBJS := checker/checks.o checker/judges.o checker/judges_pidfile.o \
                   checker/judges_service.o checker/judge_text.o checker/trace_explain.o \
                   checker/trace_explain_life.o checker/trace_explain_state.o \
                   checker/trace_explain_pidfile.o checker/trace_explain_service.o \
                   checker/trace_query.o checker/trace.o checker/trace_mark.o \
                   checker/trace_words.o
UNIT_OBJS_check_options := checker/options.o $(UNIT_TABLE_OBJS) checker/evidence.o \
                           checker/notify.o checker/utf8.o checker/text.o checker/pidfile.o \
                           checker/fdio.o $(UNIT_HELPER_OBJS)
UNIT_OBJS_check_judges  := $(UNIT_TABLE_OBJS) checker/evidence.o checker/notify.o checker/utf8.o \
                           checker/text.o checker/pidfile.o checker/fdio.o checker/options.o
UNIT_OBJS_check_tracker := checker/tracker.o checker/scan.o checker/procset.o checker/proc.o checker/fdio.o
UNIT_OBJS_check_run     := $(CHECKER_LIB_OBJS)
UNIT_OBJS_check_notify  := checker/notify.o checker/utf8.o checker/fdio.o $(UNIT_HELPER_OBJS)
UNIT_OBJS_check_tracer  := checker/tracer.o checker/tracer_calls.o checker/trace.o checker/trace_words.o checker/text.o \
                           checker/proc.o checker/fdio.o $(UNIT_HELPER_OBJS)
UNIT_OBJS_check_trace_explain := $(UNIT_TABLE_OBJS) checker/text.o checker/evidence.o \
                           checker/pidfile.o checker/fdio.o checker/notify.o checker/utf8.o \
                           checker/options.o
UNIT_LIBS_check_run     := -lutil

# Evaluated when used, so that `make check` sees the package that its
# `deps` step has just installed.
UNIT_CHECK_CFLAGS = $(shell pkg-config --cflags check)
UNIT_CHECK_LIBS   = $(shell pkg-config --libs check)

# valgrind 3.19 does not know pidfd_open (syscall 434), which the tracker
# needs; its memory is checked by checker-asan-check instead. Nor can it
# run a tracer (ptrace, process_vm_readv): tests/trace's harness-asan
# checks the tracer's memory.
UNIT_NO_VALGRIND := tests/unit/check_tracker tests/unit/check_tracer

UNIT_VALGRIND := valgrind --error-exitcode=1 --leak-check=full \
                 --errors-for-leak-kinds=definite,indirect,possible -q

CHECK_TARGETS += unit-check
CLEAN_FILES   += $(UNIT_BINS) $(UNIT_HELPER_OBJS)

.PHONY: unit-check unit-build

unit-build: $(UNIT_BINS)

unit-check: $(UNIT_BINS)
	@for t in $(UNIT_BINS); do ./$$t || exit 1; done
	@for t in $(filter-out $(UNIT_NO_VALGRIND),$(UNIT_BINS)); do \
	    echo "valgrind $$t"; \
	    CK_FORK=no $(UNIT_VALGRIND) ./$$t >/dev/null || { echo "unit-check: valgrind: $$t failed" >&2; exit 1; }; \
	done

tests/unit/%.o: tests/unit/%.c tests/unit/unit_tmpdir.h
	$(CC) $(CPPFLAGS) $(CFLAGS) $(UNIT_CHECK_CFLAGS) -c -o $@ $<

define UNIT_TEST_RULE
tests/unit/$(1): tests/unit/$(1).c $$(UNIT_OBJS_$(1)) tests/unit/unit_tmpdir.h $$(CHECKER_HDRS)
	$$(CC) $$(CPPFLAGS) $$(CFLAGS) $$(UNIT_CHECK_CFLAGS) -Ichecker -o $$@ $$< \
	    $$(UNIT_OBJS_$(1)) $$(LDFLAGS) $$(UNIT_CHECK_LIBS) $$(UNIT_LIBS_$(1)) $$(LDLIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call UNIT_TEST_RULE,$(t))))

# The same tests built with AddressSanitizer, UBSan and LeakSanitizer (the
# checker's flags, CHECKER_ASAN_FLAGS), for `make sanitize` and `make
# sanitize-check` (tests/sanitize/). Their objects are built apart, in
# checker/asan/ and tests/unit/asan/, never mixed with the normal ones.
UNIT_ASAN_BINS := $(addprefix tests/unit/asan/,$(UNIT_TESTS))
CLEAN_FILES    += $(UNIT_ASAN_BINS) tests/unit/asan/unit_tmpdir.o

# checker/X.o -> checker/asan/X.o, tests/unit/X.o -> tests/unit/asan/X.o
unit_asan_objs = $(patsubst tests/unit/%,tests/unit/asan/%,$(patsubst checker/%,checker/asan/%,$(1)))

.PHONY: unit-asan-build
unit-asan-build: $(UNIT_ASAN_BINS)

tests/unit/asan:
	mkdir -p $@

tests/unit/asan/%.o: tests/unit/%.c tests/unit/unit_tmpdir.h | tests/unit/asan
	$(CC) $(CPPFLAGS) $(CFLAGS) $(CHECKER_ASAN_FLAGS) $(UNIT_CHECK_CFLAGS) -c -o $@ $<

define UNIT_ASAN_RULE
tests/unit/asan/$(1): tests/unit/$(1).c $(call unit_asan_objs,$(UNIT_OBJS_$(1))) tests/unit/unit_tmpdir.h $$(CHECKER_HDRS) | tests/unit/asan
	$$(CC) $$(CPPFLAGS) $$(CFLAGS) $$(CHECKER_ASAN_FLAGS) $$(UNIT_CHECK_CFLAGS) -Ichecker -o $$@ $$< \
	    $(call unit_asan_objs,$(UNIT_OBJS_$(1))) $$(LDFLAGS) $$(UNIT_CHECK_LIBS) $$(UNIT_LIBS_$(1)) $$(LDLIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call UNIT_ASAN_RULE,$(t))))
