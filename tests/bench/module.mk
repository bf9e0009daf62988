# tests/bench/ — `make bench` for the checker: a checker run next to the
# same daemon's own starts and stops, measured in one run.

BENCH_TARGETS += checker-bench
.PHONY: checker-bench

checker-bench: checker/checker tests/zoo/bin/correct
	@$(PYTHON) tests/bench/checker_bench.py
