# docs/tutorial/ — the tutorial, one page per step of skeleton/c/steps/.
#
#   make tutorial-check     check_pages.py: the pages exist where the checker
#                           points, link in order, name only files and check
#                           IDs that exist, and quote the tree faithfully
#   make tutorial-reports   re-run the checker for every report pasted in the
#                           pages, rewrite the index's table of steps from
#                           checker --list, and make every trace picture
#                           again (review the diff, look at the pictures,
#                           commit)
#   make tutorial-pictures  only the trace pictures: trace_pictures.py runs
#                           the checker with --trace=PAGE.html for each one
#                           and has headless Chromium cut out the lanes

TUTORIAL_DIR := docs/tutorial

CHECK_TARGETS += tutorial-check

.PHONY: tutorial-check tutorial-reports tutorial-pictures

# The pages name built programs (skeleton/c/steps/bin/...) and the test asks
# the built checker for its list: both come with `all`.
tutorial-check: all
	$(PYTHON) -B $(TUTORIAL_DIR)/check_pages.py

tutorial-reports: all
	$(PYTHON) $(TUTORIAL_DIR)/refresh_reports.py
	$(PYTHON) $(TUTORIAL_DIR)/gen_index.py
	$(PYTHON) -B $(TUTORIAL_DIR)/trace_pictures.py

tutorial-pictures: all
	$(PYTHON) -B $(TUTORIAL_DIR)/trace_pictures.py
