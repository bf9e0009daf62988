# tests/sanitize/ — the kit's C programs under AddressSanitizer, UBSan and
# LeakSanitizer, and under valgrind where valgrind can run them;
# sanitize.py says which tool covered each binary.
#
#   make sanitize         every Check test under both tools, the daemon, and
#                         the zoo with the sanitized checker on the sanitized
#                         daemons (a few minutes)
#   make sanitize-check   the short form run by `make check` (about 10 s once
#                         built): the Check tests and the daemon under
#                         ASan+UBSan only, since unit-check and
#                         skeleton-c-valgrind run valgrind already, and
#                         checker-asan-check the zoo under the sanitized
#                         checker
#
# The sanitized builds are made by each part's own module.mk, apart from the
# normal objects: checker/asan/, tests/unit/asan/, skeleton/c/asan/,
# skeleton/c/tests/asan/, tests/zoo/bin-asan/. valgrind 3.19 does not know
# pidfd_open (syscall 434): UNIT_NO_VALGRIND (check_tracker), the checker and
# the zoo's daemons are covered by the sanitizers alone.

SANITIZE_DIR := tests/sanitize

# Deferred: tests/unit/module.mk, which defines UNIT_*, is read after this.
SANITIZE_ARGS = --tests $(UNIT_BINS) $(SKC_TESTS) --ck-fork-no $(UNIT_BINS) \
                --no-valgrind $(UNIT_NO_VALGRIND) --valgrind '$(UNIT_VALGRIND)' \
                --checker-asan checker/checker-asan --mydaemon $(SKC_BIN)

CHECK_TARGETS += sanitize-check
.PHONY: sanitize sanitize-check

sanitize: unit-build unit-asan-build $(SKC_TESTS) skeleton-c-asan-build checker/checker-asan zoo-asan
	@$(PYTHON) -B $(SANITIZE_DIR)/sanitize.py $(SANITIZE_ARGS) --zoo-bin tests/zoo/bin-asan

sanitize-check: unit-build unit-asan-build $(SKC_TESTS) skeleton-c-asan-build checker/checker-asan
	@$(PYTHON) -B $(SANITIZE_DIR)/sanitize.py --quick $(SANITIZE_ARGS)
