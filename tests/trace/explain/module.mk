# tests/trace/explain/ — the marks of `checker --trace` end to end: zoo
# daemons (one per kind of failure), the seed as published and the correct
# daemon run under `checker --trace --format json`, each failed check found
# on the event (or the process) that explains it (checker/trace_explain*.c).
#
#   make trace-explain-check     all of it (about 20 s: the checkers mostly wait)

CHECK_TARGETS += trace-explain-check

.PHONY: trace-explain-check

trace-explain-check: checker/checker zoo zoons skeleton/c/steps/bin/seed-as-published
	@$(PYTHON) tests/trace/explain/run.py --checker checker/checker --zoo tests/zoo/bin \
	    --seed skeleton/c/steps/bin/seed-as-published
