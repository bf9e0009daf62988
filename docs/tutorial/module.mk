# docs/tutorial/ — the tutorial, one page per step of skeleton/c/steps/.
#
#   make tutorial-check     check_pages.py: the pages exist where the checker
#                           points, link in order, name only files and check
#                           IDs that exist, and quote the tree faithfully
#   make tutorial-reports   re-run the checker for every report pasted in the
#                           pages, and rewrite the index's table of steps
#                           from checker --list (review the diff, commit)

TUTORIAL_DIR := docs/tutorial

CHECK_TARGETS += tutorial-check

.PHONY: tutorial-check tutorial-reports

# The pages name built programs (skeleton/c/steps/bin/...) and the test asks
# the built checker for its list: both come with `all`.
tutorial-check: all
	$(PYTHON) -B $(TUTORIAL_DIR)/check_pages.py

tutorial-reports: all
	$(PYTHON) $(TUTORIAL_DIR)/refresh_reports.py
	$(PYTHON) $(TUTORIAL_DIR)/gen_index.py
