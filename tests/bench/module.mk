# tests/bench/ — `make bench` for the checker: each cost measured side by
# side with what it is compared to, in one run (checker_bench.py).

BENCH_SLEEPERS := tests/bench/sleepers

BENCH_TARGETS += checker-bench
CLEAN_FILES   += $(BENCH_SLEEPERS)
.PHONY: checker-bench

$(BENCH_SLEEPERS): tests/bench/sleepers.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

checker-bench: checker/checker tests/zoo/bin/correct tests/zoo/bin/forks-40-workers skeleton/c/mydaemon \
               $(BENCH_SLEEPERS)
	@$(PYTHON) tests/bench/checker_bench.py
