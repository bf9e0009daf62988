# tests/trace/ — the tracer behind `checker --trace` (checker/tracer.c) run
# as the checker runs it: harness.c is the checker's process tree in
# miniature (subreaper, holder on a pty, launcher with the go pipe), and
# tdaemon.c a set of small daemons whose steps come in a known order.
# run.py checks the recorded events, both modes, as root and as an
# ordinary user; `make trace-bench` times traced against untraced runs.

TRACE_DIR  := tests/trace
TRACE_BIN  := $(TRACE_DIR)/bin
TRACE_OBJS := checker/tracer.o checker/tracer_calls.o checker/trace.o checker/trace_words.o checker/text.o \
              checker/proc.o checker/fdio.o
TRACE_ASAN_FLAGS := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
                    -fno-omit-frame-pointer

ALL_TARGETS   += $(TRACE_BIN)/harness $(TRACE_BIN)/tdaemon
CHECK_TARGETS += trace-check
BENCH_TARGETS += trace-bench
CLEAN_FILES   += $(TRACE_BIN)/harness $(TRACE_BIN)/harness-asan $(TRACE_BIN)/tdaemon

.PHONY: trace-check trace-bench

$(TRACE_BIN):
	mkdir -p $@

$(TRACE_BIN)/harness: $(TRACE_DIR)/harness.c $(TRACE_OBJS) $(CHECKER_HDRS) | $(TRACE_BIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Ichecker $(LDFLAGS) -o $@ $< $(TRACE_OBJS) $(LDLIBS) -lutil

# The tracer's memory under AddressSanitizer and UBSan (valgrind cannot
# follow ptrace): the harness and the tracer built together.
$(TRACE_BIN)/harness-asan: $(TRACE_DIR)/harness.c $(TRACE_OBJS:.o=.c) $(CHECKER_HDRS) | $(TRACE_BIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(TRACE_ASAN_FLAGS) -Ichecker $(LDFLAGS) -o $@ $< \
	    $(TRACE_OBJS:.o=.c) $(LDLIBS) -lutil

$(TRACE_BIN)/tdaemon: $(TRACE_DIR)/tdaemon.c | $(TRACE_BIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) -pthread $(LDFLAGS) -o $@ $< $(LDLIBS)

trace-check: $(TRACE_BIN)/harness $(TRACE_BIN)/harness-asan $(TRACE_BIN)/tdaemon
	@$(PYTHON) $(TRACE_DIR)/run.py --bin $(TRACE_BIN)

# Traced against untraced, side by side, on the zoo's correct daemon and
# its 40-worker twin: three launches and two stops, as a checker run makes.
trace-bench: $(TRACE_BIN)/harness tests/zoo/bin/correct tests/zoo/bin/forks-40-workers
	@$(PYTHON) $(TRACE_DIR)/bench.py --bin $(TRACE_BIN) --zoo tests/zoo/bin
