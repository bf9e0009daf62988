# docs/tools/ — the tutorial's side pages and the real-world survey.
#
#   make side-reports       re-run the checker runs and shell sessions pasted in
#                           docs/tutorial/seed-python-class.md and
#                           docs/tutorial/daemon3.md (rewrites them: review, commit)
#   make side-pages-check   those pages name only existing files and check IDs,
#                           quote the tree faithfully, hold generated runs, and
#                           daemon3's verdicts still come out as shown (a few s)
#   make real-world         (root, network to Debian's mirror; minutes) install
#                           real daemons, run the checker on each, rewrite
#                           docs/real-world.md. Never part of `make check`.
#   make real-world-check   docs/real-world.md is what the survey script last
#                           wrote, for this script and this checker (no install)

SIDE_TOOLS := docs/tools

CHECK_TARGETS += side-pages-check real-world-check

.PHONY: side-reports side-pages-check real-world real-world-check

# The side pages name built programs (daemon3, the checker): both come with `all`.
side-reports: all
	$(PYTHON) -B $(SIDE_TOOLS)/side_reports.py

side-pages-check: all
	@$(PYTHON) -B $(SIDE_TOOLS)/check_side_pages.py

real-world: checker/checker
	$(PYTHON) -B $(SIDE_TOOLS)/real_world.py

real-world-check: checker/checker
	@$(PYTHON) -B $(SIDE_TOOLS)/real_world.py --check
