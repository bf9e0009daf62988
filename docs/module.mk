# docs/ — the reference of the checks, the man page checker(1), the CI guide,
# and the install rules that put the checker and its man page in place.
#
#   make docs            regenerate docs/checks.md and docs/man/checker.1 from
#                        the checker's table of checks (both are committed)
#   make docs-check      fails, with a diff, when either is out of date; the
#                        man page renders without a warning and documents
#                        every option of --help; docs/json.md's examples and
#                        member tables match real reports (json-doc-check)
#   make install-check   installs into a scratch DESTDIR, runs and renders
#                        what was installed, uninstalls, checks nothing is left
#   make ci-docs-check   runs the commands of docs/ci.md's CI jobs for real

DOCS_CHECKER   := checker/checker
DOCS_TOOLS     := docs/tools
DOCS_MAN_IN    := docs/man/checker.1.in
DOCS_MAN       := docs/man/checker.1
DOCS_CHECKS    := docs/checks.md
DOCS_GENERATORS := $(DOCS_TOOLS)/gen_checks.py $(DOCS_TOOLS)/gen_man.py $(DOCS_TOOLS)/checktable.py

CHECK_TARGETS += docs-check install-check ci-docs-check

.PHONY: docs docs-check install-check ci-docs-check

# Generated pages are committed, so that they can be read without building;
# `docs` regenerates them on demand, and docs-check says when that is due.
docs: $(DOCS_CHECKER) $(DOCS_GENERATORS) $(DOCS_MAN_IN)
	$(PYTHON) $(DOCS_TOOLS)/gen_checks.py --checker $(DOCS_CHECKER) -o $(DOCS_CHECKS)
	$(PYTHON) $(DOCS_TOOLS)/gen_man.py --checker $(DOCS_CHECKER) --template $(DOCS_MAN_IN) \
	    -o $(DOCS_MAN)

docs-check: $(DOCS_CHECKER) $(DOCS_GENERATORS) $(DOCS_MAN_IN) json-doc-check
	@PYTHON='$(PYTHON)' $(DOCS_TOOLS)/test_docs.sh $(DOCS_CHECKER)

# docs/json.md: each example and member table against the real output of the
# runs it describes (zoo daemons, the reference daemon, the seed's recipe),
# and the trace's members against the sample traces of tests/trace/.
DOCS_JSON_RUNS := tests/zoo/bin/correct tests/zoo/bin/dies-after-ready tests/zoo/bin/wrong-umask \
                  skeleton/c/mydaemon skeleton/c/steps/bin/seed-as-published tests/trace/render/render_sample
.PHONY: json-doc-check
json-doc-check: $(DOCS_CHECKER) $(DOCS_JSON_RUNS)
	@$(PYTHON) -B $(DOCS_TOOLS)/test_json_doc.py --checker $(DOCS_CHECKER) \
	    --sample tests/trace/render/render_sample docs/json.md

install-check: $(DOCS_CHECKER)
	@MAKE='$(MAKE)' $(DOCS_TOOLS)/test_install.sh

ci-docs-check: $(DOCS_CHECKER)
	@$(PYTHON) $(DOCS_TOOLS)/test_ci_docs.py --checker $(DOCS_CHECKER) docs/ci.md

# docs/compare-c-python.md: the comparisons it shows are run again, and what
# the page says of them must still hold.
CHECK_TARGETS += compare-doc-check
.PHONY: compare-doc-check
compare-doc-check: $(DOCS_CHECKER) skeleton/c/mydaemon skeleton/c/steps/bin/seed-as-published
	@$(PYTHON) -B $(DOCS_TOOLS)/test_compare_doc.py --checker $(DOCS_CHECKER) docs/compare-c-python.md

INSTALL_MANS += $(DOCS_MAN)
